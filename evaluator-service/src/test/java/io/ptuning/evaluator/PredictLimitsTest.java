package io.ptuning.evaluator;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

import io.ptuning.evaluator.predict.PredictResource;
import io.ptuning.kafka.embedded.EmbeddedKafkaResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.Collections;
import org.junit.jupiter.api.Test;

/** What one /api/predict call may carry: sentences, characters per sentence, bytes; more is refused before scoring. */
@QuarkusTest
@QuarkusTestResource(EmbeddedKafkaResource.class)
class PredictLimitsTest {

    @Test
    void moreSentencesThanTheLimitAre400() {
        String sentences = String.join(",", Collections.nCopies(PredictResource.MAX_SENTENCES + 1, "\"fine\""));
        post("{\"sentences\": [" + sentences + "]}").then().statusCode(400).body(containsString("sentences"));
    }

    @Test
    void aSentenceLongerThanTheCharacterLimitIs400() {
        String longSentence = "a".repeat(PredictResource.MAX_SENTENCE_CHARS + 1);
        post("{\"sentences\": [\"" + longSentence + "\"]}").then().statusCode(400).body(containsString("sentences"));
    }

    @Test
    void aBodyLargerThanTheHttpLimitIs413() {
        post("{\"sentences\": [\"" + "a".repeat(3 * 1024 * 1024) + "\"]}").then().statusCode(413);
    }

    private static io.restassured.response.Response post(String body) {
        return given().contentType(ContentType.JSON).body(body).post("/api/predict");
    }
}
