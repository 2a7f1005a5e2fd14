package io.ptuning.deploy;

import static io.ptuning.deploy.PipelineRepository.SERVICE_PORTS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The monitoring files: the Grafana dashboard (one JSON file, in a ConfigMap on Kubernetes and provisioned by
 * Compose), the PodMonitor, and the Compose profile with Prometheus and Grafana. That every metric the dashboard
 * queries is exported is checked against real scrapes in the services' tests (the trainer's {@code RunOverRestTest} and the
 * evaluator's {@code PrometheusScrapeTest}, {@code every...MetricTheGrafanaDashboardQueriesIsExported}); here, that each query's metrics belong to one of them.
 */
class MonitoringFilesTest {

    static final String DASHBOARD = "deploy/k8s/monitoring/ptuning-dashboard.json";
    /** PromQL words that are not metric names: functions are followed by '(' and removed separately. */
    static final Set<String> PROMQL_WORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "bool", "and", "or", "unless", "offset");
    static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    @Test
    void theDashboardParsesAndEveryPanelQueriesPrometheus() throws IOException {
        JsonNode dashboard = dashboard();

        assertThat(dashboard.path("uid").asText()).isEqualTo("ptuning-runs");
        assertThat(dashboard.path("panels")).isNotEmpty().allSatisfy(panel -> {
            assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
            panel.path("targets").forEach(t -> {
                assertThat(t.path("expr").asText()).as(panel.path("title").asText()).isNotBlank();
                assertThat(t.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
            });
        });
    }

    @Test
    void theDashboardHasTheDashboardPagesPanels() throws IOException {
        List<String> titles = new ArrayList<>();
        dashboard().path("panels").forEach(p -> titles.add(p.path("title").asText()));

        assertThat(titles).anyMatch(t -> t.startsWith("Training loss")).anyMatch(t -> t.startsWith("Validation accuracy"))
                .anyMatch(t -> t.startsWith("Runs:")).anyMatch(t -> t.startsWith("Leaderboard"));
    }

    @Test
    void everyQueryNamesOnlyTrainerAndEvaluatorRunMetrics() throws IOException {
        Set<String> metrics = dashboardMetrics(dashboard());

        assertThat(metrics).contains("ptuning_train_loss", "ptuning_train_step", "ptuning_train_total_steps",
                "ptuning_train_examples_per_second", "ptuning_train_eta_seconds", "ptuning_eval_accuracy",
                "ptuning_eval_loss", "ptuning_eval_best_accuracy", "ptuning_eval_step");
        assertThat(metrics).allMatch(m -> m.startsWith("ptuning_train_") || m.startsWith("ptuning_eval_"));
    }

    @Test
    void theMetricNameExtractionSkipsFunctionsLabelsAndGrouping() {
        assertThat(metricsOf("sort_desc(max by (run) (ptuning_eval_best_accuracy{run=~\"$run\"}))"))
                .containsExactly("ptuning_eval_best_accuracy");
        assertThat(metricsOf("max by (run) (avg_over_time(ptuning_train_loss{run=~\"$run\"}[$smoothing])) / up"))
                .containsExactly("ptuning_train_loss", "up");
    }

    @Test
    void theKubernetesConfigMapCarriesTheDashboardWithTheSidecarLabel() throws IOException {
        Map<String, Object> kustomization = yaml("deploy/k8s/monitoring/kustomization.yaml");
        List<Map<String, Object>> generators = list(kustomization, "configMapGenerator");

        assertThat(generators).singleElement().satisfies(g -> {
            assertThat(g.get("files")).isEqualTo(List.of("ptuning-dashboard.json"));
            Map<String, Object> options = map(g, "options");
            assertThat(map(options, "labels")).containsEntry("grafana_dashboard", "1");
            assertThat(options).containsEntry("disableNameSuffixHash", true);
        });
        assertThat(kustomization.get("resources")).isEqualTo(List.of("pod-monitor.yaml"));
    }

    @Test
    void kubectlRendersTheConfigMapWithTheDashboardFileAndThePodMonitor() throws Exception {
        Assumptions.assumeTrue(ComposeFileTest.onPath("kubectl"), "kubectl is not installed: skipping the rendering check");
        Process process = new ProcessBuilder("kubectl", "kustomize", "deploy/k8s/monitoring")
                .directory(PipelineRepository.root().toFile()).start();
        String rendered = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("kubectl kustomize: %s", err).isZero();

        Map<String, Map<String, Object>> byKind = new java.util.HashMap<>();
        for (Object doc : new Yaml().loadAll(rendered)) {
            @SuppressWarnings("unchecked")
            Map<String, Object> resource = (Map<String, Object>) doc;
            byKind.put((String) resource.get("kind"), resource);
        }
        assertThat(byKind).containsOnlyKeys("ConfigMap", "PodMonitor");
        Map<String, Object> configMap = byKind.get("ConfigMap");
        Map<String, Object> metadata = map(configMap, "metadata");
        assertThat(metadata).containsEntry("name", "ptuning-grafana-dashboard").containsEntry("namespace", "ptuning");
        assertThat(map(metadata, "labels")).containsEntry("grafana_dashboard", "1");
        assertThat(map(configMap, "data")).containsEntry("ptuning-dashboard.json",
                Files.readString(PipelineRepository.file(DASHBOARD)));
        assertThat(map(byKind.get("PodMonitor"), "metadata")).containsEntry("namespace", "ptuning");
    }

    @Test
    void thePodMonitorScrapesTheServicesMetricsOnTheirHttpPort() throws IOException {
        Map<String, Object> monitor = yaml("deploy/k8s/monitoring/pod-monitor.yaml");
        assertThat(monitor).containsEntry("apiVersion", "monitoring.coreos.com/v1").containsEntry("kind", "PodMonitor");
        Map<String, Object> spec = map(monitor, "spec");

        Map<String, Object> expression = list(map(spec, "selector"), "matchExpressions").get(0);
        assertThat(expression).containsEntry("key", "app.kubernetes.io/name").containsEntry("operator", "In");
        assertThat(strings(expression.get("values"))).containsExactlyInAnyOrderElementsOf(SERVICE_PORTS.keySet());
        assertThat(list(spec, "podMetricsEndpoints")).singleElement()
                .satisfies(e -> assertThat(e).containsEntry("port", "http").containsEntry("path", "/q/metrics"));
        for (String service : SERVICE_PORTS.keySet()) {
            String deployment = Files.readString(PipelineRepository.file("deploy/k8s/base/" + service + ".yaml"));
            assertThat(deployment).as(service).contains("app.kubernetes.io/name: " + service)
                    .containsPattern("- name: http\\s+containerPort: " + SERVICE_PORTS.get(service));
        }
    }

    @Test
    void theComposeMonitoringProfileScrapesEveryServiceAndProvisionsTheSameDashboard() throws IOException {
        Map<String, Object> services = map(yaml("docker-compose.yml"), "services");
        Map<String, Object> prometheus = map(services, "prometheus");
        Map<String, Object> grafana = map(services, "grafana");

        assertThat(prometheus.get("profiles")).isEqualTo(List.of("monitoring"));
        assertThat(grafana.get("profiles")).isEqualTo(List.of("monitoring"));
        assertThat(strings(grafana.get("volumes"))).contains(
                "./" + DASHBOARD + ":/var/lib/grafana/dashboards/ptuning-dashboard.json:ro");
        Map<String, Object> scrape = list(yaml("deploy/compose/prometheus.yml"), "scrape_configs").get(0);
        assertThat(scrape).containsEntry("metrics_path", "/q/metrics");
        assertThat(strings(list(scrape, "static_configs").get(0).get("targets"))).containsExactlyInAnyOrderElementsOf(
                SERVICE_PORTS.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue()).toList());
        assertThat(map(list(yaml("deploy/compose/grafana/dashboards.yml"), "providers").get(0), "options"))
                .containsEntry("path", "/var/lib/grafana/dashboards");
        assertThat(list(yaml("deploy/compose/grafana/datasources.yml"), "datasources").get(0))
                .containsEntry("type", "prometheus").containsEntry("url", "http://prometheus:9090");
    }

    @Test
    void promtoolAcceptsTheComposePrometheusConfig() throws Exception {
        Assumptions.assumeTrue(ComposeFileTest.onPath("promtool"), "promtool is not installed (apt-get install prometheus)");
        Process process = new ProcessBuilder("promtool", "check", "config", "deploy/compose/prometheus.yml")
                .directory(PipelineRepository.root().toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("promtool check config:%n%s", output).isZero();
    }

    static JsonNode dashboard() throws IOException {
        return new ObjectMapper().readTree(PipelineRepository.file(DASHBOARD).toFile());
    }

    /** Every metric name in the dashboard's queries, the panels' and the template variables'. */
    static Set<String> dashboardMetrics(JsonNode dashboard) {
        Set<String> metrics = new LinkedHashSet<>();
        dashboard.path("panels").forEach(p -> p.path("targets").forEach(t -> metrics.addAll(metricsOf(t.path("expr").asText()))));
        dashboard.path("templating").path("list").forEach(v -> {
            if (v.path("type").asText().equals("query")) {
                metrics.addAll(metricsOf(v.path("definition").asText().replaceAll("label_values\\((\\w+),.*\\)", "$1")));
            }
        });
        return metrics;
    }

    /** Metric names in a PromQL expression: identifiers outside label matchers, ranges, strings and grouping lists. */
    static Set<String> metricsOf(String expr) {
        String bare = expr.replaceAll("\"[^\"]*\"", "")
                .replaceAll("\\{[^}]*}", "")
                .replaceAll("\\[[^]]*]", "")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", "");
        Set<String> names = new LinkedHashSet<>();
        Matcher m = IDENTIFIER.matcher(bare);
        while (m.find()) {
            String word = m.group();
            boolean function = bare.substring(m.end()).stripLeading().startsWith("(");
            if (!function && !PROMQL_WORDS.contains(word)) {
                names.add(word);
            }
        }
        return names;
    }

    private static Map<String, Object> yaml(String file) throws IOException {
        return new Yaml().load(Files.readString(PipelineRepository.file(file)));
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object list) {
        assertThat(list).isInstanceOf(List.class);
        return (List<String>) list;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        assertThat(parent).containsKey(key);
        return (Map<String, Object>) parent.get(key);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> parent, String key) {
        assertThat(parent).containsKey(key);
        return (List<Map<String, Object>>) parent.get(key);
    }
}
