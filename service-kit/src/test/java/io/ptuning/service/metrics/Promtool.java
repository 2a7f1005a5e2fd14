package io.ptuning.service.metrics;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Prometheus' own {@code promtool check metrics} (Debian package {@code prometheus}) run on a scrape's text: the
 * services' tests check their real {@code /q/metrics} with it. Shipped in this module's test jar.
 */
public final class Promtool {

    /** What promtool printed and how it exited. */
    public record Check(int exitCode, String output) {}

    private Promtool() {}

    /** Skips the calling test, with a message, when promtool is not installed (CI installs it: {@code .ci/run}). */
    public static void assumeInstalled() {
        Assumptions.assumeTrue(binary() != null, "promtool not found: apt-get install prometheus");
    }

    public static Check checkMetrics(String exposition) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(binary(), "check", "metrics").redirectErrorStream(true).start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(exposition.getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("promtool check metrics did not finish within 60 s");
        }
        return new Check(process.exitValue(), output);
    }

    private static String binary() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path candidate = Path.of(dir, "promtool");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }
}
