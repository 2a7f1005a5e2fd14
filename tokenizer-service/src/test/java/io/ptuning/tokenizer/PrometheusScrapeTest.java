package io.ptuning.tokenizer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.startsWith;

import io.ptuning.kafka.embedded.EmbeddedKafkaResource;
import io.ptuning.service.metrics.Promtool;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** The tokenizer's {@code /q/metrics}, scraped over HTTP after a publish, read by Prometheus' own parser. */
@QuarkusTest
@QuarkusTestResource(EmbeddedKafkaResource.class)
class PrometheusScrapeTest {

    @Test
    void theScrapeAfterAPublishPassesPromtoolCheckMetrics() throws Exception {
        Promtool.assumeInstalled();
        given().when().post("/publish/validation").then().statusCode(200);

        String text = given().header("Accept", "*/*").get("/q/metrics").then().statusCode(200)
                .header("Content-Type", startsWith("text/plain")).extract().asString();
        Promtool.Check check = Promtool.checkMetrics(text);

        assertThat(check.output()).isEmpty();
        assertThat(check.exitCode()).isZero();
    }
}
