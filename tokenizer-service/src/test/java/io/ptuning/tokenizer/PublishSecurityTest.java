package io.ptuning.tokenizer;

import static io.restassured.RestAssured.given;

import io.ptuning.kafka.embedded.EmbeddedKafkaResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

/**
 * Who may publish a dataset version: {@code POST /publish/{split}} needs the dataset-publisher role; progress is
 * for viewers and publishers; health probes and metrics are open.
 */
@QuarkusTest
@TestProfile(SecuredProfile.class)
@QuarkusTestResource(EmbeddedKafkaResource.class)
class PublishSecurityTest {

    @Test
    void publishingWithoutCredentialsIs401() {
        given().post("/publish/validation").then().statusCode(401);
    }

    @Test
    void publishingAsAViewerIs403() {
        as(SecuredProfile.VIEWER).post("/publish/validation").then().statusCode(403);
    }

    @Test
    void publishingAsADatasetPublisherIs200() {
        as(SecuredProfile.PUBLISHER).post("/publish/validation").then().statusCode(200);
    }

    @Test
    void progressNeedsCredentials() {
        given().get("/publish/progress").then().statusCode(401);
        as(SecuredProfile.VIEWER).get("/publish/progress").then().statusCode(200);
    }

    @Test
    void healthProbesAndMetricsAreOpen() {
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
    }

    private static RequestSpecification as(String user) {
        return given().auth().preemptive().basic(user, SecuredProfile.PASSWORD + user);
    }
}
