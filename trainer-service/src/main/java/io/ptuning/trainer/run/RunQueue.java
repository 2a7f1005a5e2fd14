package io.ptuning.trainer.run;

import io.ptuning.contract.JsonRecords;
import io.ptuning.contract.RecordDecodingException;
import io.ptuning.contract.RunRequest;
import io.ptuning.contract.SweepRequest;
import io.ptuning.contract.Topics;
import io.ptuning.contract.kafka.RecordTypeHeader;
import io.ptuning.trainer.admission.RunRequestCheck;
import io.ptuning.trainer.batches.DeadLetterPublisher;
import io.ptuning.trainer.config.TrainerConfig;
import io.ptuning.trainer.sweep.SweepPublisher;
import io.ptuning.trainer.sweep.SweepService;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * Takes run requests from {@code ptuning.runs} as a work queue: a member of the share group {@code ptuning-trainers}
 * (KIP-932) that holds at most one record. An idle trainer takes the next pending request whatever its key or
 * partition; a busy one polls for nothing new. The request it trains is held under its acquisition lock, renewed
 * (KIP-1222 {@code RENEW}) while the run trains, and acknowledged {@code ACCEPT} when the run ends (completed, failed,
 * cancelled, or taken over by another trainer), {@code RELEASE} when this trainer stops mid-run, so another takes it
 * at once and resumes it from its committed state. A trainer that dies stops renewing: the lock lapses and the broker
 * delivers the request again. A request delivered more than {@code trainer.run-queue.max-deliveries} times is not
 * trained again but dead-lettered with its delivery count. The topic carries other records too, told apart by their
 * {@code ptuning.record} header: a sweep request is expanded into runs here; run controls and accepted sweeps are
 * accepted and left to their readers. A run request that fails {@link RunRequestCheck} goes to
 * {@code ptuning.runs.dlq} with every problem, and the next request is taken.
 */
@ApplicationScoped
public class RunQueue {

