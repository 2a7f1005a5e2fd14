package io.ptuning.trainer.admission;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ptuning.contract.RunRequest;
import io.ptuning.weights.cache.ModelArtifact;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import static java.util.stream.Collectors.joining;

/**
 * The door every run request passes before anything is queued or trained, whether it comes over REST or on
 * {@code ptuning.runs}: each field of the JSON object, the recipe its preset and overrides make, the base model, and
 * the batch topic, offset range and dataset version on the broker. It names every problem at once. A sweep that
 * expands into run requests checks each of them here too.
 */
public final class RunRequestCheck {

    /** The request as it will be queued and trained, or every reason it will not be. */
    public sealed interface Verdict permits Admitted, Refused {}

    public record Admitted(RunRequest request) implements Verdict {}

    public record Refused(List<String> problems) implements Verdict {
        public Refused {
            problems = List.copyOf(problems);
        }

        public String reason() {
            return String.join("; ", problems);
        }
    }

    /** A run id is a record key and part of a transactional id: short, and no character that needs escaping. */
    static final Pattern RUN_ID = Pattern.compile("[a-zA-Z0-9_-]{1,200}");
    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    private static final List<String> FIELDS = Arrays.stream(RunRequest.class.getRecordComponents())
            .map(c -> c.getAccessor().getAnnotation(JsonProperty.class).value()).toList();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the broker holds of a batch topic ({@link BatchTopicCatalog#problems}): every problem, empty when none. */
    @FunctionalInterface
    public interface BatchTopics {
        List<String> problems(String topic, String datasetVersion, long from, long to);
    }

    private final Predicate<String> knownModel;
    private final BatchTopics topics;

    /**
     * @param knownModel whether a base model name resolves (the trainer's model cache)
     * @param topics the broker's batch topics; a function, so that the check can run without a broker (its fuzz test)
     */
    public RunRequestCheck(Predicate<String> knownModel, BatchTopics topics) {
        this.knownModel = knownModel;
        this.topics = topics;
    }

    /** A request over REST: a JSON object whose {@code run_id} may be left out (one is generated). */
    public Verdict checkNew(JsonNode body) {
        return check(body, true, null);
    }

    /** A record of {@code ptuning.runs}: the JSON object names its run id, and the record key is that id. */
    public Verdict checkRecord(byte[] value, String key) {
        if (value == null) {
            return new Refused(List.of("the record has no value; expected a JSON run request"));
        }
        JsonNode json;
        try {
            json = JSON.readTree(value);
        } catch (IOException e) {
            return new Refused(List.of("not JSON: " + e.getMessage().lines().findFirst().orElse("")));
        }
        return check(json, false, key);
    }

    private Verdict check(JsonNode json, boolean generateRunId, String key) {
        if (json == null || !json.isObject()) {
            return new Refused(List.of("expected a JSON object with at least base_model and batch_topic"));
        }
        JsonFields fields = new JsonFields(json);
        for (Iterator<String> names = json.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                fields.problem(name + " is not a field of a run request (known: " + String.join(", ", FIELDS) + ")");
            }
        }
        Integer schema = fields.integer("schema_version", RunRequest.SCHEMA_VERSION, RunRequest.SCHEMA_VERSION);
        if (schema != null && schema != RunRequest.SCHEMA_VERSION) {
            fields.problem("schema_version " + schema + " is not " + RunRequest.SCHEMA_VERSION
                    + ", the version this trainer reads");
        }
        String runId = fields.text("run_id", !generateRunId);
        if (runId == null && generateRunId && !json.has("run_id")) {
            runId = "run-" + UUID.randomUUID();
        } else if (runId != null && !RUN_ID.matcher(runId).matches()) {
            fields.problem("run_id '" + runId + "' is malformed: use 1 to 200 letters, digits, '_' and '-'");
        }
        if (key != null && runId != null && !key.equals(runId)) {
            fields.problem("the record key '" + key + "' is not the run_id '" + runId + "': ptuning.runs is keyed by"
                    + " run id");
        }
        String preset = Objects.requireNonNullElse(fields.text("preset", false), "ptv2");
        Map<String, String> overrides = fields.stringMap("overrides");
        fields.problems().addAll(RecipeCheck.problems(preset, overrides));
        String baseModel = fields.text("base_model", true);
        if (baseModel != null && !knownModel.test(baseModel)) {
            fields.problem("base_model '" + baseModel + "' is neither in the trainer's model cache nor one it imports ("
                    + Arrays.stream(ModelArtifact.values()).map(ModelArtifact::modelName).collect(joining(", "))
                    + "); import it into the cache first (README \"Models\")");
        }
        String batchTopic = fields.text("batch_topic", true);
        if (batchTopic != null && (!TOPIC.matcher(batchTopic).matches() || batchTopic.endsWith(".dlq"))) {
            fields.problem("batch_topic '" + batchTopic + "' is not a batch topic name (e.g. sst2.batches.train)");
            batchTopic = null;
        }
        String datasetVersion = fields.text("dataset_version", false);
        Long from = fields.longValue("from_offset", 0L, 0L);
        Long to = fields.longValue("to_offset", -1L, -1L);
        if (from != null && to != null && to != -1 && from > to) {
            fields.problem("from_offset " + from + " is after to_offset " + to);
        }
        Integer every = fields.integer("checkpoint_every_steps", 0, 0);
        Long maxSteps = fields.longValue("max_steps", 0L, 0L);
        String device = Objects.requireNonNullElse(fields.text("device", false), "auto");
        if (!List.of("auto", "cpu", "gpu").contains(device)) {
            fields.problem("device '" + device + "' is not one of auto, cpu, gpu");
        }
        String precision = fields.text("matmul_precision", false);
        if (precision != null && !RunRequest.MATMUL_PRECISIONS.contains(precision)) {
            fields.problem("matmul_precision '" + precision + "' is not one of "
                    + String.join(", ", RunRequest.MATMUL_PRECISIONS) + " (or absent: the trainer's own)");
        }
        if (batchTopic != null && from != null && to != null && (to == -1 || from <= to)) {
            fields.problems().addAll(topics.problems(batchTopic, datasetVersion, from, to));
        }
        if (!fields.problems().isEmpty()) {
            return new Refused(fields.problems());
        }
        return new Admitted(new RunRequest(RunRequest.SCHEMA_VERSION, runId, preset, overrides, baseModel, batchTopic,
                datasetVersion, from, to, every, maxSteps, device, precision));
    }

    /** Reads fields of one JSON object, collecting a problem for each that is missing or of the wrong type. */
    private static final class JsonFields {

        private final JsonNode json;
        private final List<String> problems = new ArrayList<>();

        JsonFields(JsonNode json) {
            this.json = json;
        }

        List<String> problems() {
            return problems;
        }

        void problem(String problem) {
            problems.add(problem);
        }

        String text(String name, boolean required) {
            JsonNode node = json.get(name);
            if (node == null || node.isNull()) {
                if (required) {
                    problems.add(name + " is required");
                }
                return null;
            }
            if (!node.isTextual() || node.asText().isBlank()) {
                problems.add(name + " must be a non-empty string, got " + node);
                return null;
            }
            return node.asText();
        }

        Long longValue(String name, long absent, long min) {
            JsonNode node = json.get(name);
            if (node == null || node.isNull()) {
                return absent;
            }
            if (!node.canConvertToLong() || !node.isIntegralNumber() || node.asLong() < min) {
                problems.add(name + " must be an integer >= " + min + ", got " + node);
                return null;
            }
            return node.asLong();
        }

        Integer integer(String name, int absent, int min) {
            JsonNode node = json.get(name);
            if (node == null || node.isNull()) {
                return absent;
            }
            if (!node.canConvertToInt() || !node.isIntegralNumber() || node.asInt() < min) {
                problems.add(name + " must be an integer >= " + min + ", got " + node);
                return null;
            }
            return node.asInt();
        }

        /** An object of scalar values, each as text (a number or boolean is accepted for its text). */
        Map<String, String> stringMap(String name) {
            Map<String, String> map = new LinkedHashMap<>();
            JsonNode node = json.get(name);
            if (node == null || node.isNull()) {
                return map;
            }
            if (!node.isObject()) {
                problems.add(name + " must be an object of name: value, got " + node);
                return map;
            }
            node.fields().forEachRemaining(entry -> {
                if (entry.getValue().isValueNode() && !entry.getValue().isNull()) {
                    map.put(entry.getKey(), entry.getValue().asText());
                } else {
                    problems.add(name + "." + entry.getKey() + " must be a string, number or boolean, got "
                            + entry.getValue());
                }
            });
            return map;
        }
    }
}
