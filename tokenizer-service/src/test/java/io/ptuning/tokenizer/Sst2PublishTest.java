package io.ptuning.tokenizer;

import io.ptuning.kafka.embedded.CommittedRecords;
import io.ptuning.kafka.embedded.EmbeddedKafkaResource;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.ptuning.contract.BatchRecordCodec;
import io.ptuning.contract.EncodedBatch;
import io.ptuning.contract.Split;
import io.ptuning.kafka.embedded.SharedKafka;
import io.ptuning.tokenizer.dataset.InvalidRowException;
import io.ptuning.tokenizer.publish.DatasetSource;
import io.ptuning.tokenizer.publish.PublishReport;
import io.ptuning.tokenizer.publish.PublishService;
import io.ptuning.weights.tokenizer.BertTokenizer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The tokenizer-service against a real broker and the real SST-2 files and tokenizer. */
@QuarkusTest
@QuarkusTestResource(EmbeddedKafkaResource.class)
class Sst2PublishTest {

    private static final Path SST2 = Path.of(System.getProperty("sst2.dir"));

    @Inject
    PublishService service;

    @Test
    void theWholeTrainSplitIsPublishedOnceWithFileLabelsAndTokenizerIds() throws IOException {
        PublishReport report = publishOverRest("train");
        assertThat(report.rows()).isEqualTo(67_349);

        List<EncodedBatch> batches = decodeVersion("sst2.batches.train", report.datasetVersion());
        assertThat(batches).hasSize(report.batches());
        assertEveryRowOnceAsInTheFile(batches, SST2.resolve("train.tsv"));
    }

    @Test
    void theDevSplitIsPublishedAsValidation() throws IOException {
        PublishReport report = publishOverRest("validation");
        assertThat(report.topic()).isEqualTo("sst2.batches.validation");
        assertThat(report.rows()).isEqualTo(872);

        List<EncodedBatch> batches = decodeVersion("sst2.batches.validation", report.datasetVersion());
        assertThat(batches).allSatisfy(b -> assertThat(b.metadata().split()).isEqualTo(Split.VALIDATION));
        assertEveryRowOnceAsInTheFile(batches, SST2.resolve("dev.tsv"));
    }

    @Test
    void theUnlabeledTestSplitIsPublishedWithLabelMinusOne() {
        PublishReport report = service.publish(Split.TEST);
        assertThat(report.rows()).isEqualTo(1_821);

        List<EncodedBatch> batches = decodeVersion("sst2.batches.test", report.datasetVersion());
        assertThat(batches.stream().flatMapToLong(b -> java.util.Arrays.stream(b.labels())).distinct().toArray())
                .containsExactly(-1);
        assertThat(batches.stream().mapToInt(EncodedBatch::batchSize).sum()).isEqualTo(1_821);
    }

    @Test
    void paddingOnTrainWithBatch32StaysBelowFifteenPercent() {
        PublishReport report = service.publish(Split.TRAIN);
        List<EncodedBatch> batches = decodeVersion("sst2.batches.train", report.datasetVersion());
        long pads = batches.stream().mapToLong(EncodedBatch::paddingTokens).sum();
        long all = batches.stream().mapToLong(EncodedBatch::totalTokens).sum();
        double measured = (double) pads / all;
        System.out.printf("SST-2 train, batch 32: padding ratio %.4f (%d pad of %d positions), %d batches,"
                + " mean length %.2f, longest batch %d%n", measured, pads, all, batches.size(), report.meanLength(),
                report.maxLength());

        assertThat(batches).allSatisfy(b -> assertThat(b.batchSize()).isLessThanOrEqualTo(32));
        assertThat(measured).isEqualTo(report.paddingRatio()).isLessThan(0.15);
    }

    @Test
    void aBadLineStopsThePublishNamingTheRowAndPublishesNothing(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(SST2.resolve("dev.tsv")));
        int badLine = 500; // 1-based line number in the file, header = line 1
        lines.set(badLine - 1, "a sentence whose label is missing its tab 1");
        Path file = dir.resolve("train.tsv");
        Files.write(file, lines);

