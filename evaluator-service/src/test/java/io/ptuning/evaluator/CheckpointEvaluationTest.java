package io.ptuning.evaluator;

import io.ptuning.kafka.embedded.EmbeddedKafkaResource;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.hamcrest.Matchers.containsString;

import ai.djl.ndarray.NDManager;
import io.cloudevents.CloudEvent;
import io.ptuning.bert.BertEncoder;
import io.ptuning.contract.BatchRecordCodec;
import io.ptuning.contract.EncodedBatch;
import io.ptuning.contract.Evaluation;
import io.ptuning.contract.MetricEvents;
import io.ptuning.contract.RunStatus;
import io.ptuning.contract.TrainStep;
import io.ptuning.contract.kafka.DeadLetterHeaders;
import io.ptuning.evaluator.history.MetricTopicsReader;
import io.ptuning.evaluator.scoring.KafkaClients;
import io.ptuning.evaluator.history.MetricTopicsReplay;
import io.ptuning.evaluator.history.RunHistories;
import io.ptuning.evaluator.history.RunHistory;
import io.ptuning.kafka.embedded.SharedKafka;
import io.ptuning.prompt.PromptConfig;
import io.ptuning.prompt.PromptTunedBert;
import io.ptuning.training.Scorer;
import io.ptuning.weights.HostTensor;
import io.ptuning.weights.SafetensorsFile;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Checkpoints in, accuracy events out, against a real broker and a (tiny, random) real model folder. */
@QuarkusTest
@QuarkusTestResource(EmbeddedKafkaResource.class)
class CheckpointEvaluationTest {

    static final String VALIDATION = "sst2.batches.validation";
    static List<EncodedBatch> split;

    @Inject
    RunHistories histories;

    @BeforeAll
    static void publishValidationSplit() {
        // An older incomplete version and a complete one by the same tokenizer: the complete one is used.
        List<EncodedBatch> partial = TinyModel.validationSplit("tiny-partial", 3, 8, 1);
        split = TinyModel.validationSplit("tiny-v1", 6, 16, 2);
        List<Map.Entry<String, byte[]>> records = new ArrayList<>();
        records.add(Map.entry("tiny-partial", BatchRecordCodec.encode(partial.get(0))));
        split.forEach(b -> records.add(Map.entry("tiny-v1", BatchRecordCodec.encode(b))));
        Topics.sendAll(VALIDATION, records);
    }

    @Test
    void aCheckpointYieldsOneAccuracyEventEqualToTheLibraryOnTheSameSplit() throws Exception {
        byte[] checkpoint = TinyModel.checkpoint("run-accuracy", 10, 3, PromptConfig.prefix(4));
        Topics.send(io.ptuning.contract.Topics.CHECKPOINTS, "run-accuracy", checkpoint);

        ConsumerRecord<String, byte[]> record = Topics.await(io.ptuning.contract.Topics.EVAL_METRICS,
                r -> "run-accuracy".equals(r.key()), Duration.ofSeconds(60));
        CloudEvent event = MetricEvents.decode(record.value(), "test");
        assertThat(event.getType()).isEqualTo(MetricEvents.EVALUATION);
        assertThat(event.getSubject()).isEqualTo("run-accuracy");
        Evaluation evaluation = MetricEvents.data(event, Evaluation.class, "test");

        // Independent: class probabilities from the library, argmax and cross-entropy counted here.
        long correct = 0;
        long examples = 0;
        double lossSum = 0;
        long[][] confusion = new long[2][2];
        try (NDManager manager = NDManager.newBaseManager()) {
            BertEncoder encoder = TinyModel.encoder(manager);
            try (PromptTunedBert model = PromptTunedBert.fromCheckpoint(encoder,
                    SafetensorsFile.decode(checkpoint, "test"), "test", manager)) {
                Scorer scorer = new Scorer(model, manager);
                for (EncodedBatch batch : split) {
                    long[] shape = {batch.batchSize(), batch.sequenceLength()};
                    float[][] p = scorer.probabilities(HostTensor.ofLongs(shape, batch.inputIds()),
                            HostTensor.ofLongs(shape, batch.attentionMask()));
                    for (int i = 0; i < p.length; i++) {
                        int predicted = p[i][1] > p[i][0] ? 1 : 0;
                        int truth = (int) batch.labels()[i];
                        correct += predicted == truth ? 1 : 0;
                        confusion[truth][predicted]++;
                        lossSum -= Math.log(p[i][truth]);
                        examples++;
                    }
                }
            }
        }
        assertThat(evaluation.examples()).isEqualTo(96).isEqualTo(examples);
        assertThat(evaluation.accuracy()).isEqualTo((double) correct / examples);
        assertThat(evaluation.loss()).isCloseTo(lossSum / examples, within(1e-4));
        assertThat(evaluation.confusionMatrix()).containsExactly(
                List.of(confusion[0][0], confusion[0][1]), List.of(confusion[1][0], confusion[1][1]));
        assertThat(evaluation.step()).isEqualTo(10);
        assertThat(evaluation.validationTopic()).isEqualTo(VALIDATION);
        assertThat(evaluation.precision()).hasSize(2);
        assertThat(evaluation.f1()).hasSize(2);
    }

