package io.ptuning.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The serving path measured at the end of a run: SST-2's dev sentences through {@code POST /api/predict} of the
 * evaluator, in requests of {@link #SENTENCES_PER_REQUEST}, one after another (a warm-up request first). Reports
 * sentences per second and how many predicted labels match the dev labels, which should be the best checkpoint's
 * dev accuracy (the evaluator serves that checkpoint; it scores padded batches and predict tokenizes on its own).
 */
final class PredictProbe {

    static final int SENTENCES_PER_REQUEST = 32;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the probe measured. */
    record Result(int sentences, int requests, double seconds, double accuracy, String runId, long step) {
        double sentencesPerSecond() {
            return sentences / seconds;
        }
    }

    private PredictProbe() {}

    static Result measure(ServiceProcess evaluator, String runId, Path devTsv) throws IOException, InterruptedException {
        List<String> sentences = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<String> lines = Files.readAllLines(devTsv);
        for (int i = 1; i < lines.size(); i++) { // GLUE TSV: a header line, then sentence<TAB>label
            int tab = lines.get(i).lastIndexOf('\t');
            if (tab > 0) {
                sentences.add(lines.get(i).substring(0, tab));
                labels.add(Integer.parseInt(lines.get(i).substring(tab + 1).trim()));
            }
        }
        request(evaluator, runId, sentences.subList(0, Math.min(SENTENCES_PER_REQUEST, sentences.size())));
        int correct = 0;
        int requests = 0;
        JsonNode last = null;
        long start = System.nanoTime();
        for (int from = 0; from < sentences.size(); from += SENTENCES_PER_REQUEST) {
            int to = Math.min(from + SENTENCES_PER_REQUEST, sentences.size());
            last = request(evaluator, runId, sentences.subList(from, to));
            requests++;
            JsonNode predictions = last.path("predictions");
            for (int i = 0; i < predictions.size(); i++) {
                correct += predictions.get(i).path("label_id").asInt() == labels.get(from + i) ? 1 : 0;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(sentences.size(), requests, seconds, (double) correct / sentences.size(),
                last == null ? runId : last.path("run_id").asText(), last == null ? -1 : last.path("step").asLong());
    }

    private static JsonNode request(ServiceProcess evaluator, String runId, List<String> sentences)
            throws IOException, InterruptedException {
        String body = JSON.writeValueAsString(Map.of("run_id", runId, "sentences", sentences));
        return JSON.readTree(evaluator.post("/api/predict", body, Duration.ofMinutes(5)));
    }
}
