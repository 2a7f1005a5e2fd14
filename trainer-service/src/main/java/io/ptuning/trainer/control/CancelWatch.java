package io.ptuning.trainer.control;

import io.ptuning.contract.JsonRecords;
import io.ptuning.contract.RecordDecodingException;
import io.ptuning.contract.RunControl;
import io.ptuning.contract.Topics;
import io.ptuning.contract.kafka.RecordTypeHeader;
import io.ptuning.trainer.run.TrainerComponents;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * Every trainer reads every {@link RunControl} on {@code ptuning.runs}, from the beginning and outside the consumer
 * group: the trainer that trains a cancelled run is the one that must see it, whichever partition the control landed
 * on, and a run cancelled before any trainer took it is cancelled when one does.
 */
@ApplicationScoped
public class CancelWatch {

    private static final Logger LOG = Logger.getLogger(CancelWatch.class);
    private static final Duration POLL = Duration.ofMillis(100);

    @Inject
    TrainerComponents components;

    private final List<RunControl> controls = new CopyOnWriteArrayList<>();
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean stopping;
    private Thread thread;

    void start(@Observes StartupEvent started) {
        consumer = components.clients().readCommittedConsumer();
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.RUNS, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        thread = new Thread(this::watch, "cancel-watch");
        thread.setDaemon(true);
        thread.start();
    }

    /** The control that cancels {@code runId}, if one was sent. */
    public Optional<RunControl> cancellation(String runId) {
        return controls.stream().filter(control -> control.appliesTo(runId)).findFirst();
    }

    private void watch() {
        try {
            while (!stopping) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    if (RecordTypeHeader.read(record.headers()).filter(RunControl.RECORD_TYPE::equals).isPresent()) {
                        take(record);
                    }
                }
            }
        } catch (WakeupException stop) {
            // shutting down
        } catch (RuntimeException e) {
            LOG.errorf(e, "the watch for cancelled runs stopped: cancels are not seen until this trainer restarts");
        } finally {
            consumer.close();
        }
    }

    private void take(ConsumerRecord<String, byte[]> record) {
        String location = RecordDecodingException.location(record.topic(), record.partition(), record.offset());
        try {
            RunControl control = JsonRecords.decode(record.value(), RunControl.class, location);
            controls.add(control);
            LOG.infof("%s %s: %s", control.runId() != null ? "run" : "sweep", control.key(), control.reason());
        } catch (RecordDecodingException e) {
            LOG.warnf("ignoring an undecodable run control: %s", e.getMessage());
        }
    }

    void stop(@Observes ShutdownEvent shutdown) {
        stopping = true;
        KafkaConsumer<String, byte[]> watching = consumer;
        if (watching != null) {
            watching.wakeup();
        }
    }
}
