package io.ptuning.evaluator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ptuning.contract.Evaluation;
import io.ptuning.contract.MetricEvents;
import io.ptuning.contract.RunStatus;
import io.ptuning.contract.TrainStep;
import io.ptuning.evaluator.history.RunHistories;
import io.ptuning.kafka.embedded.EmbeddedKafkaResource;
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
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dashboard page in a real headless Chromium, fed by metric events on the real broker: two runs that differ in
 * {@code lr} (dash-a reaches 0.72, dash-b 0.66), and a third (dash-live, within their accuracy range) that grows while
 * the page is open.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedKafkaResource.class)
class DashboardTest {

    static final String A = "dash-a";
    static final String B = "dash-b";
    static final String LIVE = "dash-live";
    static final Path SCREENSHOT = Path.of("target", "dashboard.png");
    static final ObjectMapper JSON = new ObjectMapper();

    static HeadlessChromium browser;
    static boolean published;
    static long publishedFrom;
    static long publishedUntil;

    @TestHTTPResource("/")
    URL page;

    @Inject
    RunHistories histories;

    @BeforeEach
    void openThePage() throws Exception {
        var chromium = HeadlessChromium.binary();
        Assumptions.assumeTrue(chromium.isPresent(), "no chromium binary on the PATH (apt-get install chromium): dashboard not checked");
        if (!published) {
            publishedFrom = System.currentTimeMillis();
            publishRun(A, "0.02", 1.0, Map.of(10L, 0.61, 20L, 0.72));
            publishRun(B, "0.005", 2.0, Map.of(10L, 0.58, 20L, 0.66));
            publishedUntil = System.currentTimeMillis();
            awaitEvaluations(A, 2);
            awaitEvaluations(B, 2);
            published = true;
        }
        if (browser == null) {
            browser = HeadlessChromium.start(chromium.get(), 1280, 1000);
        }
        browser.navigate(page.toString());
        browser.awaitValue("String(window.dashboard && window.dashboard.drawn.accuracy !== null && "
                + "window.dashboard.runs.has('" + A + "') && window.dashboard.runs.has('" + B + "'))", "true"::equals,
                Duration.ofSeconds(30));
        // Other test classes share this service and its runs: the page lists only this class's runs.
        filter("dash-");
    }

    private static void filter(String text) throws Exception {
        browser.evaluate("(() => { const f = document.getElementById('filter'); f.value = '" + text + "';"
                + " f.dispatchEvent(new Event('input')); })()");
    }

