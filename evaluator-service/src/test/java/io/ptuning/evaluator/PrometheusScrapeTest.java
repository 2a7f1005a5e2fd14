package io.ptuning.evaluator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.ptuning.contract.Evaluation;
import io.ptuning.contract.MetricEvents;
import io.ptuning.evaluator.history.RunHistories;
import io.ptuning.kafka.embedded.EmbeddedKafkaResource;
import io.ptuning.service.metrics.Promtool;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The evaluator's {@code /q/metrics}, scraped over HTTP as Prometheus does, read by Prometheus' own parser. */
@QuarkusTest
@QuarkusTestResource(EmbeddedKafkaResource.class)
class PrometheusScrapeTest {

    @Inject
    RunHistories histories;

    @Test
    void theScrapePassesPromtoolCheckMetrics() throws Exception {
        Promtool.assumeInstalled();
        evaluate("run-scrape", 40, 0.75, 0.5);

        // As curl asks (any type): the text format.
        String text = given().header("Accept", "*/*").get("/q/metrics").then().statusCode(200)
                .header("Content-Type", org.hamcrest.Matchers.startsWith("text/plain")).extract().asString();
        Promtool.Check check = Promtool.checkMetrics(text);

        assertThat(check.output()).isEmpty();
        assertThat(check.exitCode()).isZero();
        assertThat(sample(text, "ptuning_eval_accuracy", "run-scrape")).isEqualTo(0.75);
    }

    @Test
    void prometheusOwnScrapeGetsTheTextFormatPromtoolAccepts() throws Exception {
        Promtool.assumeInstalled();
        // The Accept header of a Prometheus 2.x scrape.
        String text = given().header("Accept", "application/openmetrics-text;version=1.0.0,"
                        + "application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1")
                .get("/q/metrics").then().statusCode(200)
                .header("Content-Type", org.hamcrest.Matchers.startsWith("text/plain")).extract().asString();

        assertThat(Promtool.checkMetrics(text).exitCode()).isZero();
    }

    @Test
    void eachRunHasItsLatestAccuracyLossAndBestAccuracy() throws Exception {
        evaluate("run-gauges", 10, 0.80, 0.45);
        evaluate("run-gauges", 20, 0.70, 0.55);

        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();

        assertThat(sample(text, "ptuning_eval_accuracy", "run-gauges")).isEqualTo(0.7);
        assertThat(sample(text, "ptuning_eval_loss", "run-gauges")).isEqualTo(0.55);
        assertThat(sample(text, "ptuning_eval_best_accuracy", "run-gauges")).isEqualTo(0.8);
        assertThat(sample(text, "ptuning_eval_step", "run-gauges")).isEqualTo(20.0);
    }

    @Test
    void everyEvaluatorMetricTheGrafanaDashboardQueriesIsExported() throws Exception {
        evaluate("run-grafana", 10, 0.8, 0.4);
        String dashboard = Files.readString(Path.of("..", "deploy", "k8s", "monitoring", "ptuning-dashboard.json"));
        List<String> queried = Pattern.compile("ptuning_eval_[a-z_]+").matcher(dashboard).results()
                .map(MatchResult::group).distinct().toList();

        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();

        assertThat(queried).isNotEmpty().allSatisfy(metric -> assertThat(text).contains("# TYPE " + metric + " gauge\n"));
    }

    /** The value of the sample of {@code metric} labelled {@code run} (the text format may end labels with a comma). */
    static double sample(String text, String metric, String run) {
        Matcher m = Pattern.compile("(?m)^" + metric + "\\{run=\"" + Pattern.quote(run) + "\",?} (\\S+)$").matcher(text);
        assertThat(m.find()).as("a sample of %s for run %s", metric, run).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private void evaluate(String runId, long step, double accuracy, double loss) throws InterruptedException {
        Evaluation evaluation = new Evaluation(runId, step, 1, false, 100, accuracy, loss, accuracy, List.of(0.5, 0.5),
                List.of(0.5, 0.5), List.of(0.5, 0.5), List.of(List.of(40L, 10L), List.of(15L, 35L)),
                "sst2.batches.validation", 1.0);
        Topics.send(io.ptuning.contract.Topics.EVAL_METRICS, runId,
                MetricEvents.encode(MetricEvents.EVALUATOR, MetricEvents.EVALUATION, runId, step, evaluation));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!histories.hasEvaluation(runId, step)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the evaluation of " + runId + " step " + step + " was not read within 30 s");
            }
            Thread.sleep(50);
        }
    }
}
