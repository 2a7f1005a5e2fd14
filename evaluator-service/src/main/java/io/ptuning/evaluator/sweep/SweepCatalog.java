package io.ptuning.evaluator.sweep;

import io.ptuning.contract.JsonRecords;
import io.ptuning.contract.RecordDecodingException;
import io.ptuning.contract.SweepRequest;
import io.ptuning.contract.Topics;
import io.ptuning.contract.kafka.RecordTypeHeader;
import io.ptuning.evaluator.scoring.KafkaClients;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * The sweeps the trainers accepted: the {@code sweep} records of {@code ptuning.runs}, read from the beginning and
 * followed on one thread. {@code ptuning.runs} is the trainer's topic; until it exists there is no sweep.
 */
@ApplicationScoped
public class SweepCatalog {

    private static final Logger LOG = Logger.getLogger(SweepCatalog.class);
    private static final int MAX_RECORD_BYTES = 1 << 20;

    private final KafkaClients clients;
    private final Map<String, SweepRequest> sweeps = new ConcurrentSkipListMap<>();
    private volatile boolean running = true;
    private volatile KafkaConsumer<String, byte[]> consumer;

    SweepCatalog(KafkaClients clients) {
        this.clients = clients;
    }

    void start(@Observes StartupEvent started) {
        Thread thread = new Thread(this::follow, "evaluator-sweep-catalog");
        thread.setDaemon(true);
        thread.start();
    }

    /** Every accepted sweep, by id. */
    public List<SweepRequest> all() {
        return List.copyOf(sweeps.values());
    }

    public Optional<SweepRequest> get(String sweepId) {
        return Optional.ofNullable(sweeps.get(sweepId));
    }

    private void follow() {
        try (KafkaConsumer<String, byte[]> reader = clients.reader(MAX_RECORD_BYTES, "evaluator-sweep-catalog")) {
            consumer = reader;
            List<TopicPartition> partitions = List.of();
            while (running && partitions.isEmpty()) {
                partitions = reader.partitionsFor(Topics.RUNS, Duration.ofSeconds(30)).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                if (partitions.isEmpty()) {
                    Thread.sleep(1000);
                }
            }
            reader.assign(partitions);
            reader.seekToBeginning(partitions);
            while (running) {
                for (ConsumerRecord<String, byte[]> record : reader.poll(Duration.ofMillis(500))) {
                    if (RecordTypeHeader.read(record.headers()).filter(SweepRequest.RECORD_TYPE::equals).isPresent()) {
                        take(record);
                    }
                }
            }
        } catch (WakeupException | InterruptedException stop) {
            // shutting down
        } catch (RuntimeException e) {
            LOG.errorf(e, "cannot follow the sweeps on %s: the leaderboard stops updating", Topics.RUNS);
        }
    }

    private void take(ConsumerRecord<String, byte[]> record) {
        String location = RecordDecodingException.location(record.topic(), record.partition(), record.offset());
        try {
            SweepRequest sweep = JsonRecords.decode(record.value(), SweepRequest.class, location);
            sweeps.putIfAbsent(sweep.sweepId(), sweep);
        } catch (RecordDecodingException e) {
            LOG.warnf("skipping an unreadable sweep: %s", e.getMessage());
        }
    }

    void stop(@Observes ShutdownEvent shutdown) {
        running = false;
        KafkaConsumer<String, byte[]> reader = consumer;
        if (reader != null) {
            reader.wakeup();
        }
    }
}