    @AfterAll
    static void closeTheBrowser() throws Exception {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void twoRunsAreOverlaidOnTheSameLossAndAccuracyCharts() throws Exception {
        JsonNode loss = drawn("loss");
        JsonNode accuracy = drawn("accuracy");

        assertThat(browser.evaluate("dashboard.charts.loss.series.slice(1).map(s => s.label).join(',')")).contains(A, B);
        assertThat(nonNull(loss.path("series").path(A))).hasSize(30);
        assertThat(nonNull(loss.path("series").path(B))).hasSize(30);
        assertThat(nonNull(accuracy.path("series").path(A))).containsExactly(0.61, 0.72);
        assertThat(nonNull(accuracy.path("series").path(B))).containsExactly(0.58, 0.66);
    }

    @Test
    void theAccuracyAxisIsScaledToTheDataNotZeroToOne() throws Exception {
        double min = Double.parseDouble(browser.evaluate("dashboard.charts.accuracy.scales.y.min"));
        double max = Double.parseDouble(browser.evaluate("dashboard.charts.accuracy.scales.y.max"));

        assertThat(min).isGreaterThan(0.5).isLessThan(0.58);
        assertThat(max).isGreaterThan(0.72).isLessThan(0.8);
    }

    @Test
    void movingTheSmoothingSliderChangesTheDrawnLossPath() throws Exception {
        String canvasBefore = browser.evaluate("document.querySelector('#loss-chart canvas').toDataURL()");
        List<Double> smoothed = nonNull(drawn("loss").path("series").path(A));

        browser.evaluate("(() => { const s = document.getElementById('smoothing'); s.value = '0';"
                + " s.dispatchEvent(new Event('input')); return s.value; })()");

        List<Double> raw = nonNull(drawn("loss").path("series").path(A));
        assertThat(raw).isNotEqualTo(smoothed);
        assertThat(raw.get(0)).isEqualTo(1.0);
        assertThat(raw.get(1)).isEqualTo(0.5);
        assertThat(raw.get(29)).isCloseTo(1.0 / 30, within(1e-12));
        assertThat(smoothed.get(29)).isGreaterThan(raw.get(29));
        assertThat(browser.evaluate("document.querySelector('#loss-chart canvas').toDataURL()")).isNotEqualTo(canvasBefore);
    }

    @Test
    void hoveringTheAccuracyChartShowsTheValuesAtThatStep() throws Exception {
        String point = browser.evaluate("(() => { const u = dashboard.charts.accuracy; const r = u.over.getBoundingClientRect();"
                + " return (r.left + u.valToPos(20, 'x')) + ',' + (r.top + u.valToPos(0.72, 'y')); })()");
        double x = Double.parseDouble(point.split(",")[0]);
        double y = Double.parseDouble(point.split(",")[1]);

        browser.call("Input.dispatchMouseEvent", Map.of("type", "mouseMoved", "x", x, "y", y));

        String tip = browser.awaitValue("document.getElementById('accuracy-tip').hidden ? '' :"
                + " document.getElementById('accuracy-tip').textContent", v -> !v.isEmpty(), Duration.ofSeconds(10));
        assertThat(tip.split("\n")).containsExactly("20", A + ": 0.7200", B + ": 0.6600");
    }

    @Test
    void draggingAcrossTheLossChartZoomsBothChartsToThatRangeAndADoubleClickResets() throws Exception {
        String ends = browser.evaluate("(() => { const u = dashboard.charts.loss; const r = u.over.getBoundingClientRect();"
                + " return [r.left + u.valToPos(5, 'x'), r.left + u.valToPos(15, 'x'), r.top + r.height / 2].join(','); })()");
        double from = Double.parseDouble(ends.split(",")[0]);
        double to = Double.parseDouble(ends.split(",")[1]);
        double y = Double.parseDouble(ends.split(",")[2]);

        browser.call("Input.dispatchMouseEvent", Map.of("type", "mouseMoved", "x", from, "y", y));
        browser.call("Input.dispatchMouseEvent", Map.of("type", "mousePressed", "x", from, "y", y, "button", "left", "clickCount", 1));
        browser.call("Input.dispatchMouseEvent", Map.of("type", "mouseMoved", "x", to, "y", y, "button", "left"));
        browser.call("Input.dispatchMouseEvent", Map.of("type", "mouseReleased", "x", to, "y", y, "button", "left", "clickCount", 1));

        JsonNode range = JSON.readTree(browser.awaitValue("JSON.stringify(dashboard.state.xRange)", v -> !v.equals("null"),
                Duration.ofSeconds(10)));
        assertThat(range.get(0).asDouble()).isCloseTo(5, within(0.5));
        assertThat(range.get(1).asDouble()).isCloseTo(15, within(0.5));
        List<Double> xs = nonNull(drawn("loss").path("x"));
        assertThat(xs).isNotEmpty().allSatisfy(x -> assertThat(x).isBetween(range.get(0).asDouble(), range.get(1).asDouble()));
        assertThat(nonNull(drawn("accuracy").path("x"))).containsExactly(10.0);

        browser.evaluate("dashboard.charts.loss.over.dispatchEvent(new MouseEvent('dblclick', {bubbles: true}))");
        assertThat(browser.evaluate("JSON.stringify(dashboard.state.xRange)")).isEqualTo("null");
        assertThat(nonNull(drawn("loss").path("x"))).hasSize(30);
    }

    @Test
    void theRunTableSortsByBestAccuracy() throws Exception {
        String order = "Array.from(document.querySelectorAll('#run-table tbody tr')).map(tr => tr.dataset.run)"
                + ".filter(id => id.startsWith('dash-a') || id.startsWith('dash-b')).join(',')";
        String header = "document.querySelector('#run-table th[data-key=best_accuracy]')";

        browser.evaluate(header + ".click()");
        String first = browser.evaluate(order);
        browser.evaluate(header + ".click()");
        String second = browser.evaluate(order);

        assertThat(List.of(first, second)).containsExactlyInAnyOrder(A + "," + B, B + "," + A);
        String direction = browser.evaluate(header + ".className");
        assertThat(second).isEqualTo(direction.contains("asc") ? B + "," + A : A + "," + B);
    }

    @Test
    void theRunTableShowsBestAccuracyAndStepAndTheHyperParametersThatDiffer() throws Exception {
        String headers = browser.evaluate("Array.from(document.querySelectorAll('#run-table th')).map(th => th.textContent).join('|')");
        String row = browser.evaluate("Array.from(document.querySelectorAll('#run-table tr[data-run=" + A + "] td'))"
                + ".map(td => td.textContent).join('|')");

        assertThat(headers.split("\\|")).contains("status", "progress", "examples/s", "ETA", "best accuracy", "best step", "lr")
                .doesNotContain("psl");
        assertThat(row.split("\\|")).contains(A, "STARTED", "30/40 (75%)", "150.0", "0.7200", "20", "0.02");
    }

    @Test
    void theFilterKeepsTheMatchingRunsInTheTableAndTheCharts() throws Exception {
        filter("lr=0.005");

        assertThat(browser.evaluate("Array.from(document.querySelectorAll('#run-table tbody tr')).map(tr => tr.dataset.run).join(',')"))
                .isEqualTo(B);
        assertThat(drawn("loss").path("series").has(A)).isFalse();
        assertThat(drawn("loss").path("series").has(B)).isTrue();
    }

    @Test
    void theExamplesAxisPlacesStepsAtStepTimesBatchSize() throws Exception {
        browser.evaluate("(() => { const s = document.getElementById('x-axis'); s.value = 'examples';"
                + " s.dispatchEvent(new Event('change')); })()");

        JsonNode accuracy = drawn("accuracy");
        List<Double> xs = new ArrayList<>();
        JsonNode ys = accuracy.path("series").path(A);
        for (int i = 0; i < ys.size(); i++) {
            if (!ys.get(i).isNull()) {
                xs.add(accuracy.path("x").get(i).asDouble());
            }
        }
        assertThat(xs).containsExactly(160.0, 320.0);
    }

    @Test
    void theWallTimeAxisPlacesPointsAtTheirPublishTimesOnATimeScale() throws Exception {
        browser.evaluate("(() => { const s = document.getElementById('x-axis'); s.value = 'wall';"
                + " s.dispatchEvent(new Event('change')); })()");

        assertThat(browser.evaluate("String(dashboard.charts.loss.scales.x.time)")).isEqualTo("true");
        JsonNode loss = drawn("loss");
        List<Double> xs = new ArrayList<>();
        JsonNode ys = loss.path("series").path(A);
        for (int i = 0; i < ys.size(); i++) {
            if (!ys.get(i).isNull()) {
                xs.add(loss.path("x").get(i).asDouble());
            }
        }
        assertThat(xs).isNotEmpty().allSatisfy(x -> assertThat(x).isBetween(publishedFrom / 1000.0, publishedUntil / 1000.0));
    }

    @Test
    void theChosenRunShowsItsBestCheckpointsConfusionMatrix() throws Exception {
        browser.evaluate("(() => { const s = document.getElementById('focus-run'); s.value = '" + A + "';"
                + " s.dispatchEvent(new Event('change')); })()");

        assertThat(browser.evaluate("document.querySelector('#confusion caption').textContent"))
                .startsWith("confusion matrix of the best checkpoint (step 20, accuracy 0.7200)");
        assertThat(browser.evaluate("Array.from(document.querySelectorAll('#confusion td')).map(td => td.textContent).join(',')"))
                .isEqualTo("72,28,0,0");
    }

    @Test
    void withoutSweepEndpointsTheLeaderboardStaysHidden() throws Exception {
        assertThat(browser.evaluate("String(document.getElementById('sweeps').hidden)")).isEqualTo("true");
    }

    @Test
    void fiftyRunsOf4210StepsAreKeptWholeAndDrawnAtAboutOnePointPerPixelColumn() throws Exception {
        // 210,500 train steps into the page's own store, as the event stream would deliver them.
        filter("");
        browser.evaluate("(() => { const t0 = Date.now() - 3600e3; for (let r = 0; r < 50; r++) { const id = 'load-' + r;"
                + " for (let s = 1; s <= 4210; s++) dashboard.apply({kind: 'train', run_id: id, step: s, time: t0 + s * 800,"
                + " data: {run_id: id, step: s, total_steps: 4210, loss: 0.7 / Math.sqrt(s) + 0.05 * Math.sin(s * r),"
                + " examples_per_second: 40}}); } })()");

        long renderMillis = Math.round(Double.parseDouble(browser.evaluate(
                "(() => { const t = performance.now(); dashboard.render(); return performance.now() - t; })()")));
        long smoothingMillis = Math.round(Double.parseDouble(browser.evaluate("(() => { const t = performance.now();"
                + " dashboard.state.smoothing = 0.9; dashboard.drawLoss(); return performance.now() - t; })()")));
        System.out.printf("dashboard with 50 more runs of 4,210 train steps: render %d ms, smoothing redraw %d ms%n",
                renderMillis, smoothingMillis);

        int width = Integer.parseInt(browser.evaluate("String(Math.floor(document.getElementById('loss-chart').clientWidth))"));
        assertThat(browser.evaluate("String(dashboard.runs.get('load-7').train.step.length)")).isEqualTo("4210");
        List<String> drawnRuns = new ArrayList<>();
        drawn("loss").path("series").fieldNames().forEachRemaining(drawnRuns::add);
        assertThat(drawnRuns.stream().filter(id -> id.startsWith("load-"))).hasSize(50);
        assertThat(drawn("loss").path("x").size()).isLessThanOrEqualTo(width);
        assertThat(smoothingMillis).isLessThan(1000);
    }

    @Test
    void withSweepEndpointsTheLeaderboardRanksASweepsRunsWithTheirVariedHyperParameters() throws Exception {
        // The sweep endpoints come with another change to this service; their documented answers stand in here.
        try (HeadlessChromium sweeps = HeadlessChromium.start(HeadlessChromium.binary().orElseThrow(), 1280, 1000)) {
            sweeps.answerJson("*/api/sweeps*", url -> {
                if (url.endsWith("/api/sweeps")) {
                    return Optional.of("[{\"sweep_id\":\"lr-sweep\",\"runs\":2,\"best_run_id\":\"" + A
                            + "\",\"best_accuracy\":0.72}]");
                }
                if (url.endsWith("/api/sweeps/lr-sweep")) {
                    return Optional.of("{\"sweep_id\":\"lr-sweep\",\"varied\":[\"lr\"],\"runs\":["
                            + "{\"run_id\":\"" + B + "\",\"status\":\"COMPLETED\",\"best_accuracy\":0.66,\"best_step\":20,\"params\":{\"lr\":\"0.005\"}},"
                            + "{\"run_id\":\"" + A + "\",\"status\":\"COMPLETED\",\"best_accuracy\":0.72,\"best_step\":20,\"params\":{\"lr\":\"0.02\"}}]}");
                }
                return Optional.empty();
            });
            sweeps.navigate(page.toString());
            sweeps.awaitValue("String(!document.getElementById('sweeps').hidden)", "true"::equals, Duration.ofSeconds(30));

            assertThat(sweeps.evaluate("Array.from(document.querySelectorAll('#sweep-list tbody td')).map(td => td.textContent).join('|')"))
                    .isEqualTo("lr-sweep|2|" + A + "|0.7200");
            sweeps.evaluate("document.querySelector('#sweep-list tbody a').click()");
            String board = sweeps.awaitValue("Array.from(document.querySelectorAll('#sweep-detail tr')).map(tr =>"
                    + " Array.from(tr.children).map(c => c.textContent).join(',')).join('|')", v -> v.contains(B), Duration.ofSeconds(30));
            assertThat(board.split("\\|")).containsExactly("#,run,status,best accuracy,best step,lr",
                    "1," + A + ",COMPLETED,0.7200,20,0.02", "2," + B + ",COMPLETED,0.6600,20,0.005");
        }
    }

    @Test
    void aNewEvaluationArrivingOverTheEventStreamExtendsTheCurve() throws Exception {
        browser.awaitValue("document.getElementById('connection').textContent", "live"::equals, Duration.ofSeconds(30));
        publishRun(LIVE, "0.01", 1.5, Map.of(10L, 0.60));
        browser.awaitValue("String(dashboard.drawn.accuracy.series['" + LIVE + "'] !== undefined)", "true"::equals,
                Duration.ofSeconds(30));

        publishEvaluation(LIVE, 40, 0.70);

        browser.awaitValue("String((dashboard.drawn.accuracy.series['" + LIVE + "'] || []).includes(0.7))", "true"::equals,
                Duration.ofSeconds(30));
        JsonNode accuracy = drawn("accuracy");
        assertThat(nonNull(accuracy.path("series").path(LIVE))).containsExactly(0.60, 0.70);
        assertThat(accuracy.path("x").get(accuracy.path("x").size() - 1).asDouble()).isEqualTo(40.0);

        browser.screenshot(SCREENSHOT);
        assertThat(Files.size(SCREENSHOT)).isGreaterThan(10_000);
    }

    private static JsonNode drawn(String chart) throws Exception {
        return JSON.readTree(browser.evaluate("JSON.stringify(dashboard.drawn." + chart + ")"));
    }

    private static List<Double> nonNull(JsonNode values) {
        List<Double> out = new ArrayList<>();
        values.forEach(v -> {
            if (!v.isNull()) {
                out.add(v.asDouble());
            }
        });
        return out;
    }

    /** A run of 40 steps (batch 16) with 30 done, loss scale/step, and the given evaluations. */
    private static void publishRun(String run, String lr, double lossScale, Map<Long, Double> evaluations) {
        List<Map.Entry<String, byte[]>> events = new ArrayList<>();
        Map<String, String> params = Map.of("lr", lr, "psl", "20", "batch_size", "16", "preset", "ptv2");
        events.add(Map.entry(run, MetricEvents.encode(MetricEvents.TRAINER, MetricEvents.RUN_STATUS, run, 0,
                new RunStatus(run, RunStatus.State.STARTED, 0, 40, "", params))));
        for (int s = 1; s <= 30; s++) {
            events.add(Map.entry(run, MetricEvents.encode(MetricEvents.TRAINER, MetricEvents.TRAIN_STEP, run, s,
                    new TrainStep(run, s, 1, 40, lossScale / s, 1e-2, 0.3, 150))));
        }
        Topics.sendAll(io.ptuning.contract.Topics.TRAIN_METRICS, events);
        evaluations.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> publishEvaluation(run, e.getKey(), e.getValue()));
    }

    private static void publishEvaluation(String run, long step, double accuracy) {
        long correct = Math.round(accuracy * 100);
        Evaluation evaluation = new Evaluation(run, step, 1, false, 100, accuracy, 1 - accuracy, accuracy,
                List.of(1.0, 0.0), List.of(accuracy, 0.0), List.of(accuracy, 0.0),
                List.of(List.of(correct, 100 - correct), List.of(0L, 0L)), "sst2.batches.validation", 0.5);
        Topics.send(io.ptuning.contract.Topics.EVAL_METRICS, run,
                MetricEvents.encode(MetricEvents.EVALUATOR, MetricEvents.EVALUATION, run, step, evaluation));
    }

    private void awaitEvaluations(String run, int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (histories.get(run).map(r -> r.evaluations().size()).orElse(0) < count) {
            assertThat(System.nanoTime()).as("evaluations of " + run + " reach the service").isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
