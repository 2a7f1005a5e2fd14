package io.ptuning.trainer.run;

import io.ptuning.contract.JsonRecords;
import io.ptuning.contract.RecordDecodingException;
import io.ptuning.contract.RunRequest;
import io.ptuning.contract.Topics;
import io.ptuning.trainer.batches.DeadLetterPublisher;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Takes run requests from {@code ptuning.runs} as a member of the consumer group {@code ptuning-trainers}: each
 * request goes to one trainer, so more pods take more runs. A request is acknowledged (its offset committed) only
 * once its run completed or failed; a trainer killed or stopped mid-run leaves it unacknowledged, and the group
 * redelivers it to the next trainer, which resumes the run from its committed state.
 */
@ApplicationScoped
public class RunRequestConsumer {

    private static final Logger LOG = Logger.getLogger(RunRequestConsumer.class);

    @Inject
    RunService runs;

    @Inject
    DeadLetterPublisher deadLetters;

    @Incoming("runs")
    @Blocking(ordered = true)
    public CompletionStage<Void> consume(Message<byte[]> message) {
        IncomingKafkaRecordMetadata<?, ?> kafka = message.getMetadata(IncomingKafkaRecordMetadata.class).orElse(null);
        String location = kafka == null ? Topics.RUNS
                : RecordDecodingException.location(kafka.getTopic(), kafka.getPartition(), kafka.getOffset());
        RunRequest request;
        try {
            request = JsonRecords.decode(message.getPayload(), RunRequest.class, location);
        } catch (RecordDecodingException e) {
            LOG.warnf("undecodable run request: %s", e.getMessage());
            deadLetters.send(Topics.RUNS, kafka == null ? -1 : kafka.getPartition(), kafka == null ? -1 : kafka.getOffset(),
                    kafka == null || kafka.getKey() == null ? null : kafka.getKey().toString(), message.getPayload(),
                    e.getMessage(), null);
            return message.ack();
        }
        RunOutcome outcome = runs.run(request);
        if (outcome.finished()) {
            return message.ack();
        }
        LOG.infof("run %s %s at step %d: its request stays unacknowledged", request.runId(),
                outcome.result().name().toLowerCase(), outcome.step());
        return CompletableFuture.completedFuture(null);
    }
}
