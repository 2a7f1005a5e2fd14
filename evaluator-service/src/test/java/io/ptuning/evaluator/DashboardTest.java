package io.ptuning.evaluator;

import io.ptuning.kafka.embedded.EmbeddedKafkaResource;
import static org.assertj.core.api.Assertions.assertThat;

import io.ptuning.contract.Evaluation;
import io.ptuning.contract.MetricEvents;
import io.ptuning.contract.RunStatus;
import io.ptuning.contract.TrainStep;
import io.ptuning.evaluator.history.RunHistories;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The dashboard page in a real headless Chromium, fed by metric events on the real broker. */
@QuarkusTest
@QuarkusTestResource(EmbeddedKafkaResource.class)
class DashboardTest {

    static final String RUN = "dash-run";
    static final Path SCREENSHOT = Path.of("target", "dashboard.png");

    @TestHTTPResource("/")
    URL page;

    @Inject
    RunHistories histories;

    @Test
    void theDashboardDrawsARunsAccuracyCurveAndFollowsNewEventsLive() throws Exception {
        var chromium = HeadlessChromium.binary();
        Assumptions.assumeTrue(chromium.isPresent(), "no chromium binary on the PATH (apt-get install chromium): dashboard not checked");

        publishTraining(1, 30);
        publishEvaluation(10, 0.61, 0.66);
        publishEvaluation(20, 0.72, 0.58);
        awaitEvaluations(2);

        try (HeadlessChromium browser = HeadlessChromium.start(chromium.get(), 1280, 900)) {
            browser.navigate(page.toString());
            String curve = "(document.querySelector('#run-" + RUN + " .accuracy-curve') || {getAttribute: () => ''})"
                    + ".getAttribute('data-points')";
            assertThat(browser.awaitValue(curve, v -> v.contains("20:0.72"), Duration.ofSeconds(30)))
                    .isEqualTo("10:0.61 20:0.72");
            browser.awaitValue("document.getElementById('connection').textContent", "live"::equals, Duration.ofSeconds(30));

            // While the page is open: a new evaluation arrives over the event stream and extends the curve.
            publishTraining(31, 40);
            publishEvaluation(40, 0.83, 0.41);
            assertThat(browser.awaitValue(curve, v -> v.contains("40:0.83"), Duration.ofSeconds(30)))
                    .isEqualTo("10:0.61 20:0.72 40:0.83");

            String card = browser.evaluate("document.getElementById('run-" + RUN + "').innerText");
            assertThat(card).contains(RUN).contains("best 0.8300 @ 40").contains("confusion matrix of the best checkpoint (step 40");
            String loss = browser.awaitValue("document.querySelector('#run-" + RUN + " .loss-curve').getAttribute('data-points')",
                    v -> v.endsWith("40:0.025"), Duration.ofSeconds(30));
            assertThat(loss.split(" ")).hasSize(40).startsWith("1:1", "2:0.5").contains("33:0.030303030303030304");
            assertThat(browser.evaluate("Array.from(document.querySelectorAll('#run-" + RUN
                    + " table.confusion td')).map(td => td.textContent).join(',')")).isEqualTo("83,17,0,0");
            browser.screenshot(SCREENSHOT);
        }
        assertThat(Files.size(SCREENSHOT)).isGreaterThan(10_000);
    }

    private static void publishTraining(int from, int to) {
        List<Map.Entry<String, byte[]>> events = new ArrayList<>();
        if (from == 1) {
            events.add(Map.entry(RUN, MetricEvents.encode(MetricEvents.TRAINER, MetricEvents.RUN_STATUS, RUN, 0,
                    new RunStatus(RUN, RunStatus.State.STARTED, 0, 40, null))));
        }
        for (int s = from; s <= to; s++) {
            events.add(Map.entry(RUN, MetricEvents.encode(MetricEvents.TRAINER, MetricEvents.TRAIN_STEP, RUN, s,
                    new TrainStep(RUN, s, 0, 40, 1.0 / s, 1e-2, 0.3, 150))));
        }
        Topics.sendAll(io.ptuning.contract.Topics.TRAIN_METRICS, events);
    }

    private static void publishEvaluation(long step, double accuracy, double loss) {
        long correct = Math.round(accuracy * 100);
        Evaluation evaluation = new Evaluation(RUN, step, 0, false, 100, accuracy, loss, accuracy, List.of(1.0, 0.0),
                List.of(accuracy, 0.0), List.of(accuracy, 0.0), List.of(List.of(correct, 100 - correct), List.of(0L, 0L)),
                "sst2.batches.validation", 0.5);
        Topics.send(io.ptuning.contract.Topics.EVAL_METRICS, RUN,
                MetricEvents.encode(MetricEvents.EVALUATOR, MetricEvents.EVALUATION, RUN, step, evaluation));
    }

    private void awaitEvaluations(int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (histories.get(RUN).map(r -> r.evaluations().size()).orElse(0) < count) {
            assertThat(System.nanoTime()).as("evaluations of " + RUN + " reach the service").isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
