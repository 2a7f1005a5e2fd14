package io.ptuning.evaluator;

import static io.restassured.RestAssured.given;

import io.ptuning.contract.BatchRecordCodec;
import io.ptuning.kafka.embedded.EmbeddedKafkaResource;
import io.ptuning.prompt.PromptConfig;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Who may predict and who may watch: {@code POST /api/predict} needs the predictor role; the dashboard page,
 * {@code /api/runs} and the event stream need the viewer role; health probes and metrics are open.
 */
@QuarkusTest
@TestProfile(SecuredProfile.class)
@QuarkusTestResource(EmbeddedKafkaResource.class)
class EvaluatorSecurityTest {

    static final String RUN = "secured-predict";
    static final String PREDICT = """
            {"run_id": "secured-predict", "sentences": ["a good film", "a dull story"]}""";

    /** The validation split of CheckpointEvaluationTest (same version, same bytes) and one evaluated checkpoint. */
    @BeforeAll
    static void evaluateACheckpoint() throws Exception {
        Topics.sendAll("sst2.batches.validation", TinyModel.validationSplit("tiny-v1", 6, 16, 2).stream()
                .map(b -> Map.entry("tiny-v1", BatchRecordCodec.encode(b))).toList());
        Topics.send(io.ptuning.contract.Topics.CHECKPOINTS, RUN, TinyModel.checkpoint(RUN, 3, 7, PromptConfig.prefix(4)));
        Topics.await(io.ptuning.contract.Topics.EVAL_METRICS, r -> RUN.equals(r.key()), Duration.ofSeconds(60));
    }

    @Test
    void predictingWithoutCredentialsIs401() {
        predict(given()).then().statusCode(401);
    }

    @Test
    void predictingAsAViewerIs403() {
        predict(as(SecuredProfile.VIEWER)).then().statusCode(403);
    }

    @Test
    void predictingAsAPredictorIs200() {
        predict(as(SecuredProfile.PREDICTOR)).then().statusCode(200);
    }

    @Test
    void theDashboardPageNeedsTheViewerRole() {
        given().get("/").then().statusCode(401);
        as(SecuredProfile.PREDICTOR).get("/").then().statusCode(403);
        as(SecuredProfile.VIEWER).get("/").then().statusCode(200);
    }

    @Test
    void runHistoriesNeedTheViewerRole() {
        given().get("/api/runs").then().statusCode(401);
        as(SecuredProfile.PREDICTOR).get("/api/runs").then().statusCode(403);
        as(SecuredProfile.VIEWER).get("/api/runs").then().statusCode(200);
    }

    @Test
    void theDashboardsCurvesNeedTheViewerRole() {
        given().get("/api/curves").then().statusCode(401);
        as(SecuredProfile.PREDICTOR).get("/api/curves").then().statusCode(403);
        as(SecuredProfile.VIEWER).get("/api/curves").then().statusCode(200);
    }

    @Test
    void theEventStreamNeedsCredentials() {
        given().get("/api/events").then().statusCode(401);
        as(SecuredProfile.PREDICTOR).get("/api/events").then().statusCode(403);
    }

    @Test
    void healthProbesAndMetricsAreOpen() {
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
    }

    private static RequestSpecification as(String user) {
        return given().auth().preemptive().basic(user, SecuredProfile.PASSWORD + user);
    }

    private static io.restassured.response.Response predict(RequestSpecification who) {
        return who.contentType(ContentType.JSON).body(PREDICT).post("/api/predict");
    }
}
