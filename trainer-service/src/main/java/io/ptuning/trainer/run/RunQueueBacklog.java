package io.ptuning.trainer.run;

import io.micrometer.core.instrument.MeterRegistry;
import io.ptuning.trainer.config.TrainerConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * The gauge {@code trainer.run.queue.backlog}: records of {@code ptuning.runs} the run queue's share group has not
 * finished with, waiting or being trained, summed over the partitions from the broker's share-partition lag
 * (KIP-1226, {@code Admin.listShareGroupOffsets}). Every trainer reports the same group-wide number; KEDA scales the
 * trainers on it through Prometheus, as its Kafka scaler reads consumer groups only. -1 until the broker answers.
 */
@ApplicationScoped
public class RunQueueBacklog {

    private static final Logger LOG = Logger.getLogger(RunQueueBacklog.class);
    private static final Duration EVERY = Duration.ofSeconds(15);

    @Inject
    TrainerComponents components;

    @Inject
    TrainerConfig config;

    @Inject
    MeterRegistry registry;

    private final AtomicLong backlog = new AtomicLong(-1);
    private final ScheduledExecutorService schedule = Executors.newSingleThreadScheduledExecutor(
            r -> new Thread(r, "run-queue-backlog"));
    private Admin admin;

    void start(@Observes StartupEvent started) {
        registry.gauge("trainer.run.queue.backlog", backlog);
        admin = Admin.create(components.settings().kafka());
        schedule.scheduleWithFixedDelay(this::measure, 0, EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent shutdown) {
        schedule.shutdownNow();
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
    }

    private void measure() {
        String group = config.runQueue().group();
        try {
            Map<TopicPartition, SharePartitionOffsetInfo> partitions = admin
                    .listShareGroupOffsets(Map.of(group, new ListShareGroupOffsetsSpec()))
                    .partitionsToOffsetInfo(group).get(10, TimeUnit.SECONDS);
            backlog.set(partitions.values().stream().mapToLong(p -> p.lag().orElse(0L)).sum());
        } catch (ExecutionException | TimeoutException e) {
            LOG.debugf("cannot read the backlog of the share group %s: %s", group, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
