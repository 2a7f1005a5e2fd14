package io.ptuning.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ptuning.contract.RunStatus;
import io.ptuning.contract.kafka.TopicCatalog;
import io.ptuning.kafka.embedded.EmbeddedKafka;
import io.ptuning.weights.TinyModelFolders;
import io.ptuning.weights.cache.ModelCache;
import io.ptuning.weights.dataset.Sst2ZipServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The main command twice on one work folder, then {@code serve} on it, as a user does over weeks: the second start
 * succeeds, starts a new run beside the finished one and lists both; served again, the first run's best checkpoint
 * answers {@code /api/predict} with the accuracy it had at the end of training; every topic on the broker is configured
 * as {@code TopicCatalog} says (nothing expires); and nothing in the folder that holds a secret is readable by anyone
 * but its owner.
 */
class ReopenedWorkFolderTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = "tiny-bert-reopen";

    @Test
    void aWorkFolderIsReopenedByTheMainCommandAndServedAgainLater(@TempDir Path parent) throws Exception {
        TinyModelFolders.withRealVocabulary(ModelCache.configured(), MODEL, 1);
        Path work = parent.resolve("runs");
        Path repository = Path.of(System.getProperty("repository.root"));
        int[] ports = FreePorts.three();
        String[] command = {
            "--work", work.toString(), "--repository", repository.toString(),
            "--sst2", Sst2ZipServer.sharedSst2().toString(), "--model", MODEL,
            "--max-steps", "40", "--checkpoint-every", "20",
            "--ports", ports[0] + "," + ports[1] + "," + ports[2]};

        LocalPipeline.Report first = runMainCommand(command);
        assertThat(first.status().state()).isEqualTo(RunStatus.State.COMPLETED);

        ByteArrayOutputStream console = new ByteArrayOutputStream();
        LocalPipeline second = new LocalPipeline(LaunchOptions.parse(command), print(console));
        List<String> listedRuns = new ArrayList<>();
        LocalPipeline.Report secondReport;
        try {
            secondReport = second.run();
            LocalCredentials login = LocalCredentials.keptIn(work.resolve("security"));
            JsonNode runs = JSON.readTree(get(secondReport.dashboard() + "api/runs", login));
            runs.forEach(run -> listedRuns.add(run.path("runId").asText(run.path("run_id").asText())));
        } finally {
            second.stopAll();
            System.out.print(console.toString(StandardCharsets.UTF_8));
        }
        assertThat(console.toString(StandardCharsets.UTF_8)).contains("[work] work folder " + work,
                "[runs] 1 run(s) in this folder:", first.request().runId(), "completed");
        assertThat(secondReport.status().state()).isEqualTo(RunStatus.State.COMPLETED);
        assertThat(secondReport.request().runId()).as("a new run beside the finished one")
                .isNotEqualTo(first.request().runId());
        assertThat(listedRuns).contains(first.request().runId(), secondReport.request().runId());

        assertThat(secretsReadableByOthers(work)).isEmpty();

        ByteArrayOutputStream serveConsole = new ByteArrayOutputStream();
        LocalPipeline serving = new LocalPipeline(ServeCommand.options(new String[] {
            "--work", work.toString(), "--repository", repository.toString(), "--port", String.valueOf(ports[2])}),
                print(serveConsole));
        try {
            LocalPipeline.Served served = serving.serve();
            ServeCommand.printHowToUse(served, print(serveConsole));
            assertThat(served.runs().runs()).hasSize(2);
            assertThat(served.evaluator().get("/", Duration.ofSeconds(30)).statusCode()).as("the dashboard").isEqualTo(200);
            PredictProbe.Result predict = PredictProbe.measure(served.evaluator(), first.request().runId(),
                    Sst2ZipServer.sharedSst2().resolve("dev.tsv"));
            assertThat(predict.step()).isEqualTo(first.predict().step());
            assertThat(predict.accuracy()).as("the same accuracy as at the end of training")
                    .isEqualTo(first.predict().accuracy());
        } finally {
            serving.stopAll();
            System.out.print(serveConsole.toString(StandardCharsets.UTF_8));
        }
        LocalKafkaUsers users = LocalKafkaUsers.inFolder(work.resolve("security"));
        try (EmbeddedKafka kafka = EmbeddedKafka.startWithAcls(work.resolve("kafka"), users.passwords(), users.acls());
                Admin admin = kafka.admin()) {
            assertThat(TopicCatalog.differences(admin, "sst2")).as("every topic's effective configuration").isEmpty();
        }
        assertThat(serveConsole.toString(StandardCharsets.UTF_8)).contains("[serve] 2 run(s) in this folder:",
                "served at http://127.0.0.1:" + ports[2] + "/", "password " + LocalCredentials.keptIn(
                        work.resolve("security")).password());
    }

    private static LocalPipeline.Report runMainCommand(String[] command) throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        LocalPipeline pipeline = new LocalPipeline(LaunchOptions.parse(command), print(console));
        try {
            LocalPipeline.Report report = pipeline.run();
            report.print(print(console));
            return report;
        } finally {
            pipeline.stopAll();
            System.out.print(console.toString(StandardCharsets.UTF_8));
        }
    }

    /** Files under {@code work} that hold a secret and that a group or other users may read (or any such folder). */
    static List<Path> secretsReadableByOthers(Path work) throws IOException {
        Set<PosixFilePermission> others = Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_EXECUTE);
        List<Path> exposed = new ArrayList<>();
        if (Files.getPosixFilePermissions(work).stream().anyMatch(others::contains)) {
            exposed.add(work);
        }
        try (Stream<Path> files = Files.walk(work)) {
            files.filter(Files::isRegularFile).filter(ReopenedWorkFolderTest::holdsASecret).forEach(file -> {
                try {
                    if (Files.getPosixFilePermissions(file).stream().anyMatch(others::contains)) {
                        exposed.add(file);
                    }
                } catch (IOException e) {
                    exposed.add(file);
                }
            });
        }
        return exposed;
    }

    private static boolean holdsASecret(Path file) {
        try {
            String text = Files.size(file) > 1_000_000 ? "" : Files.readString(file, StandardCharsets.ISO_8859_1);
            return text.contains("password") || text.contains("sasl.jaas.config") || text.contains("users.embedded");
        } catch (IOException e) {
            return true;
        }
    }

    private static String get(String url, LocalCredentials login) throws Exception {
        var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(url)).header("Authorization", login.basicAuthorization()).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET " + url).isEqualTo(200);
        return response.body();
    }

    private static PrintStream print(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }
}