        assertThatThrownBy(() -> service.publish(new DatasetSource("badrow", Split.TRAIN, file)))
                .isInstanceOfSatisfying(InvalidRowException.class, e -> {
                    assertThat(e.lineNumber()).isEqualTo(badLine);
                    assertThat(e.reason()).contains("missing tab");
                })
                .hasMessageContaining(file + " line 500");
        assertThat(CommittedRecords.read(SharedKafka.bootstrapServers(), "badrow.batches.train", null)).isEmpty();
    }

    @Test
    void republishingTheSameVersionAddsNothingAndAChangedFileIsANewVersion(@org.junit.jupiter.api.io.TempDir Path dir)
            throws IOException {
        List<String> lines = Files.readAllLines(SST2.resolve("dev.tsv")).subList(0, 201);
        Path file = dir.resolve("train.tsv");
        Files.write(file, lines);
        DatasetSource source = new DatasetSource("idem", Split.TRAIN, file);

        PublishReport first = service.publish(source);
        PublishReport again = service.publish(source);
        int recordsAfterTwo = CommittedRecords.read(SharedKafka.bootstrapServers(), "idem.batches.train", null).size();

        assertThat(first.status()).isEqualTo(PublishReport.Status.PUBLISHED);
        assertThat(again.status()).isEqualTo(PublishReport.Status.ALREADY_PUBLISHED);
        assertThat(again.datasetVersion()).isEqualTo(first.datasetVersion());
        assertThat(recordsAfterTwo).isEqualTo(first.batches()).isEqualTo(7); // 200 rows / 32

        List<String> changed = new ArrayList<>(lines);
        changed.set(1, "a changed first sentence \t1");
        Files.write(file, changed);
        PublishReport third = service.publish(source);

        assertThat(third.status()).isEqualTo(PublishReport.Status.PUBLISHED);
        assertThat(third.datasetVersion()).isNotEqualTo(first.datasetVersion());
        Map<String, Integer> perVersion = new HashMap<>();
        committed("idem.batches.train", third.datasetVersion());
        CommittedRecords.read(SharedKafka.bootstrapServers(), "idem.batches.train", null)
                .forEach(r -> perVersion.merge(r.key(), 1, Integer::sum));
        assertThat(perVersion).containsOnly(Map.entry(first.datasetVersion(), 7), Map.entry(third.datasetVersion(), 7));
    }

    @Test
    void aRecordIsReadableWithoutProjectCode(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        List<String> lines = Files.readAllLines(SST2.resolve("dev.tsv")).subList(0, 41);
        Path file = dir.resolve("train.tsv");
        Files.write(file, lines);
        PublishReport report = service.publish(new DatasetSource("plain", Split.TRAIN, file));
        ConsumerRecord<String, byte[]> record = committed("plain.batches.train", report.datasetVersion()).get(0);

        PlainSafetensors plain = PlainSafetensors.parse(record.value());
        EncodedBatch decoded = BatchRecordCodec.decode(record.value(), record.topic(), record.partition(), record.offset());

        assertThat(plain.metadata()).containsEntry("dataset_version", record.key()).containsEntry("split", "train")
                .containsEntry("schema_version", "1");
        assertThat(plain.shape("input_ids")).containsExactly(decoded.batchSize(), decoded.sequenceLength());
        assertThat(plain.int64("input_ids")).containsExactly(decoded.inputIds());
        assertThat(plain.int64("attention_mask")).containsExactly(decoded.attentionMask());
        assertThat(plain.int64("labels")).containsExactly(decoded.labels());
        assertThat(plain.int64("example_ids")).containsExactly(decoded.exampleIds());
    }

    @Test
    void healthAndMetricsAreServed() {
        service.publish(Split.VALIDATION);
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("tokenizer_rows_published"))
                .body(containsString("tokenizer_publish_padding_ratio"));
        given().when().get("/publish/progress").then().statusCode(200).body("current", equalTo("idle"));
    }

    private static PublishReport publishOverRest(String split) {
        return given().when().post("/publish/" + split).then().statusCode(200).extract().as(PublishReport.class);
    }

    private static List<EncodedBatch> decodeVersion(String topic, String version) {
        return committed(topic, version).stream()
                .map(r -> BatchRecordCodec.decode(r.value(), r.topic(), r.partition(), r.offset()))
                .toList();
    }

    /**
     * The committed records of {@code version}. A publish returns once its commit is decided; the markers that make
     * the records visible to read_committed consumers may land a moment later, so this waits up to 10 s for them.
     */
    private static List<ConsumerRecord<String, byte[]>> committed(String topic, String version) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<ConsumerRecord<String, byte[]>> records = CommittedRecords.read(SharedKafka.bootstrapServers(), topic, version);
        while (records.isEmpty() && System.nanoTime() < deadline) {
            records = CommittedRecords.read(SharedKafka.bootstrapServers(), topic, version);
        }
        return records;
    }

    /** Reads the file with a plain split (not the service's reader) and checks ids, labels and token ids. */
    private void assertEveryRowOnceAsInTheFile(List<EncodedBatch> batches, Path tsv) throws IOException {
        List<String> lines = Files.readAllLines(tsv, StandardCharsets.UTF_8);
        List<String[]> rows = lines.subList(1, lines.size()).stream().map(l -> l.split("\t")).toList();
        BertTokenizer tokenizer = service.tokenizer();
        boolean[] seen = new boolean[rows.size()];
        for (EncodedBatch batch : batches) {
            assertThat(batch.metadata().batchCount()).isEqualTo(batches.size());
            long[] ids = batch.exampleIds();
            long[] labels = batch.labels();
            for (int r = 0; r < batch.batchSize(); r++) {
                int id = Math.toIntExact(ids[r]);
                assertThat(seen[id]).as("example id %d seen twice", id).isFalse();
                seen[id] = true;
                String[] row = rows.get(id);
                assertThat(labels[r]).as("label of example %d", id).isEqualTo(Long.parseLong(row[1].strip()));
                assertThat(batch.tokens(r)).as("ids of example %d", id).containsExactly(tokenizer.encode(row[0]));
            }
        }
        for (int i = 0; i < seen.length; i++) {
            assertThat(seen[i]).as("example id %d published", i).isTrue();
        }
    }
}