    @Test
    void aCheckpointDeliveredTwiceYieldsOneEvent() throws Exception {
        byte[] checkpoint = TinyModel.checkpoint("run-twice", 5, 4, PromptConfig.prefix(4));
        Topics.send(io.ptuning.contract.Topics.CHECKPOINTS, "run-twice", checkpoint);
        Topics.send(io.ptuning.contract.Topics.CHECKPOINTS, "run-twice", checkpoint);
        // Records of a partition are handled in order: once step 6 is evaluated, both step-5 copies were seen.
        Topics.send(io.ptuning.contract.Topics.CHECKPOINTS, "run-twice", TinyModel.checkpoint("run-twice", 6, 5, PromptConfig.prefix(4)));
        Topics.await(io.ptuning.contract.Topics.EVAL_METRICS, r -> "run-twice".equals(r.key()) && step(r) == 6,
                Duration.ofSeconds(60));

        List<Long> steps = Topics.readAll(io.ptuning.contract.Topics.EVAL_METRICS).stream()
                .filter(r -> "run-twice".equals(r.key())).map(CheckpointEvaluationTest::step).toList();
        assertThat(steps).containsExactly(5L, 6L);
    }

    @Test
    void aCheckpointTrainedOnOtherBaseWeightsGoesToTheDeadLetterTopicWithTheReason() throws Exception {
        SafetensorsFile good = SafetensorsFile.decode(TinyModel.checkpoint("run-other-base", 1, 6, PromptConfig.prefix(4)), "test");
        Map<String, String> meta = new TreeMap<>(good.metadata());
        meta.put("base_model_fingerprint", "0123456789abcdef");
        Topics.send(io.ptuning.contract.Topics.CHECKPOINTS, "run-other-base", new SafetensorsFile(good.tensors(), meta).encode());

        ConsumerRecord<String, byte[]> dead = Topics.await("ptuning.checkpoints.dlq", r -> "run-other-base".equals(r.key()),
                Duration.ofSeconds(60));
        assertThat(header(dead, DeadLetterHeaders.REASON)).contains("trained on base model 0123456789abcdef");
        assertThat(header(dead, DeadLetterHeaders.TOPIC)).isEqualTo("ptuning.checkpoints");
        assertThat(header(dead, DeadLetterHeaders.PARTITION)).matches("\\d+");
        assertThat(header(dead, DeadLetterHeaders.OFFSET)).matches("\\d+");
        assertThat(histories.get("run-other-base")).isEmpty();
    }

    @Test
    void aCheckpointOfAnUnknownMethodGoesToTheDeadLetterTopicWithTheReason() throws Exception {
        SafetensorsFile good = SafetensorsFile.decode(TinyModel.checkpoint("run-method", 1, 7, PromptConfig.prefix(4)), "test");
        Map<String, String> meta = new TreeMap<>(good.metadata());
        meta.put("method", "lora");
        Topics.send(io.ptuning.contract.Topics.CHECKPOINTS, "run-method", new SafetensorsFile(good.tensors(), meta).encode());

        ConsumerRecord<String, byte[]> dead = Topics.await("ptuning.checkpoints.dlq", r -> "run-method".equals(r.key()),
                Duration.ofSeconds(60));
        assertThat(header(dead, DeadLetterHeaders.REASON)).contains("unknown method 'lora'");
    }

