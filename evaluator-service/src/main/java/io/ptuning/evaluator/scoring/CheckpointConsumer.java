package io.ptuning.evaluator.scoring;

import io.ptuning.contract.Evaluation;
import io.ptuning.contract.MetricEvents;
import io.ptuning.contract.RecordDecodingException;
import io.ptuning.contract.kafka.DeadLetterHeaders;
import io.ptuning.evaluator.history.CheckpointLocation;
import io.ptuning.evaluator.history.MetricTopicsReplay;
import io.ptuning.evaluator.history.RunHistories;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * The evaluator's loop: for each {@code ptuning.checkpoints} record, score it (once per run and step) and publish
 * the evaluation to {@code ptuning.eval-metrics}, keyed by run id; a checkpoint that cannot be scored goes to
 * {@code ptuning.checkpoints.dlq} with the reason in the {@link DeadLetterHeaders}. Records are handled one
 * at a time, in order, and acknowledged only after the event or dead letter is written.
 */
@ApplicationScoped
public class CheckpointConsumer {

    private static final Logger LOG = Logger.getLogger(CheckpointConsumer.class);

    private final CheckpointScorer scorer;
    private final RunHistories histories;
    private final MetricTopicsReplay replay;
    private final MutinyEmitter<byte[]> evaluations;
    private final MutinyEmitter<byte[]> deadLetters;

    CheckpointConsumer(CheckpointScorer scorer, RunHistories histories, MetricTopicsReplay replay,
            @Channel("eval-metrics") MutinyEmitter<byte[]> evaluations,
            @Channel("checkpoints-dlq") MutinyEmitter<byte[]> deadLetters) {
        this.scorer = scorer;
        this.histories = histories;
        this.replay = replay;
        this.evaluations = evaluations;
        this.deadLetters = deadLetters;
    }

    @Incoming("checkpoints")
    @Blocking(ordered = true)
    public void consume(ConsumerRecord<String, byte[]> record) {
        long received = System.nanoTime();
        replay.awaitReady();
        String location = RecordDecodingException.location(record.topic(), record.partition(), record.offset());
        Checkpoint checkpoint;
        try {
            checkpoint = Checkpoint.decode(record.value(), location);
        } catch (CheckpointRejected e) {
            deadLetter(record, e.getMessage());
            return;
        }
        String runId = checkpoint.metadata().runId();
        long step = checkpoint.metadata().step();
        if (histories.hasEvaluation(runId, step)) {
            LOG.infof("%s: run %s step %d is already evaluated; skipping the duplicate", location, runId, step);
            return;
        }
        Evaluation evaluation;
        try {
            evaluation = scorer.score(checkpoint, received);
        } catch (CheckpointRejected e) {
            deadLetter(record, e.getMessage());
            return;
        } catch (RuntimeException e) {
            LOG.errorf(e, "%s: scoring failed", location);
            deadLetter(record, "scoring failed: " + e);
            return;
        }
        byte[] event = MetricEvents.encode(MetricEvents.EVALUATOR, MetricEvents.EVALUATION, runId, step, evaluation);
        evaluations.sendMessageAndAwait(Message.of(event)
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(runId).build()));
        histories.rememberCheckpoint(runId, step, new CheckpointLocation(record.topic(), record.partition(), record.offset()));
        histories.addEvaluation(evaluation);
        LOG.infof("%s: run %s step %d accuracy %.4f loss %.4f on %d examples in %.2f s", location, runId, step,
                evaluation.accuracy(), evaluation.loss(), evaluation.examples(), evaluation.seconds());
    }

    private void deadLetter(ConsumerRecord<String, byte[]> record, String reason) {
        LOG.warnf("dead-lettering %s: %s", RecordDecodingException.location(record.topic(), record.partition(),
                record.offset()), reason);
        Headers headers = DeadLetterHeaders.add(new RecordHeaders(record.headers().toArray()), reason, record.topic(),
                record.partition(), record.offset(), null);
        OutgoingKafkaRecordMetadata.OutgoingKafkaRecordMetadataBuilder<String> metadata =
                OutgoingKafkaRecordMetadata.<String>builder().withHeaders(headers);
        if (record.key() != null) {
            metadata = metadata.withKey(record.key());
        }
        byte[] value = record.value() == null ? new byte[0] : record.value();
        deadLetters.sendMessageAndAwait(Message.of(value).addMetadata(metadata.build()));
    }
}
