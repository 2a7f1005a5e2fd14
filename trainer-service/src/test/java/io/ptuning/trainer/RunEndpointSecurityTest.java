package io.ptuning.trainer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.ptuning.contract.security.Roles;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Who may start runs and read them: {@code POST /runs} needs the run-operator role, {@code GET /runs/{id}} the viewer
 * (or run-operator) role, by basic user or OIDC bearer token; health probes and metrics are open.
 */
@QuarkusTest
@TestProfile(SecuredProfile.class)
@QuarkusTestResource(TrainerTestResource.class)
class RunEndpointSecurityTest {

    static final String TOPIC = "synthetic.batches.secured";

    @BeforeAll
    static void publishBatches() {
        BatchTopics.publish(TOPIC, BatchTopics.encoded(
                BatchTopics.synthetic(2, 8, TrainerTestResource.tokenizerFingerprint, 41)));
    }

    @Test
    void startingARunWithoutCredentialsIs401() {
        assertThat(start(given(), "secured-anonymous")).isEqualTo(401);
    }

    @Test
    void startingARunWithAWrongPasswordIs401() {
        assertThat(start(given().auth().preemptive().basic(SecuredProfile.OPERATOR, "wrong"), "secured-wrong"))
                .isEqualTo(401);
    }

    @Test
    void startingARunAsAViewerIs403() {
        assertThat(start(as(SecuredProfile.VIEWER), "secured-viewer")).isEqualTo(403);
    }

    @Test
    void startingARunAsADatasetPublisherIs403() {
        assertThat(start(as(SecuredProfile.PUBLISHER), "secured-publisher")).isEqualTo(403);
    }

    @Test
    void startingARunAsARunOperatorIs202() {
        assertThat(start(as(SecuredProfile.OPERATOR), "secured-operator")).isEqualTo(202);
    }

    @Test
    void aBearerTokenWithTheRunOperatorGroupStartsARun() {
        assertThat(start(given().auth().oauth2(TestTokens.of("alice", Roles.RUN_OPERATOR)), "secured-token"))
                .isEqualTo(202);
    }

    @Test
    void aBearerTokenWithOnlyTheViewerGroupIs403() {
        assertThat(start(given().auth().oauth2(TestTokens.of("bob", Roles.VIEWER)), "secured-token-viewer"))
                .isEqualTo(403);
    }

    @Test
    void aBearerTokenSignedByAnotherKeyIs401() {
        String token = TestTokens.of("mallory", Roles.RUN_OPERATOR);
        String forged = token.substring(0, token.lastIndexOf('.') + 1) + "c2lnbmF0dXJl";
        assertThat(start(given().auth().oauth2(forged), "secured-forged")).isEqualTo(401);
    }

    @Test
    void readingARunNeedsCredentials() {
        given().get("/runs/secured-anything").then().statusCode(401);
    }

    @Test
    void aViewerReadsRuns() {
        // 404: the viewer got through to the endpoint, which has not executed this run.
        as(SecuredProfile.VIEWER).get("/runs/secured-never-run").then().statusCode(404);
    }

    @Test
    void healthProbesAndMetricsAreOpen() {
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
    }

    private static RequestSpecification as(String user) {
        return given().auth().preemptive().basic(user, SecuredProfile.PASSWORD + user);
    }

    private static int start(RequestSpecification who, String runId) {
        return who.contentType(ContentType.JSON)
                .body("""
                        {"run_id": "%s", "overrides": {"psl": "4", "lr": "0.1", "epochs": "1"}, "base_model": "tiny-bert",
                         "batch_topic": "%s", "dataset_version": "%s", "device": "cpu"}"""
                        .formatted(runId, TOPIC, BatchTopics.VERSION))
                .post("/runs").statusCode();
    }
}