    @Test
    void aCheckpointOfAnUnknownBaseModelGoesToTheDeadLetterTopicWithTheReason() throws Exception {
        SafetensorsFile good = SafetensorsFile.decode(TinyModel.checkpoint("run-no-base", 1, 8, PromptConfig.prefix(4)), "test");
        Map<String, String> meta = new TreeMap<>(good.metadata());
        meta.put("base_model", "gpt-17");
        Topics.send(io.ptuning.contract.Topics.CHECKPOINTS, "run-no-base", new SafetensorsFile(good.tensors(), meta).encode());

        ConsumerRecord<String, byte[]> dead = Topics.await("ptuning.checkpoints.dlq", r -> "run-no-base".equals(r.key()),
                Duration.ofSeconds(60));
        assertThat(header(dead, DeadLetterHeaders.REASON)).contains("base model 'gpt-17' cannot be found", "no model 'gpt-17'");
    }

    @Test
    void aRestartRebuildsTheRunHistoryFromTheTopics() throws Exception {
        String run = "run-restart";
        List<Map.Entry<String, byte[]>> trainEvents = new ArrayList<>();
        trainEvents.add(Map.entry(run, MetricEvents.encode(MetricEvents.TRAINER, MetricEvents.RUN_STATUS, run, 0,
                new RunStatus(run, RunStatus.State.STARTED, 0, 4, null))));
        for (int s = 1; s <= 4; s++) {
            trainEvents.add(Map.entry(run, MetricEvents.encode(MetricEvents.TRAINER, MetricEvents.TRAIN_STEP, run, s,
                    new TrainStep(run, s, 0, 4, 1.0 / s, 1e-2, 0.5, 100))));
        }
        Topics.sendAll(io.ptuning.contract.Topics.TRAIN_METRICS, trainEvents);
        Topics.send(io.ptuning.contract.Topics.CHECKPOINTS, run, TinyModel.checkpoint(run, 2, 9, PromptConfig.prefix(4)));
        Topics.send(io.ptuning.contract.Topics.CHECKPOINTS, run, TinyModel.checkpoint(run, 4, 10, PromptConfig.prefix(4)));
        Topics.await(io.ptuning.contract.Topics.EVAL_METRICS, r -> run.equals(r.key()) && step(r) == 4, Duration.ofSeconds(60));
        awaitTrainSteps(histories, run, 4);

        // A new evaluator process starts with nothing but the topics.
        RunHistories rebuilt = new RunHistories(2000);
        try (MetricTopicsReader reader = new MetricTopicsReader(KafkaClients.of(SharedKafka.bootstrapServers()), MetricTopicsReplay.TOPICS, rebuilt)) {
            reader.catchUp(Duration.ofSeconds(30));
        }
        RunHistory before = histories.get(run).orElseThrow();
        RunHistory after = rebuilt.get(run).orElseThrow();
        assertThat(after.evaluations()).extracting(Evaluation::step).containsExactly(2L, 4L);
        assertThat(after.evaluations()).isEqualTo(before.evaluations());
        assertThat(after.trainSteps()).extracting(TrainStep::loss).containsExactly(1.0, 0.5, 1.0 / 3, 0.25);
        assertThat(after.status().orElseThrow().state()).isEqualTo(RunStatus.State.STARTED);
        assertThat(after.best()).isEqualTo(before.best());
        // ... so the same checkpoint delivered again after the restart is recognised as done.
        assertThat(rebuilt.hasEvaluation(run, 2)).isTrue();

        given().get("/api/runs/" + run).then().statusCode(200)
                .body(containsString("\"run_id\":\"run-restart\""));
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("ptuning_eval_accuracy{run=\"run-restart\""));
    }

    private static void awaitTrainSteps(RunHistories histories, String run, int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (histories.get(run).map(h -> h.trainSteps().size() >= count).orElse(false)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("train steps of " + run + " not seen by the service");
    }

    static long step(ConsumerRecord<String, byte[]> record) {
        return MetricEvents.data(MetricEvents.decode(record.value(), "test"), Evaluation.class, "test").step();
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
