package io.ptuning.trainer.run;

import io.ptuning.contract.RecordDecodingException;
import io.ptuning.contract.RunRequest;
import io.ptuning.contract.Topics;
import io.ptuning.trainer.admission.RunRequestCheck;
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
 * redelivers it to the next trainer, which resumes the run from its committed state. A request that fails
 * {@link RunRequestCheck} goes to {@code ptuning.runs.dlq} with every problem, and the next request is taken.
 */
@ApplicationScoped
public class RunRequestConsumer {

    private static final Logger LOG = Logger.getLogger(RunRequestConsumer.class);

    @Inject
    RunService runs;

    @Inject
    DeadLetterPublisher deadLetters;

    @Inject
    TrainerComponents components;

    @Incoming("runs")
    @Blocking(ordered = true)
    public CompletionStage<Void> consume(Message<byte[]> message) {
        IncomingKafkaRecordMetadata<?, ?> kafka = message.getMetadata(IncomingKafkaRecordMetadata.class).orElse(null);
        String location = kafka == null ? Topics.RUNS
                : RecordDecodingException.location(kafka.getTopic(), kafka.getPartition(), kafka.getOffset());
        String key = kafka == null || kafka.getKey() == null ? null : kafka.getKey().toString();
        RunRequestCheck.Verdict verdict = components.requestCheck().checkRecord(message.getPayload(), key);
        if (verdict instanceof RunRequestCheck.Refused refused) {
            String reason = location + ": not a valid RunRequest: " + refused.reason();
            LOG.warnf("run request refused, sent to %s: %s", Topics.deadLetter(Topics.RUNS), reason);
            deadLetters.send(Topics.RUNS, kafka == null ? -1 : kafka.getPartition(), kafka == null ? -1 : kafka.getOffset(),
                    key, message.getPayload(), reason, null);
            return message.ack();
        }
        RunRequest request = ((RunRequestCheck.Admitted) verdict).request();
        RunOutcome outcome = runs.run(request);
        if (outcome.finished()) {
            return message.ack();
        }
        LOG.infof("run %s %s at step %d: its request stays unacknowledged", request.runId(),
                outcome.result().name().toLowerCase(), outcome.step());
        return CompletableFuture.completedFuture(null);
    }
}
