package io.ptuning.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Follows a sweep through the evaluator's leaderboard ({@code GET /api/sweeps/{id}}) until every run has ended and
 * the last checkpoint of every completed run is scored, printing each run's status as it changes.
 */
final class SweepFollower {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> ENDED = Set.of("COMPLETED", "FAILED", "CANCELLED");

    private final ServiceProcess evaluator;
    private final String sweepId;
    private final PrintStream out;

    SweepFollower(ServiceProcess evaluator, String sweepId, PrintStream out) {
        this.evaluator = evaluator;
        this.sweepId = sweepId;
        this.out = out;
    }

    /** One run of the leaderboard, with the mean training throughput of its step events. */
    record RunResult(String runId, String status, String reason, Double bestAccuracy, Long bestStep,
            Map<String, String> params, double examplesPerSecond) {}

    /** The sweep at its end: its runs best first, the keys that vary, and the wall time from the launcher's start. */
    record SweepReport(String sweepId, List<String> varied, List<RunResult> runs, int trainers, double totalSeconds) {

        boolean allEndedWell() {
            return runs.stream().allMatch(r -> r.status().equals("COMPLETED") || r.status().equals("CANCELLED"));
        }

        void print(PrintStream out) {
            out.println();
            out.printf("== Sweep %s: %d runs on %d trainer(s), %.1f min ==%n", sweepId, runs.size(), trainers,
                    totalSeconds / 60);
            StringBuilder header = new StringBuilder(String.format("%4s  %-40s %-10s %9s %7s %9s", "rank", "run",
                    "status", "best acc", "@ step", "ex/s"));
            varied.forEach(key -> header.append(String.format(" %10s", key)));
            out.println(header);
            int rank = 1;
            for (RunResult run : runs) {
                StringBuilder line = new StringBuilder(String.format("%4d  %-40s %-10s %9s %7s %9.1f", rank++,
                        run.runId(), run.status().toLowerCase(),
                        run.bestAccuracy() == null ? "-" : String.format("%.4f", run.bestAccuracy()),
                        run.bestStep() == null ? "-" : run.bestStep().toString(), run.examplesPerSecond()));
                varied.forEach(key -> line.append(String.format(" %10s", run.params().get(key))));
                out.println(line);
            }
            runs.stream().filter(r -> r.reason() != null && !r.reason().isBlank())
                    .forEach(r -> out.printf("%s: %s%n", r.runId(), r.reason()));
        }
    }

    SweepReport follow(Duration timeout, Runnable healthCheck, int trainers, long startNanos)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, String> seen = new HashMap<>();
        while (System.nanoTime() < deadline) {
            healthCheck.run();
            JsonNode board = get("/api/sweeps/" + sweepId);
            if (board != null) {
                boolean done = board.path("runs").size() > 0;
                for (JsonNode run : board.path("runs")) {
                    String runId = run.path("run_id").asText();
                    String status = run.path("status").asText();
                    if (!status.equals(seen.put(runId, status))) {
                        out.printf("[sweep] %s %s%n", runId, status.toLowerCase());
                    }
                    done &= ENDED.contains(status) && (!status.equals("COMPLETED") || lastCheckpointScored(runId));
                }
                if (done) {
                    return report(board, trainers, (System.nanoTime() - startNanos) / 1e9);
                }
            }
            Thread.sleep(2000);
        }
        throw new IllegalStateException("sweep " + sweepId + " did not end within " + timeout.toHours() + " h");
    }

    private boolean lastCheckpointScored(String runId) throws IOException, InterruptedException {
        JsonNode run = get("/api/runs/" + runId);
        return run != null && run.path("latest").path("final").asBoolean(false);
    }

    private SweepReport report(JsonNode board, int trainers, double seconds) throws IOException, InterruptedException {
        List<String> varied = new ArrayList<>();
        board.path("varied").forEach(key -> varied.add(key.asText()));
        List<RunResult> runs = new ArrayList<>();
        for (JsonNode line : board.path("runs")) {
            String runId = line.path("run_id").asText();
            JsonNode run = get("/api/runs/" + runId);
            double examplesPerSecond = 0;
            String reason = "";
            if (run != null) {
                examplesPerSecond = mean(run.path("train_steps"));
                reason = run.path("status").path("reason").asText("");
            }
            Map<String, String> params = new HashMap<>();
            line.path("params").fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
            runs.add(new RunResult(runId, line.path("status").asText(), reason,
                    line.path("best_accuracy").isNumber() ? line.path("best_accuracy").asDouble() : null,
                    line.path("best_step").isNumber() ? line.path("best_step").asLong() : null, params,
                    examplesPerSecond));
        }
        return new SweepReport(sweepId, varied, runs, trainers, seconds);
    }

    private static double mean(JsonNode steps) {
        double sum = 0;
        int count = 0;
        for (JsonNode step : steps) {
            sum += step.path("examples_per_second").asDouble();
            count++;
        }
        return count == 0 ? 0 : sum / count;
    }

    /** The JSON at {@code path} of the evaluator, or null while it answers 404 (a sweep not read yet). */
    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = evaluator.get(path, Duration.ofSeconds(30));
        if (response.statusCode() == 404) {
            return null;
        }
        if (response.statusCode() != 200) {
            throw new IOException("GET " + evaluator.baseUrl() + path + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return JSON.readTree(response.body());
    }
}