    private static final Logger LOG = Logger.getLogger(RunQueue.class);
    private static final Duration POLL = Duration.ofSeconds(1);
    /** Used until the broker says how long its locks last. */
    private static final Duration FIRST_RENEWAL = Duration.ofSeconds(5);
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);

    @Inject
    RunService runs;

    @Inject
    DeadLetterPublisher deadLetters;

    @Inject
    TrainerComponents components;

    @Inject
    SweepService sweeps;

    @Inject
    TrainerConfig config;

    private volatile boolean stopping;
    /**
     * The last record whose run this queue ended, and how: the client may hand a record whose lock it renewed back
     * from a poll or two after it was acknowledged (KAFKA-20458), and that is no new delivery.
     */
    private Settled settled;

    private record Settled(int partition, long offset, short deliveryCount, AcknowledgeType how) {

        boolean same(ConsumerRecord<?, ?> record) {
            return record.partition() == partition && record.offset() == offset
                    && record.deliveryCount().orElse((short) 1) == deliveryCount;
        }
    }
    private volatile KafkaShareConsumer<String, byte[]> consumer;
    private Thread thread;
    /** Runs train here, so that the queue's thread is free to renew the lock of the request they came from. */
    private final ExecutorService trainer = Executors.newSingleThreadExecutor(r -> new Thread(r, "run"));

    /** After the topics exist ({@code TrainerComponents.createTopics}). */
    void start(@Observes StartupEvent started) {
        configureGroup();
        consumer = components.clients().shareConsumer(config.runQueue().group());
        consumer.subscribe(List.of(Topics.RUNS));
        thread = new Thread(this::takeRequests, "run-queue");
        thread.start();
    }

    /**
     * After {@code RunService} has told its run to stop between steps: waits until the queue released the run's
     * request (and left the group), so that another trainer takes it before this process is gone.
     */
    void stop(@Observes @Priority(Interceptor.Priority.APPLICATION + 600) ShutdownEvent shutdown) throws InterruptedException {
        stopping = true;
        if (thread != null) {
            thread.join(STOP_WAIT.toMillis());
        }
        trainer.shutdownNow();
    }

    /**
     * The group's settings the queue depends on: requests written before the first trainer joined are delivered
     * ({@code earliest}); requests of aborted transactions (a sweep's) never are ({@code read_committed}); and the
     * broker stops delivering a request one delivery after the trainer dead-letters it. The lock duration is the
     * broker's {@code group.share.record.lock.duration.ms} unless an operator sets the group's own.
     */
    private void configureGroup() {
        ConfigResource group = new ConfigResource(ConfigResource.Type.GROUP, config.runQueue().group());
        List<AlterConfigOp> settings = List.of(
                set("share.auto.offset.reset", "earliest"),
                set("share.isolation.level", "read_committed"),
                set("share.delivery.count.limit", String.valueOf(config.runQueue().maxDeliveries() + 1)));
        try (Admin admin = Admin.create(components.settings().kafka())) {
            admin.incrementalAlterConfigs(Map.of(group, settings)).all().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IllegalStateException("cannot configure the share group " + config.runQueue().group() + " ("
                    + cause.getMessage() + "): the trainer needs ALTER_CONFIGS on it (ServiceAcls.trainer)", cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while configuring the share group", e);
        }
    }

    private static AlterConfigOp set(String name, String value) {
        return new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET);
    }

    private void takeRequests() {
        try (KafkaShareConsumer<String, byte[]> queue = consumer) {
            while (!stopping) {
                for (ConsumerRecord<String, byte[]> record : queue.poll(POLL)) {
                    AcknowledgeType done = take(queue, record);
                    if (done != null) {
                        queue.acknowledge(record, done);
                    }
                }
                queue.commitSync();
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.errorf(e, "the run queue stopped: %s", e.getMessage());
        }
    }

    /** What becomes of {@code record}, or null when its acknowledgement is already settled (a held run's). */
    private AcknowledgeType take(KafkaShareConsumer<String, byte[]> queue, ConsumerRecord<String, byte[]> record) {
        if (settled != null && settled.same(record)) {
            return settled.how();
        }
        String location = RecordDecodingException.location(record.topic(), record.partition(), record.offset());
        String type = RecordTypeHeader.read(record.headers()).orElse(RunRequest.RECORD_TYPE);
        switch (type) {
            case RunRequest.RECORD_TYPE -> {
                // trained below
            }
            case SweepRequest.REQUEST_RECORD_TYPE -> {
                try {
                    sweeps.publish(JsonRecords.decode(record.value(), SweepRequest.class, location));
                } catch (RecordDecodingException | IllegalArgumentException | SweepPublisher.SweepConflictException e) {
                    LOG.warnf("sweep request at %s refused: %s", location, e.getMessage());
                    deadLetter(record, e.getMessage());
                }
                return AcknowledgeType.ACCEPT;
            }
            default -> {
                // run controls (every trainer reads them: CancelWatch), accepted sweeps (for the evaluator)
                return AcknowledgeType.ACCEPT;
            }
        }
        int deliveries = record.deliveryCount().orElse((short) 1);
        int max = config.runQueue().maxDeliveries();
        if (deliveries > max) {
            String reason = location + ": delivered " + deliveries + " times, more than trainer.run-queue.max-deliveries ("
                    + max + "): each trainer that took it stopped before its run ended";
            LOG.warnf("run request refused, sent to %s: %s", Topics.deadLetter(Topics.RUNS), reason);
            deadLetter(record, reason);
            return AcknowledgeType.ACCEPT;
        }
        RunRequestCheck.Verdict verdict = components.requestCheck().checkRecord(record.value(), record.key());
        if (verdict instanceof RunRequestCheck.Refused refused) {
            String reason = location + ": not a valid RunRequest: " + refused.reason();
            LOG.warnf("run request refused, sent to %s: %s", Topics.deadLetter(Topics.RUNS), reason);
            deadLetter(record, reason);
            return AcknowledgeType.ACCEPT;
        }
        RunRequest request = ((RunRequestCheck.Admitted) verdict).request();
        Future<RunOutcome> run = trainer.submit(() -> runs.run(request));
        ConsumerRecord<String, byte[]> held = holdWhileRunning(queue, record, run);
        RunOutcome outcome;
        try {
            outcome = run.get();
        } catch (ExecutionException e) {
            LOG.errorf(e.getCause(), "run %s ended with an error; its request is released", request.runId());
            outcome = new RunOutcome(request.runId(), RunOutcome.Result.INTERRUPTED, 0, 0, "error", 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome = new RunOutcome(request.runId(), RunOutcome.Result.INTERRUPTED, 0, 0, "interrupted", 0);
        }
        AcknowledgeType done = outcome.acknowledge() ? AcknowledgeType.ACCEPT : AcknowledgeType.RELEASE;
        if (!outcome.acknowledge()) {
            LOG.infof("run %s %s at step %d: its request is released to the other trainers", request.runId(),
                    outcome.result().name().toLowerCase(), outcome.step());
        }
        if (held == null) {
            LOG.warnf("run %s: its request's lock was lost while it trained; the broker delivers it again", request.runId());
            return null;
        }
        queue.acknowledge(held, done);
        settled = new Settled(held.partition(), held.offset(), held.deliveryCount().orElse((short) 1), done);
        return null;
    }

    /**
     * Renews the lock of {@code record} until {@code run} ends, a third of a lock's duration at a time. A renewed
     * record comes back from the next poll (and must be acknowledged again); that poll takes nothing new. Returns the
     * record as last delivered, or null if the lock could not be renewed (another trainer may hold it now).
     */
    private ConsumerRecord<String, byte[]> holdWhileRunning(KafkaShareConsumer<String, byte[]> queue,
            ConsumerRecord<String, byte[]> record, Future<RunOutcome> run) {
        ConsumerRecord<String, byte[]> held = record;
        while (true) {
            Duration lock = queue.acquisitionLockTimeoutMs().map(ms -> Duration.ofMillis(ms)).orElse(FIRST_RENEWAL.multipliedBy(3));
            Duration every = lock.dividedBy(3);
            try {
                run.get(every.toMillis(), TimeUnit.MILLISECONDS);
                return held;
            } catch (TimeoutException stillRunning) {
                // renew below
            } catch (ExecutionException | InterruptedException e) {
                return held;
            }
            if (held == null) {
                continue;
            }
            try {
                queue.acknowledge(held, AcknowledgeType.RENEW);
                // Sent and answered before polling: a poll with no record in flight would fetch (acquire) the next one.
                queue.commitSync();
                // Renewed with two thirds of the lock left: that long for the renewal's answer on a loaded machine.
                held = renewed(queue, held, lock.minus(every));
            } catch (IllegalStateException | KafkaException e) {
                LOG.warnf("cannot renew the lock of %s-%d@%d: %s", held.topic(), held.partition(), held.offset(), e.getMessage());
                held = null;
            }
        }
    }

    /** Polls until the renewed {@code record} comes back; another record that comes is released untouched. */
    private static ConsumerRecord<String, byte[]> renewed(KafkaShareConsumer<String, byte[]> queue,
            ConsumerRecord<String, byte[]> record, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            ConsumerRecord<String, byte[]> back = null;
            for (ConsumerRecord<String, byte[]> polled : queue.poll(Duration.ofMillis(200))) {
                if (polled.partition() == record.partition() && polled.offset() == record.offset()) {
                    back = polled;
                } else {
                    queue.acknowledge(polled, AcknowledgeType.RELEASE);
                }
            }
            if (back != null) {
                return back;
            }
        }
        throw new IllegalStateException("the renewed record did not come back within " + within.toMillis() + " ms");
    }

    private void deadLetter(ConsumerRecord<String, byte[]> record, String reason) {
        deadLetters.send(Topics.RUNS, record.partition(), record.offset(), record.key(), record.value(), reason, null);
    }
}
