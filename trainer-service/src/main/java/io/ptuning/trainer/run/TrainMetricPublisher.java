package io.ptuning.trainer.run;

import io.ptuning.contract.MetricEvents;
import io.ptuning.contract.RunStatus;
import io.ptuning.contract.Topics;
import io.ptuning.contract.TrainStep;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Training-metric CloudEvents to {@code ptuning.train-metrics}, keyed by run id. Step events are sent outside the
 * checkpoint transactions, for live dashboards: after a crash the resumed run reports the steps since its last
 * checkpoint again, with the same event ids ({@code <run>@<step>/<type>}), which consumers dedupe.
 */
public final class TrainMetricPublisher implements RunObserver {

    private final Producer<String, byte[]> producer;

    public TrainMetricPublisher(Producer<String, byte[]> producer) {
        this.producer = producer;
    }

    @Override
    public void onStep(TrainStep step, int examples) {
        producer.send(new ProducerRecord<>(Topics.TRAIN_METRICS, step.runId(),
                MetricEvents.encode(MetricEvents.TRAINER, MetricEvents.TRAIN_STEP, step.runId(), step.step(), step)));
    }

    /** Waits for the broker: a run's end is announced before its request is acknowledged. */
    @Override
    public void onStatus(RunStatus status) {
        String type = MetricEvents.RUN_STATUS + "." + status.state().name().toLowerCase();
        byte[] event = MetricEvents.encode(MetricEvents.TRAINER, MetricEvents.RUN_STATUS, status.runId(), status.step(),
                status);
        try {
            producer.send(new ProducerRecord<>(Topics.TRAIN_METRICS, status.runId(), event)).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot publish " + type + " of run " + status.runId() + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
