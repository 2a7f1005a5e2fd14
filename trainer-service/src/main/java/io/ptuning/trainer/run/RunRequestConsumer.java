package io.ptuning.trainer.run;

import io.ptuning.contract.JsonRecords;
import io.ptuning.contract.RecordDecodingException;
import io.ptuning.contract.RunRequest;
import io.ptuning.contract.SweepRequest;
import io.ptuning.contract.Topics;
import io.ptuning.contract.kafka.RecordTypeHeader;
import io.ptuning.trainer.admission.RunRequestCheck;
import io.ptuning.trainer.batches.DeadLetterPublisher;
import io.ptuning.trainer.sweep.SweepPublisher;
import io.ptuning.trainer.sweep.SweepService;
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
 * redelivers it to the next trainer, which resumes the run from its committed state. The topic carries other records
 * too, told apart by their {@code ptuning.record} header: a sweep request is expanded into runs here; run controls and
 * accepted sweeps are acknowledged and left to their readers. A run request that fails {@link RunRequestCheck} goes to
 * {@code ptuning.runs.dlq} with every problem, and the next request is taken.
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

    @Inject
    SweepService sweeps;

    @Incoming("runs")
    @Blocking(ordered = true)
    public CompletionStage<Void> consume(Message<byte[]> message) {
        IncomingKafkaRecordMetadata<?, ?> kafka = message.getMetadata(IncomingKafkaRecordMetadata.class).orElse(null);
        String location = kafka == null ? Topics.RUNS
                : RecordDecodingException.location(kafka.getTopic(), kafka.getPartition(), kafka.getOffset());
        String type = kafka == null ? RunRequest.RECORD_TYPE
                : RecordTypeHeader.read(kafka.getHeaders()).orElse(RunRequest.RECORD_TYPE);
        switch (type) {
            case RunRequest.RECORD_TYPE -> {
                // trained below
            }
            case SweepRequest.REQUEST_RECORD_TYPE -> {
                try {
                    sweeps.publish(JsonRecords.decode(message.getPayload(), SweepRequest.class, location));
                } catch (RecordDecodingException | IllegalArgumentException | SweepPublisher.SweepConflictException e) {
                    LOG.warnf("sweep request at %s refused: %s", location, e.getMessage());
                    deadLetters.send(Topics.RUNS, kafka.getPartition(), kafka.getOffset(),
                            kafka.getKey() == null ? null : kafka.getKey().toString(), message.getPayload(),
                            e.getMessage(), null);
                }
                return message.ack();
            }
            default -> {
                // run controls (every trainer reads them: CancelWatch), accepted sweeps (for the evaluator)
                return message.ack();
            }
        }
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
        if (outcome.acknowledge()) {
            return message.ack();
        }
        LOG.infof("run %s %s at step %d: its request stays unacknowledged", request.runId(),
                outcome.result().name().toLowerCase(), outcome.step());
        return CompletableFuture.completedFuture(null);
    }
}
