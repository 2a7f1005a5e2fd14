package io.ptuning.evaluator.history;

import io.ptuning.evaluator.scoring.KafkaClients;
import io.ptuning.contract.Topics;
import io.ptuning.evaluator.config.EvaluatorConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * Rebuilds the run histories from the metric topics when the service starts, then follows them live on one
 * thread. Checkpoints are scored only once the replay has caught up ({@link #awaitReady}), so a checkpoint
 * delivered again after a restart finds its evaluation and is skipped.
 */
@ApplicationScoped
public class MetricTopicsReplay {

    private static final Logger LOG = Logger.getLogger(MetricTopicsReplay.class);
    public static final List<String> TOPICS = List.of(Topics.TRAIN_METRICS, Topics.EVAL_METRICS);

    private final RunHistories histories;
    private final KafkaClients clients;
    private final EvaluatorConfig config;
    private final CountDownLatch ready = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile MetricTopicsReader reader;
    private volatile Throwable failure;
    private Thread thread;

    MetricTopicsReplay(RunHistories histories, EvaluatorConfig config, KafkaClients clients) {
        this.histories = histories;
        this.config = config;
        this.clients = clients;
    }

    void start(@Observes StartupEvent event) {
        createMissingTopics();
        thread = new Thread(this::follow, "evaluator-metric-replay");
        thread.setDaemon(true);
        thread.start();
    }

    private void follow() {
        try (MetricTopicsReader r = new MetricTopicsReader(clients, TOPICS, histories)) {
            reader = r;
            long start = System.nanoTime();
            long events = r.catchUp(config.replayTimeout());
            LOG.infof("rebuilt %d runs from %d metric events in %.2f s", histories.all().size(), events,
                    (System.nanoTime() - start) / 1e9);
            ready.countDown();
            while (running) {
                r.poll(Duration.ofMillis(500));
            }
        } catch (WakeupException e) {
            // shutting down
        } catch (RuntimeException e) {
            failure = e;
            LOG.errorf(e, "cannot read the metric topics back; checkpoints will not be scored");
        }
    }

    /** Blocks until the history holds everything the metric topics held at start. */
    public void awaitReady() {
        try {
            if (!ready.await(config.replayTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS) || failure != null) {
                throw new IllegalStateException("run history is not rebuilt from " + TOPICS
                        + (failure == null ? " yet" : ": " + failure.getMessage()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the run history", e);
        }
    }

    public boolean isReady() {
        return ready.getCount() == 0 && failure == null;
    }

    private void createMissingTopics() {
        try (Admin admin = clients.admin()) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            for (String topic : List.of(Topics.TRAIN_METRICS, Topics.EVAL_METRICS, Topics.deadLetter(Topics.CHECKPOINTS))) {
                if (!existing.contains(topic)) {
                    NewTopic newTopic = new NewTopic(topic, 1, config.replicationFactor())
                            .configs(Map.of("max.message.bytes", Integer.toString(config.maxMessageBytes())));
                    try {
                        admin.createTopics(List.of(newTopic)).all().get(30, TimeUnit.SECONDS);
                        LOG.infof("created topic %s", topic);
                    } catch (java.util.concurrent.ExecutionException e) {
                        if (!(e.getCause() instanceof TopicExistsException)) {
                            throw new IllegalStateException("cannot create topic " + topic + ": " + e.getCause().getMessage(), e);
                        }
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot reach Kafka at " + clients.bootstrapServers() + " to check topics: " + e.getMessage(), e);
        }
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        MetricTopicsReader r = reader;
        if (r != null) {
            r.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
