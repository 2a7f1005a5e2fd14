package io.ptuning.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ptuning.contract.Evaluation;
import io.ptuning.contract.JsonRecords;
import io.ptuning.contract.RunRequest;
import io.ptuning.contract.RunStatus;
import io.ptuning.contract.Topics;
import io.ptuning.contract.kafka.TopicCatalog;
import io.ptuning.contract.kafka.TopicCreator;
import io.ptuning.kafka.embedded.EmbeddedKafka;
import io.ptuning.weights.cache.ModelCache;
import io.ptuning.weights.dataset.DatasetUnavailableException;
import io.ptuning.weights.dataset.Sst2Resolver;
import io.ptuning.weights.dataset.Sst2Settings;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The whole pipeline on one machine: a real Kafka broker (embedded, KRaft, on 127.0.0.1) unless
 * {@code KAFKA_BOOTSTRAP_SERVERS} names a cluster, its data in a {@link WorkFolder} that keeps every run; SST-2 from
 * {@code --sst2}, else resolved (and downloaded on first use) by {@link Sst2Resolver} before anything starts;
 * tokenizer-, trainer- and evaluator-service as separate processes; SST-2 published; one training run followed to
 * the end (the folder's unfinished run, resumed, or a new one); a final report; and everything it started stopped
 * again (also on Ctrl-C). {@code serve} ({@link ServeCommand}) serves a folder's runs again later.
 */
public final class LocalPipeline {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final LaunchOptions options;
    private final PrintStream out;
    private final Sst2Resolver data;
    private final List<AutoCloseable> started = new ArrayList<>();
    private WorkFolder work;
    private LocalCredentials credentials;
    /** The embedded broker's users; null when the run uses an existing cluster (KAFKA_BOOTSTRAP_SERVERS). */
    private LocalKafkaUsers kafkaUsers;

    /** SST-2 as this process's environment configures it, download progress on stderr. */
    LocalPipeline(LaunchOptions options, PrintStream out) {
        this(options, out, Sst2Resolver.configured());
    }

    /** {@code data}: where SST-2 comes from when {@code --sst2} was not given. */
    LocalPipeline(LaunchOptions options, PrintStream out, Sst2Resolver data) {
        this.options = options;
        this.out = out;
        this.data = data;
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("serve")) {
            System.exit(ServeCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length), System.out));
            return;
        }
        if (args.length > 0 && args[0].equals("login")) {
            System.exit(LoginCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length), System.out));
            return;
        }
        LaunchOptions options;
        try {
            options = LaunchOptions.parse(args);
        } catch (LaunchOptions.UsageException e) {
            System.err.println((e.getMessage().isEmpty() ? "" : e.getMessage() + "\n") + LaunchOptions.USAGE);
            System.exit(e.getMessage().isEmpty() ? 0 : 2);
            return;
        }
        List<String> problems = Preflight.problems(options);
        if (!problems.isEmpty()) {
            System.err.println("Cannot start:");
            problems.forEach(p -> System.err.println("  - " + p));
            System.exit(2);
        }
        LocalPipeline pipeline = new LocalPipeline(options, System.out);
        Runtime.getRuntime().addShutdownHook(new Thread(pipeline::stopAll, "pipeline-shutdown"));
        try {
            if (!options.sweep().isEmpty()) {
                SweepFollower.SweepReport sweep = pipeline.runSweep();
                sweep.print(System.out);
                System.exit(sweep.allEndedWell() ? 0 : 1);
            }
            Report report = pipeline.run();
            report.print(System.out);
            System.exit(report.status().state() == RunStatus.State.COMPLETED ? 0 : 1);
        } catch (DatasetUnavailableException | WorkFolder.Refused e) {
            System.err.println("Cannot start:\n  - " + e.getMessage());
            System.exit(2);
        } catch (Exception e) {
            System.err.println("The pipeline failed: " + e.getMessage());
            System.exit(1);
        }
    }

    /**
     * The running services, once SST-2 is published.
     *
     * @param launcherClient how the launcher logs in to the broker (bootstrap servers and, embedded, its SCRAM user)
     */
    private record Started(String bootstrap, Map<String, Object> launcherClient, Path sst2,
            List<ServiceProcess> trainers, ServiceProcess evaluator, JsonNode train) {}

    /** Starts the broker and the services and publishes SST-2: what a run and a sweep both need. */
    private Started start() throws Exception {
        openWork();
        Path sst2 = sst2();
        String bootstrap = startKafka();
        Map<String, Object> launcherClient = launcherClient(bootstrap);
        phase("models", "importing " + options.model() + " into " + ModelCache.configuredRoot() + " (once per machine)");
        ModelCache.configured().resolve(options.model());

        Map<String, String> common = Map.of(
                "kafka.bootstrap.servers", bootstrap,
                "ptuning.model.cache", ModelCache.configuredRoot().toString());
        Map<String, String> computing = with(common, "ptuning.matmul.precision", options.matmulPrecision());
        ServiceProcess tokenizer = service("tokenizer-service", options.tokenizerPort(), "1g", with(common,
                "tokenizer.dataset.dir", sst2.toString(), "tokenizer.model", options.model()), "");
        List<ServiceProcess> trainers = new ArrayList<>();
        for (int i = 0; i < options.trainers(); i++) {
            trainers.add(service("trainer-service", options.trainerPort() + i, "4g", computing,
                    i == 0 ? "" : "trainer-" + (i + 1)));
        }
        ServiceProcess evaluator = service("evaluator-service", options.evaluatorPort(), "4g", computing, "");
        List<ServiceProcess> all = new ArrayList<>(trainers);
        all.add(0, tokenizer);
        all.add(evaluator);
        for (ServiceProcess service : all) {
            service.awaitReady(Duration.ofMinutes(3));
        }
        phase("services", "ready; dashboard: " + evaluator.baseUrl() + "/ (user " + credentials().user()
                + ", password " + credentials().password() + "; services listen on 127.0.0.1 only)");

        phase("tokenizing", "publishing SST-2 train and validation");
        JsonNode train = JSON.readTree(tokenizer.post("/publish/train", "", Duration.ofMinutes(10)));
        JsonNode validation = JSON.readTree(tokenizer.post("/publish/validation", "", Duration.ofMinutes(10)));
        for (JsonNode split : List.of(train, validation)) {
            out.printf("[tokenizing] %s: %d rows in %d batches, padding %.1f%%, %s (%.0f rows/s)%n",
                    split.path("topic").asText(), split.path("rows").asLong(), split.path("batches").asInt(),
                    100 * split.path("paddingRatio").asDouble(), split.path("status").asText().toLowerCase(),
                    split.path("rowsPerSecond").asDouble());
        }
        return new Started(bootstrap, launcherClient, sst2, trainers, evaluator, train);
    }

    /** Runs the pipeline end to end and returns the report; stops nothing (see {@link #stopAll}). */
    Report run() throws Exception {
        long start = System.nanoTime();
        Started services = start();
        String bootstrap = services.bootstrap();
        Map<String, Object> launcherClient = services.launcherClient();
        JsonNode train = services.train();
        ServiceProcess evaluator = services.evaluator();
        List<ServiceProcess> watched = new ArrayList<>(services.trainers());
        watched.add(evaluator);

        RunRequest request = runToFollow(RunCatalog.read(launcherClient), launcherClient, train);

        try (RunFollower follower = new RunFollower(launcherClient, request.runId(), out)) {
            follower.follow(Duration.ofHours(12), () -> healthCheck(watched));
            double totalSeconds = (System.nanoTime() - start) / 1e9;
            PredictProbe.Result predict = null;
            if (follower.finalStatus().state() == RunStatus.State.COMPLETED && follower.best() != null) {
                phase("serving", "dev sentences through POST /api/predict, " + PredictProbe.SENTENCES_PER_REQUEST
                        + " per request");
                predict = PredictProbe.measure(evaluator, request.runId(), services.sst2().resolve("dev.tsv"));
            }
            return new Report(request, follower.finalStatus(), follower.evaluations(), follower.best(),
                    follower.stepsDone(), follower.trainingSeconds(), follower.meanExamplesPerSecond(),
                    totalSeconds, predict, evaluator.baseUrl() + "/", bootstrap, launcherClient, work.root());
        }
    }

    /**
     * Runs a sweep ({@code --sweep}) over {@code --trainers} trainer processes: the trainer expands it into runs, the
     * group shares them, and the evaluator's leaderboard is read once every run has ended and its last checkpoint is
     * scored. Stops nothing (see {@link #stopAll}).
     */
    SweepFollower.SweepReport runSweep() throws Exception {
        long start = System.nanoTime();
        Started services = start();
        JsonNode train = services.train();
        Map<String, Object> base = new java.util.LinkedHashMap<>();
        base.put("preset", options.preset());
        base.put("overrides", options.overrides());
        base.put("base_model", options.model());
        base.put("batch_topic", train.path("topic").asText());
        base.put("dataset_version", train.path("datasetVersion").asText());
        base.put("checkpoint_every_steps", options.checkpointEvery());
        base.put("max_steps", options.maxSteps());
        base.put("matmul_precision", options.matmulPrecision());
        String sweepId = options.runId() != null ? options.runId() : "sweep-" + System.currentTimeMillis() / 1000;
        Map<String, Object> sweep = Map.of("sweep_id", sweepId, "base", base, "grid", options.sweep(),
                "median_stopping_after", options.medianStoppingAfter());
        JsonNode accepted = JSON.readTree(services.trainers().get(0).post("/sweeps", JSON.writeValueAsString(sweep),
                Duration.ofMinutes(1)));
        phase("sweep", "sweep " + sweepId + ": " + accepted.path("created").size() + " runs over "
                + options.trainers() + " trainer(s): " + options.sweep() + " on " + options.preset() + " "
                + options.overrides() + ", " + (options.maxSteps() > 0 ? options.maxSteps() + " steps" : "all epochs"));
        List<ServiceProcess> watched = new ArrayList<>(services.trainers());
        watched.add(services.evaluator());
        SweepFollower follower = new SweepFollower(services.evaluator(), sweepId, out);
        return follower.follow(Duration.ofHours(48), () -> healthCheck(watched), options.trainers(), start);
    }

    /**
     * The run this command follows: the named run if the folder has it (resumed if unfinished, reported if ended);
     * without {@code --run-id}, the folder's last unfinished run, resumed; else a new run, requested here. A resumed
     * run keeps its request as first sent (its recipe is part of its identity), whatever this command line says.
     */
    private RunRequest runToFollow(RunCatalog catalog, Map<String, Object> client, JsonNode train) throws Exception {
        catalog.print(out, "runs");
        Optional<RunCatalog.Run> existing = options.runId() != null ? catalog.get(options.runId())
                : catalog.lastUnfinished();
        if (existing.isPresent()) {
            RunCatalog.Run run = existing.get();
            RunRequest request = run.request();
            phase("training", run.ended()
                    ? "run " + run.runId() + " has ended (" + run.state() + "); its report follows"
                    : "resuming run " + run.runId() + " (" + run.state() + ", " + run.steps() + " steps reported)"
                            + " from its last checkpoint: preset " + request.preset() + " " + request.overrides()
                            + " as first requested; pass --run-id NEW for a new run instead");
            return request;
        }
        String runId = options.runId() != null ? options.runId() : "run-" + System.currentTimeMillis() / 1000;
        RunRequest request = RunRequest.of(runId, options.preset(), options.overrides(), options.model(),
                train.path("topic").asText(), train.path("datasetVersion").asText())
                .withBudget(options.checkpointEvery(), options.maxSteps())
                .withMatmulPrecision(options.matmulPrecision());
        requestRun(client, request);
        phase("training", "run " + request.runId() + ": preset " + request.preset() + " " + request.overrides()
                + ", " + (options.maxSteps() > 0 ? options.maxSteps() + " steps" : "all epochs"));
        return request;
    }

    /** Fails the pipeline when a service died or the work folder's disk is about to fill up. */
    private void healthCheck(List<ServiceProcess> watched) {
        for (ServiceProcess service : watched) {
            if (!service.isAlive()) {
                throw new IllegalStateException(service.name() + " stopped; its log ends with:\n"
                        + service.logTail(30));
            }
        }
        DiskSpace.requireFree(work.root(), DiskSpace.minimumWhileRunning());
    }

    /**
     * Serves a work folder's runs again: the broker on the folder (unless {@code KAFKA_BOOTSTRAP_SERVERS} names a
     * cluster) and the evaluator-service alone, which scores nothing new and serves the dashboard, {@code /api/runs}
     * and {@code /api/predict} for every run. Stops nothing (see {@link #stopAll}).
     *
     * @return the evaluator, ready, and the runs it serves
     */
    Served serve() throws Exception {
        if (options.kafka() == null || options.kafka().isBlank()) {
            WorkFolder.requireExisting(options.work());
        }
        openWork();
        String bootstrap = startKafka();
        Map<String, Object> client = launcherClient(bootstrap);
        RunCatalog runs = RunCatalog.read(client);
        runs.print(out, "serve");
        for (String model : runs.runs().stream().map(run -> run.request().baseModel()).distinct().toList()) {
            phase("models", model + " from " + ModelCache.configuredRoot() + " (imported if missing)");
            ModelCache.configured().resolve(model);
        }
        ServiceProcess evaluator = service("evaluator-service", options.evaluatorPort(), "4g", Map.of(
                "kafka.bootstrap.servers", bootstrap,
                "ptuning.model.cache", ModelCache.configuredRoot().toString(),
                "ptuning.matmul.precision", options.matmulPrecision()), "serve");
        evaluator.awaitReady(Duration.ofMinutes(3));
        return new Served(evaluator, runs, credentials(), work.root());
    }

    /** What {@link #serve} started: the evaluator (watch it with {@code isAlive}) and how to log in to it. */
    record Served(ServiceProcess evaluator, RunCatalog runs, LocalCredentials login, Path work) {}

    /** How the launcher logs in to the broker: bootstrap servers and, on the embedded broker, its SCRAM user. */
    private Map<String, Object> launcherClient(String bootstrap) {
        return kafkaUsers == null ? Map.of("bootstrap.servers", bootstrap)
                : kafkaUsers.client(LocalKafkaUsers.LAUNCHER, bootstrap);
    }

    /** Opens (and locks) the work folder, saying where the runs are kept. */
    private void openWork() {
        work = WorkFolder.open(options.work());
        phase("work", (work.isNew() ? "new work folder " : "work folder ") + work.root() + ": every run is kept"
                + " there (broker data, logins, logs); serve its runs later with: java -jar "
                + "pipeline-launcher/target/pipeline-launcher.jar serve --work " + work.root());
    }

    /** {@code --sst2}, else SST2_DIR, the data cache or a download into it (its progress bar on stderr). */
    private Path sst2() {
        if (options.sst2() != null) {
            phase("data", "SST-2 from " + options.sst2() + " (--sst2)");
            return options.sst2();
        }
        Path folder = data.resolve();
        phase("data", "SST-2 from " + folder);
        return folder;
    }

    private String startKafka() {
        if (options.kafka() != null && !options.kafka().isBlank()) {
            phase("kafka", "using the cluster at " + options.kafka() + " (KAFKA_BOOTSTRAP_SERVERS)");
            return options.kafka();
        }
        kafkaUsers = LocalKafkaUsers.inFolder(work.security());
        EmbeddedKafka kafka = EmbeddedKafka.startWithAcls(work.kafka(), kafkaUsers.passwords(), kafkaUsers.acls());
        started.add(kafka);
        phase("kafka", "embedded broker (KRaft) at " + kafka.bootstrapServers() + ", data in " + kafka.dataDir()
                + "; SASL/SCRAM, deny by default, one user per service with its own ACLs");
        // Every topic as the catalog defines it before any service starts; a folder of an earlier version (metric
        // topics that expired after a week) is brought to the catalog here.
        try (Admin admin = kafka.admin()) {
            List<String> changes = new TopicCreator(admin, kafka.bootstrapServers(), (short) 1)
                    .ensure(TopicCatalog.all(LocalKafkaUsers.DATASET));
            long created = changes.stream().filter(change -> change.startsWith("created topic")).count();
            if (created > 0) {
                phase("kafka", created + " topics created as TopicCatalog defines them");
            }
            changes.stream().filter(change -> !change.startsWith("created topic")).forEach(change -> phase("kafka", change));
        }
        return kafka.bootstrapServers();
    }

    /** The HTTP user of the work folder, drawn when it was made (README "Security"). */
    private synchronized LocalCredentials credentials() {
        if (credentials == null) {
            credentials = LocalCredentials.keptIn(work.security());
        }
        return credentials;
    }

    /** {@code logFolder}: below the work's logs, for a second process of the same service; "" for the first. */
    private ServiceProcess service(String name, int port, String heap, Map<String, String> properties,
            String logFolder) {
        Path logs = work.logs().resolve(logFolder);
        List<Path> kafkaLogin = kafkaUsers == null ? List.of() : List.of(kafkaUsers.serviceConfig(name));
        ServiceProcess service = ServiceProcess.start(options.repository(), name, port, heap, properties, logs,
                credentials(), kafkaLogin);
        started.add(service);
        phase("services", "starting " + name + " on port " + port + " (log: " + logs.resolve(name + ".log") + ")");
        return service;
    }

    private static void requestRun(Map<String, Object> client, RunRequest request) throws Exception {
        Properties properties = new Properties();
        properties.putAll(client);
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.RUNS, request.runId(), JsonRecords.encode(request))).get();
        }
    }

    private static Map<String, String> with(Map<String, String> base, String... pairs) {
        Map<String, String> all = new java.util.LinkedHashMap<>(base);
        for (int i = 0; i < pairs.length; i += 2) {
            all.put(pairs[i], pairs[i + 1]);
        }
        return all;
    }

    private void phase(String phase, String message) {
        out.printf("[%s] %s%n", phase, message);
    }

    /** Stops services first (they flush to Kafka), then the broker, then lets go of the work folder; safe to call twice. */
    void stopAll() {
        synchronized (started) {
            for (int i = started.size() - 1; i >= 0; i--) {
                try {
                    started.get(i).close();
                } catch (Exception e) {
                    out.println("stopping: " + e.getMessage());
                }
            }
            started.clear();
            if (work != null) {
                work.close();
                work = null;
            }
        }
    }

    /**
     * What a person wants to know at the end of a run.
     *
     * @param predict the dev split served through {@code /api/predict}, or null when the run did not complete
     * @param kafkaClient how the launcher logs in to the broker (bootstrap servers and, embedded, its SCRAM user)
     * @param work the work folder that keeps the run
     */
    record Report(RunRequest request, RunStatus status, List<Evaluation> evaluations, Evaluation best, long steps,
            double trainingSeconds, double examplesPerSecond, double totalSeconds, PredictProbe.Result predict,
            String dashboard, String kafka, Map<String, Object> kafkaClient, Path work) {

        void print(PrintStream out) {
            out.println();
            out.printf("== Run %s: %s ==%n", request.runId(), status.state().name().toLowerCase()
                    + (status.reason() == null || status.reason().isBlank() ? "" : " (" + status.reason() + ")"));
            out.printf("model %s, preset %s %s, %d steps, %s matrix products on %s%n", request.baseModel(),
                    request.preset(), request.overrides(), steps, request.matmulPrecision(), cpu());
            out.printf("%8s %8s %10s %10s %10s%n", "step", "epoch", "accuracy", "loss", "macro-F1");
            for (Evaluation e : evaluations) {
                out.printf("%8d %8d %10.4f %10.4f %10.4f%n", e.step(), e.epoch(), e.accuracy(), e.loss(), e.macroF1());
            }
            if (best != null) {
                out.printf("best checkpoint: step %d, dev accuracy %.4f (%d examples)%n", best.step(), best.accuracy(),
                        best.examples());
            }
            out.printf("training: %.1f min at %.1f examples/s; whole pipeline %.1f min%n", trainingSeconds / 60,
                    examplesPerSecond, totalSeconds / 60);
            if (predict != null) {
                out.printf("serving: %d dev sentences through /api/predict (run %s, step %d) in %d requests of %d: "
                        + "%.1f sentences/s, accuracy %.4f%n", predict.sentences(), predict.runId(), predict.step(),
                        predict.requests(), PredictProbe.SENTENCES_PER_REQUEST, predict.sentencesPerSecond(),
                        predict.accuracy());
            }
            out.printf("the run is kept in %s; serve it (and every run there) again with:%n", work);
            out.printf("  java -jar pipeline-launcher/target/pipeline-launcher.jar serve --work %s%n", work);
        }

        /** The CPU's model name and whether it has AMX (what decides how float32 products are computed here). */
        private static String cpu() {
            try {
                List<String> lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo"));
                String model = lines.stream().filter(l -> l.startsWith("model name")).findFirst()
                        .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("an unnamed CPU");
                boolean amx = lines.stream().anyMatch(l -> l.startsWith("flags") && l.contains(" amx_bf16"));
                return model + (amx ? " (AMX)" : " (no AMX)") + ", " + Runtime.getRuntime().availableProcessors()
                        + " cores";
            } catch (java.io.IOException e) {
                return System.getProperty("os.arch") + ", " + Runtime.getRuntime().availableProcessors() + " cores";
            }
        }
    }
}
