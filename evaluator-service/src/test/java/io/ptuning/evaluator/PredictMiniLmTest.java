package io.ptuning.evaluator;

import io.ptuning.kafka.embedded.EmbeddedKafkaResource;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import ai.djl.ndarray.NDManager;
import io.ptuning.bert.BertEncoder;
import io.ptuning.bert.BertWeights;
import io.ptuning.bert.MatmulPrecision;
import io.ptuning.contract.BatchRecordCodec;
import io.ptuning.contract.CheckpointMetadata;
import io.ptuning.contract.EncodedBatch;
import io.ptuning.contract.Evaluation;
import io.ptuning.contract.MetricEvents;
import io.ptuning.prompt.PromptTunedBert;
import io.ptuning.training.PromptTrainer;
import io.ptuning.training.TrainingBatch;
import io.ptuning.training.TrainingLoop;
import io.ptuning.training.TuningRecipe;
import io.ptuning.weights.ModelFolder;
import io.ptuning.weights.cache.ModelArtifact;
import io.ptuning.weights.cache.ModelCache;
import io.ptuning.weights.tokenizer.BertTokenizer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** /api/predict with a real MiniLM prefix, trained here for a short budget on SST-2 and scored by the service. */
@QuarkusTest
@QuarkusTestResource(EmbeddedKafkaResource.class)
class PredictMiniLmTest {

    static final String RUN = "minilm-predict";
    static final int STEPS = 100;

    @Test
    void predictWithATrainedMiniLmPrefixLabelsAnObviousPositiveAndAnObviousNegative() throws Exception {
        ModelFolder folder = ModelCache.configured().resolve(ModelArtifact.ALL_MINILM_L6_V2);
        byte[] checkpoint;
        String tokenizerFingerprint;
        try (BertTokenizer tokenizer = BertTokenizer.load(folder.path(), 128); NDManager manager = NDManager.newBaseManager()) {
            tokenizerFingerprint = tokenizer.fingerprint();
            List<EncodedBatch> dev = Sst2.batches(Sst2.rows("dev.tsv", tokenizer), 32, "minilm-dev", tokenizerFingerprint);
            Topics.sendAll("sst2.batches.validation", dev.stream()
                    .map(b -> Map.entry("minilm-dev", BatchRecordCodec.encode(b))).toList());

            List<TrainingBatch> train = Sst2.trainingBatches(tokenizer, STEPS * 32, 7);
            BertEncoder encoder = new BertEncoder(BertWeights.load(folder.path(), manager));
            TuningRecipe recipe = TuningRecipe.preset("ptv2");
            TrainingLoop loop = new TrainingLoop(train, recipe.training().withEpochs(1), STEPS, 0);
            try (PromptTunedBert model = PromptTunedBert.initialize(encoder, recipe.prompt(), 42, manager);
                    PromptTrainer trainer = new PromptTrainer(model, recipe.training(), loop.totalSteps(), manager)) {
                loop.run(trainer, new TrainingLoop.Listener() {
                    @Override
                    public void onStep(PromptTrainer.StepResult result, int epoch, int batchSize) {
                    }

                    @Override
                    public void onCheckpoint(long stepsDone, int epoch, boolean last) {
                    }
                });
                CheckpointMetadata meta = new CheckpointMetadata(CheckpointMetadata.SCHEMA_VERSION, RUN, STEPS, 0, STEPS,
                        true, ModelArtifact.ALL_MINILM_L6_V2.modelName(), "sst2.batches.train", "train-sample",
                        tokenizerFingerprint, MatmulPrecision.inForce().precision().id());
                checkpoint = model.checkpoint(meta.toMap()).encode();
            }
        }

        long sent = System.nanoTime();
        Topics.send(io.ptuning.contract.Topics.CHECKPOINTS, RUN, checkpoint);
        ConsumerRecord<String, byte[]> record = Topics.await(io.ptuning.contract.Topics.EVAL_METRICS,
                r -> RUN.equals(r.key()), Duration.ofMinutes(5));
        double seconds = (System.nanoTime() - sent) / 1e9;
        Evaluation evaluation = MetricEvents.data(MetricEvents.decode(record.value(), "test"), Evaluation.class, "test");
        System.out.printf("MiniLM prefix after %d steps: dev accuracy %.4f, loss %.4f on %d sentences;"
                + " checkpoint record to event %.2f s (service-side %.2f s, includes loading the base model)%n",
                STEPS, evaluation.accuracy(), evaluation.loss(), evaluation.examples(), seconds, evaluation.seconds());
        assertThat(evaluation.examples()).isEqualTo(872);
        assertThat(evaluation.accuracy()).as("dev accuracy of a %d-step MiniLM prefix", STEPS).isGreaterThan(0.70);

        String body = """
                {"run_id": "minilm-predict", "sentences": [
                  "a wonderful, moving and beautifully acted film",
                  "a dull, tedious and painfully unfunny mess"]}""";
        given().contentType(ContentType.JSON).body(body).post("/api/predict").then().statusCode(200)
                .body("run_id", equalTo(RUN))
                .body("step", equalTo(STEPS))
                .body("predictions[0].label", equalTo("positive"))
                .body("predictions[0].probabilities.positive", greaterThan(0.5f))
                .body("predictions[1].label", equalTo("negative"))
                .body("predictions[1].probabilities.negative", greaterThan(0.5f));
    }
}
