package io.ptuning.trainer.run;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

/** Which failures end a run for good, and which only pause it until Kafka is back. */
class TransientFailureTest {

    @Test
    void aCommitRolledBackForATimeoutOrMissingReplicasIsTransient() {
        assertThat(RunExecutor.isTransient(new IllegalStateException("committing step 8 of run r failed and was rolled"
                + " back", new KafkaException("commit failed", new TimeoutException("expired"))))).isTrue();
        assertThat(RunExecutor.isTransient(new NotEnoughReplicasException("2 of 3 in sync"))).isTrue();
    }

    @Test
    void fencingTensorErrorsAndBadValuesArePermanent() {
        assertThat(RunExecutor.isTransient(new KafkaException(new ProducerFencedException("fenced")))).isFalse();
        assertThat(RunExecutor.isTransient(new IllegalArgumentException("psl must be >= 1"))).isFalse();
        assertThat(RunExecutor.isTransient(new ai.djl.engine.EngineException("shape mismatch"))).isFalse();
    }
}
