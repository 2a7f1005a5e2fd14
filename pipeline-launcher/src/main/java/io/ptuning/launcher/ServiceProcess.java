package io.ptuning.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One service as a separate JVM running its packaged Quarkus app, with its log in a file. */
final class ServiceProcess implements AutoCloseable {

    /** Where Debian and Ubuntu ({@code libtcmalloc-minimal4}) and Fedora and RHEL ({@code gperftools-libs}) install tcmalloc. */
    static final List<Path> TCMALLOC = List.of(
            Path.of("/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4"),
            Path.of("/usr/lib/aarch64-linux-gnu/libtcmalloc_minimal.so.4"),
            Path.of("/usr/lib64/libtcmalloc_minimal.so.4"));

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final int port;
    private final Path log;
    private final Process process;

    private final LocalCredentials credentials;

    private ServiceProcess(String name, int port, Path log, Process process, LocalCredentials credentials) {
        this.name = name;
        this.port = port;
        this.log = log;
        this.process = process;
        this.credentials = credentials;
    }

    static Path jarOf(Path repository, String service) {
        return repository.resolve(service).resolve("target/quarkus-app/quarkus-run.jar");
    }

    /**
     * Starts {@code service} with {@code properties} as system properties (Quarkus config) and {@code heap}, listening
     * on the loopback interface only, with {@code credentials} as its one HTTP user.
     */
    static ServiceProcess start(Path repository, String service, int port, String heap, Map<String, String> properties,
            Path logs, LocalCredentials credentials) {
        return start(repository, service, port, heap, properties, logs, credentials, List.of());
    }

    /** As above, with more configuration files (e.g. its Kafka login) that only the owner can read. */
    static ServiceProcess start(Path repository, String service, int port, String heap, Map<String, String> properties,
            Path logs, LocalCredentials credentials, List<Path> configFiles) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + heap);
        command.add("-Dquarkus.http.port=" + port);
        command.add("-Dquarkus.http.host=127.0.0.1");
        List<String> locations = new ArrayList<>(List.of(credentials.configLocation()));
        configFiles.forEach(file -> locations.add(file.toUri().toString()));
        command.add("-Dquarkus.config.locations=" + String.join(",", locations));
        command.add("-Dai.djl.offline=true");
        // The service ends with its launcher, however the launcher ends (service-kit's ParentWatch).
        command.add("-Dptuning.parent.pid=" + ProcessHandle.current().pid());
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-jar");
        command.add(jarOf(repository, service).toString());
        try {
            Files.createDirectories(logs);
            Path log = logs.resolve(service + ".log");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(repository.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())); // a reopened folder keeps earlier logs
            tuneNativeRuntime(builder.environment(), TCMALLOC);
            Process process = builder.start();
            return new ServiceProcess(service, port, log, process, credentials);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + service + ": " + e.getMessage(), e);
        }
    }

    /**
     * The environment libtorch runs best in here; a value the user set wins.
     * <ul>
     * <li>{@code OMP_WAIT_POLICY=PASSIVE}: libtorch's OpenMP threads spin while they wait for work. Here the trainer
     * and the evaluator share the machine's cores, and the spinning threads of one starve the other and their own Kafka
     * and JVM threads; passive waiting made the whole run faster, and the trainer's two CPU parts faster alone.
     * <li>{@code LD_PRELOAD} of gperftools' tcmalloc, where the machine has it: a step allocates and frees hundreds of
     * large blocks, which tcmalloc serves faster than glibc (MiniLM with two CPU parts: a few percent, near the noise
     * of the machine it was measured on). PyTorch's and AMD's CPU tuning guides recommend it too.
     * </ul>
     * BENCHMARKS.md, "CPU replicas", has the figures.
     */
    static void tuneNativeRuntime(Map<String, String> environment, List<Path> tcmallocLocations) {
        environment.putIfAbsent("OMP_WAIT_POLICY", "PASSIVE");
        tcmallocLocations.stream().filter(Files::isRegularFile).findFirst()
                .ifPresent(library -> environment.putIfAbsent("LD_PRELOAD", library.toString()));
    }

    /** Waits until {@code /q/health/ready} answers 200; fails with the log's tail if the process dies first. */
    void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpRequest ready = HttpRequest.newBuilder(URI.create(baseUrl() + "/q/health/ready"))
                .timeout(Duration.ofSeconds(5)).GET().build();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with code " + process.exitValue() + "; its log "
                        + log + " ends with:\n" + logTail(40));
            }
            try {
                if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException(name + " was not ready within " + timeout.toSeconds() + " s; see " + log
                + ":\n" + logTail(40));
    }

    /** POSTs {@code body} (JSON) to {@code path} and returns the response body; non-2xx fails with the body. */
    String post(String path, String body, Duration timeout) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Authorization", credentials.basicAuthorization())
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(name + " answered " + response.statusCode() + " to POST " + path + ": "
                    + response.body() + "\nits log " + log + " ends with:\n" + logTail(30));
        }
        return response.body();
    }

    /** GETs {@code path} with the launcher's credentials and returns the response whatever its status. */
    HttpResponse<String> get(String path, Duration timeout) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .timeout(timeout)
                .header("Authorization", credentials.basicAuthorization())
                .GET()
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String name() {
        return name;
    }

    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /** SIGKILL, what an OOM kill or a lost node does: no shutdown hook runs, no Kafka client is closed. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** Stops the service gracefully (SIGTERM lets Quarkus close its Kafka clients), then forcibly. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
