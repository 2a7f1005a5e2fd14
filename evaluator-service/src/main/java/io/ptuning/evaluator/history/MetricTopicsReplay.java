package io.ptuning.evaluator.history;

import io.ptuning.contract.Topics;
import io.ptuning.contract.kafka.TopicCatalog;
import io.ptuning.contract.kafka.TopicCreator;
import io.ptuning.evaluator.config.EvaluatorConfig;
import io.ptuning.evaluator.scoring.KafkaClients;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
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

    /**
     * The metric topics, which the replay reads from the start, and the checkpoints' dead letters, as the
     * {@link TopicCatalog} lists them; existing ones are brought to the catalog's configs (retention above all).
     */
    private void createMissingTopics() {
        try (Admin admin = clients.admin()) {
            new TopicCreator(admin, clients.bootstrapServers(), config.replicationFactor()).ensure(List.of(
                    TopicCatalog.trainMetrics(), TopicCatalog.evalMetrics(), TopicCatalog.deadLetter(Topics.CHECKPOINTS)));
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
