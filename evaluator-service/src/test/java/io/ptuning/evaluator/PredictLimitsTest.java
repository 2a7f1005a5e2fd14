package io.ptuning.evaluator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import io.ptuning.evaluator.predict.PredictResource;
import io.ptuning.kafka.embedded.EmbeddedKafkaResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What one /api/predict call may carry (sentences, characters per sentence, bytes; more is refused before scoring),
 * and how many event streams are served at once.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedKafkaResource.class)
class PredictLimitsTest {

    /** The default of {@code evaluator.sse.max-clients}. */
    private static final int MAX_STREAMS = 32;

    @TestHTTPResource("/api/events")
    URI events;

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
    void aBodyJacksonTakesForUtf32Is400() {
        // PredictRequestFuzzTest's finding: '{' and zero bytes read as UTF-32, then a character above U+10FFFF.
        byte[] body = new byte[49];
        body[0] = '{';
        System.arraycopy("s\":[\"fi".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, body, 42, 7);
        given().contentType(ContentType.JSON).body(body).post("/api/predict").then().statusCode(400)
                .body(containsString("UTF-8"));
    }

    @Test
    void aBodyLargerThanTheHttpLimitIs413() {
        post("{\"sentences\": [\"" + "a".repeat(3 * 1024 * 1024) + "\"]}").then().statusCode(413);
    }

    @Test
    void eventStreamsBeyondTheLimitAre503WithRetryAfterAndAClosedStreamFreesItsPlace() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        List<HttpResponse<InputStream>> open = new ArrayList<>();
        HttpResponse<InputStream> refused = null;
        try {
            // Streams of earlier tests may still be open: open until one is refused, at most the limit plus one.
            for (int i = 0; i <= MAX_STREAMS && refused == null; i++) {
                HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(events).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                if (response.statusCode() == 503) {
                    refused = response;
                } else {
                    assertThat(response.statusCode()).isEqualTo(200);
                    open.add(response);
                }
            }
            assertThat(refused).as("a stream beyond evaluator.sse.max-clients=%d", MAX_STREAMS).isNotNull();
            assertThat(refused.headers().firstValue("Retry-After")).contains("10");
            assertThat(new String(refused.body().readAllBytes())).contains("evaluator.sse.max-clients");
        } finally {
            for (HttpResponse<InputStream> stream : open) {
                stream.body().close();
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        int status;
        do {
            HttpResponse<InputStream> again = http.send(HttpRequest.newBuilder(events).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            status = again.statusCode();
            again.body().close();
            Thread.sleep(200);
        } while (status != 200 && System.nanoTime() < deadline);
        assertThat(status).as("after the streams were closed").isEqualTo(200);
    }

    private static io.restassured.response.Response post(String body) {
        return given().contentType(ContentType.JSON).body(body).post("/api/predict");
    }
}
