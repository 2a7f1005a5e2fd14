package io.ptuning.trainer.checkpoint;

import io.ptuning.contract.Topics;
import io.ptuning.contract.kafka.RecordTypeHeader;
import java.time.Duration;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;

/**
 * One run's checkpoints and state, each pair in ONE Kafka transaction: a read_committed reader sees a checkpoint
 * exactly when the state to resume after it is there too. Nothing is open between checkpoints, so a trainer killed
 * while training loses only the uncommitted steps, which the resumed run takes again identically.
 */
public final class CheckpointPublisher implements AutoCloseable {

    private final Producer<String, byte[]> producer;
    private final String runId;
    private final String stateTopic;

    /**
     * Starts the run's transactional producer, fencing any earlier trainer of the same run. If that fails (the broker
     * away for longer than {@code max.block.ms}), the producer is closed at once before the failure is thrown: its
     * request for the run's producer id would otherwise stay queued, and once the broker is back it could be answered
     * after the retry's own, fencing the producer that is training the run (README "The broker goes away").
     */
    public CheckpointPublisher(Producer<String, byte[]> producer, String runId, String stateTopic) {
        this.producer = producer;
        this.runId = runId;
        this.stateTopic = stateTopic;
        try {
            producer.initTransactions();
        } catch (RuntimeException e) {
            try {
                producer.close(Duration.ZERO);
            } catch (RuntimeException closeFailed) {
                e.addSuppressed(closeFailed);
            }
            throw e;
        }
    }

    /** Commits {@code state} and, unless null, the checkpoint record value, atomically. */
    public void commit(RunState state, byte[] checkpoint) {
        try {
            producer.beginTransaction();
            if (checkpoint != null) {
                ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.CHECKPOINTS, runId, checkpoint);
                record.headers().add(RecordTypeHeader.of("checkpoint"));
                producer.send(record);
            }
            producer.send(new ProducerRecord<>(stateTopic, runId, state.encode()));
            producer.commitTransaction();
        } catch (KafkaException e) {
            if (fenced(e)) {
                throw new RunTakenOverException("run " + runId + " was taken over by another trainer (producer fenced"
                        + " at step " + state.step() + "); this trainer stops it without committing", e);
            }
            try {
                producer.abortTransaction();
            } catch (KafkaException abortFailed) {
                e.addSuppressed(abortFailed);
            }
            throw new IllegalStateException("committing step " + state.step() + " of run " + runId
                    + " failed and was rolled back: " + e.getMessage(), e);
        }
    }

    /**
     * Another producer with this run's transactional id ran {@code initTransactions()}: Kafka says so with
     * {@link ProducerFencedException}, or, once the broker bumped the epoch, {@link InvalidProducerEpochException},
     * possibly wrapped by the commit that met it.
     */
    static boolean fenced(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof ProducerFencedException || cause instanceof InvalidProducerEpochException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        producer.close();
    }

    /** Another trainer now owns the run: this one must stop without touching it. */
    public static final class RunTakenOverException extends RuntimeException {
        public RunTakenOverException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
