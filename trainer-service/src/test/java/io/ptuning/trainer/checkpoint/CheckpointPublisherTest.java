package io.ptuning.trainer.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** What a run's transactional producer is left in when it cannot start. */
class CheckpointPublisherTest {

    @Test
    void aProducerWhoseInitTransactionsTimedOutIsClosedSoItCannotFenceTheRetrysProducerLater() {
        MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(),
                new ByteArraySerializer());
        producer.initTransactionException = new TimeoutException("Timeout expired after 60000ms while awaiting"
                + " InitProducerId");

        assertThatThrownBy(() -> new CheckpointPublisher(producer, "r", "ptuning.trainer-state"))
                .isInstanceOf(TimeoutException.class);
        assertThat(producer.closed()).isTrue();
    }
}
