package io.ptuning.contract;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A sweep: one base run request and the values to vary, a grid over any recipe key ({@code lr}, {@code seed},
 * {@code psl}, ...) or {@code base_model} / {@code preset}. It expands into one run request per combination, with
 * run ids made of the sweep id and the combination ({@code s1--lr-0_01--seed-1}), so the same sweep always names the
 * same runs. The value of a {@code ptuning.runs} record of type {@value #REQUEST_RECORD_TYPE} (asked) or
 * {@value #RECORD_TYPE} (accepted, written once with its runs), keyed by sweep id.
 *
 * @param base the request every run starts from; its {@code run_id} is ignored, and a missing {@code to_offset} is
 *     the end of the topic (-1), as in {@code POST /runs}
 * @param grid key to the values it takes; every combination is one run
 * @param medianStoppingAfter 0: no early stopping; K > 0: once a run has K evaluations, stop it when its best
 *     accuracy is below the median of the sweep's other runs at the same step
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SweepRequest(
        @JsonProperty("schema_version") int schemaVersion,
        @JsonProperty("sweep_id") String sweepId,
        @JsonProperty("base") RunRequest base,
        @JsonProperty("grid") Map<String, List<String>> grid,
        @JsonProperty("median_stopping_after") int medianStoppingAfter) {

    public static final String REQUEST_RECORD_TYPE = "sweep_request";
    public static final String RECORD_TYPE = "sweep";
    public static final int SCHEMA_VERSION = 1;
    /** Between the sweep id and each key-value pair of a run id. */
    public static final String SEPARATOR = "--";
    /**
     * Most runs one sweep may make: the grid's combinations are counted before they are made, so a record of a few
     * hundred bytes cannot ask for millions of runs (and the memory to list them).
     */
    public static final int MAX_RUNS = 1000;
    /** Grid keys that set a request field; every other key is a recipe override. */
    public static final Set<String> REQUEST_KEYS = Set.of("base_model", "preset");

    private static final Pattern UNSAFE = Pattern.compile("[^a-zA-Z0-9_-]");

    public SweepRequest {
        requireSweepId(sweepId);
        if (base == null) {
            throw new IllegalArgumentException("sweep " + sweepId + ": base (a run request) is required");
        }
        if (grid == null || grid.isEmpty()) {
            throw new IllegalArgumentException("sweep " + sweepId + ": grid is empty; name at least one key and its"
                    + " values, e.g. {\"lr\": [\"0.01\", \"0.02\"]}");
        }
        Map<String, List<String>> sorted = new TreeMap<>();
        grid.forEach((key, values) -> {
            if (key == null || key.isBlank() || UNSAFE.matcher(key).find()) {
                throw new IllegalArgumentException("sweep " + sweepId + ": grid key '" + key
                        + "' is not a recipe key (letters, digits, '_' and '-')");
            }
            if (values == null || values.isEmpty()) {
                throw new IllegalArgumentException("sweep " + sweepId + ": grid key '" + key + "' has no values");
            }
            if (values.stream().anyMatch(v -> v == null || v.isBlank())) {
                throw new IllegalArgumentException("sweep " + sweepId + ": grid key '" + key + "' has an empty value");
            }
            if (new HashSet<>(values).size() != values.size()) {
                throw new IllegalArgumentException("sweep " + sweepId + ": grid key '" + key + "' repeats a value: "
                        + values);
            }
            sorted.put(key, List.copyOf(values));
        });
        grid = java.util.Collections.unmodifiableMap(sorted);
        long combinations = 1;
        for (List<String> values : grid.values()) {
            combinations *= values.size();
            if (combinations > MAX_RUNS) {
                throw new IllegalArgumentException("sweep " + sweepId + ": the grid makes more than " + MAX_RUNS
                        + " runs (" + grid.keySet() + " with " + grid.values().stream().map(List::size).toList()
                        + " values); split it into several sweeps");
            }
        }
        if (medianStoppingAfter < 0) {
            throw new IllegalArgumentException("sweep " + sweepId + ": median_stopping_after must be >= 0 (0: off)");
        }
        List<SweepRun> runs = expand(sweepId, grid);
        Set<String> ids = new HashSet<>();
        for (SweepRun run : runs) {
            if (!ids.add(run.runId())) {
                throw new IllegalArgumentException("sweep " + sweepId + ": two combinations map to run id "
                        + run.runId() + " (values that differ only in characters other than letters, digits, '_' and"
                        + " '-'); write the values alike");
            }
        }
    }

    /** Reads {@code base} without a run id (each run gets its own). */
    @JsonCreator
    static SweepRequest fromJson(@JsonProperty("schema_version") int schemaVersion,
            @JsonProperty("sweep_id") String sweepId, @JsonProperty("base") JsonNode base,
            @JsonProperty("grid") Map<String, List<String>> grid,
            @JsonProperty("median_stopping_after") int medianStoppingAfter) {
        requireSweepId(sweepId);
        RunRequest request = null;
        if (base instanceof ObjectNode object) {
            ObjectNode copy = object.deepCopy();
            copy.put("run_id", sweepId);
            // The defaults of POST /runs: the whole topic, checkpoints at epoch ends, all epochs.
            if (!copy.hasNonNull("schema_version")) {
                copy.put("schema_version", RunRequest.SCHEMA_VERSION);
            }
            if (!copy.hasNonNull("to_offset")) {
                copy.put("to_offset", -1L);
            }
            request = JsonRecords.JSON.convertValue(copy, RunRequest.class);
        } else if (base != null && !base.isNull()) {
            throw new IllegalArgumentException("sweep " + sweepId + ": base must be a JSON object (a run request)");
        }
        return new SweepRequest(schemaVersion == 0 ? SCHEMA_VERSION : schemaVersion, sweepId, request, grid,
                medianStoppingAfter);
    }

    /** A sweep id: letters, digits, '_' and single '-' (a double '-' separates the parts of its run ids). */
    public static void requireSweepId(String sweepId) {
        Topics.requireNamePart("sweep_id", sweepId);
        if (sweepId.contains(SEPARATOR) || sweepId.endsWith("-")) {
            throw new IllegalArgumentException("sweep_id '" + sweepId + "' may not contain '" + SEPARATOR
                    + "' or end with '-': that separates the sweep id from the values in its run ids");
        }
    }

    /** Whether {@code runId} is one of the runs of sweep {@code sweepId}. */
    public static boolean belongsTo(String runId, String sweepId) {
        return runId.startsWith(sweepId + SEPARATOR);
    }

    /** The sweep a run id belongs to, or null for a run outside any sweep. */
    public static String sweepOf(String runId) {
        int at = runId.indexOf(SEPARATOR);
        return at <= 0 ? null : runId.substring(0, at);
    }

    /** One run of the sweep: its id and the value of every grid key. */
    public record SweepRun(String runId, Map<String, String> params) {}

    /** Every combination of the grid, keys in name order, values in the order given. */
    public List<SweepRun> runs() {
        return expand(sweepId, grid);
    }

    /** The grid keys that take more than one value: what tells the runs apart. */
    public List<String> varied() {
        return grid.entrySet().stream().filter(e -> e.getValue().size() > 1).map(Map.Entry::getKey).toList();
    }

    /** The run requests of the sweep, in the order of {@link #runs()}. */
    public List<RunRequest> runRequests() {
        return runs().stream().map(this::request).toList();
    }

    private RunRequest request(SweepRun run) {
        Map<String, String> overrides = new TreeMap<>(base.overrides());
        String baseModel = base.baseModel();
        String preset = base.preset();
        for (Map.Entry<String, String> param : run.params().entrySet()) {
            switch (param.getKey()) {
                case "base_model" -> baseModel = param.getValue();
                case "preset" -> preset = param.getValue();
                default -> overrides.put(param.getKey(), param.getValue());
            }
        }
        return new RunRequest(RunRequest.SCHEMA_VERSION, run.runId(), preset, overrides, baseModel, base.batchTopic(),
                base.datasetVersion(), base.fromOffset(), base.toOffset(), base.checkpointEverySteps(),
                base.maxSteps(), base.device(), base.matmulPrecision());
    }

    private static List<SweepRun> expand(String sweepId, Map<String, List<String>> grid) {
        List<Map<String, String>> combinations = new ArrayList<>();
        combinations.add(new LinkedHashMap<>());
        for (Map.Entry<String, List<String>> axis : grid.entrySet()) {
            List<Map<String, String>> next = new ArrayList<>();
            for (Map<String, String> combination : combinations) {
                for (String value : axis.getValue()) {
                    Map<String, String> extended = new LinkedHashMap<>(combination);
                    extended.put(axis.getKey(), value);
                    next.add(extended);
                }
            }
            combinations = next;
        }
        return combinations.stream().map(params -> {
            StringBuilder id = new StringBuilder(sweepId);
            params.forEach((key, value) -> id.append(SEPARATOR).append(key).append('-')
                    .append(UNSAFE.matcher(value.trim()).replaceAll("_")));
            return new SweepRun(id.toString(), java.util.Collections.unmodifiableMap(params));
        }).toList();
    }
}
