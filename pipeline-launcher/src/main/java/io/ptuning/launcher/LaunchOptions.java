package io.ptuning.launcher;

import io.ptuning.contract.RunRequest;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a local run does. By default: MiniLM, P-Tuning v2 prefix, two epochs of SST-2 train, an evaluation of the
 * whole dev split every 300 steps. For that short budget the default run doubles the prefix to psl 40, raises the
 * learning rate to 2e-2 and trains without dropout on the prefix ({@link #DEFAULT_OVERRIDES}); naming a preset runs
 * it as defined.
 *
 * @param sst2 the SST-2 folder given with {@code --sst2}, or null: then SST-2 is resolved like the tokenizer-service
 *     does (SST2_DIR, the data cache, a download of GLUE's SST-2.zip; see {@code Sst2Resolver})
 * @param overrides hyper-parameters replacing the preset's, e.g. {@code lr=5e-3}
 * @param kafka an existing cluster's bootstrap servers, or null to start an embedded broker
 * @param matmulPrecision {@code float32} or {@code bfloat16}: the trainer and evaluator run at it, and the run request
 *     is pinned to it
 * @param runId the run (or sweep) named with {@code --run-id}, or null: then the work folder's unfinished run, else a
 *     new one
 * @param sweep {@code --sweep key=v1,v2} (repeatable): a grid; empty for one run. With a grid, {@code runId} is the
 *     sweep id
 * @param trainers trainer processes in the consumer group (ports from {@code trainerPort} up)
 * @param medianStoppingAfter the sweep's median stopping rule after that many evaluations; 0: off
 */
record LaunchOptions(
        Path sst2,
        Path work,
        Path repository,
        String model,
        String preset,
        Map<String, String> overrides,
        long maxSteps,
        int checkpointEvery,
        String kafka,
        int tokenizerPort,
        int trainerPort,
        int evaluatorPort,
        String runId,
        String matmulPrecision,
        Map<String, List<String>> sweep,
        int trainers,
        int medianStoppingAfter) {

    /** The recipe that did best in two epochs among those measured (BENCHMARKS.md, "Prefix tuning MiniLM"). */
    static final Map<String, String> DEFAULT_OVERRIDES = Map.of("epochs", "2", "lr", "0.02", "prefix_dropout", "0",
            "psl", "40");

    static final String USAGE = """
            usage: java -jar pipeline-launcher/target/pipeline-launcher.jar [options]
                   java -jar pipeline-launcher/target/pipeline-launcher.jar serve|login [--work DIR] ... (--help)
              --sst2 DIR            SST-2 folder with train.tsv and dev.tsv (default: SST2_DIR, else the data cache,
                                    else GLUE's SST-2.zip downloaded into it; README: Getting SST-2)
              --model NAME          all-minilm-l6-v2 (default) | bert-base-uncased | a folder name in the model cache
              --preset NAME         ptv2 | seed (the reference notebook); default: ptv2 with epochs=2, psl=40,
                                    lr=0.02 and prefix_dropout=0, measured best for two epochs
              --set KEY=VALUE       override a hyper-parameter (repeatable): psl, lr, epochs, seed, method, ...
              --max-steps N         training budget in steps (default 0: all epochs of the recipe)
              --checkpoint-every N  checkpoint (and evaluate) every N steps (default 300; epoch ends always)
              --work DIR            the folder that keeps every run: broker data, logins, logs (default
                                    ./ptuning-runs); reopened by the next command and by 'serve'
              --run-id ID           the run to train, resume or report (default: the folder's unfinished run,
                                    resumed, else a new run-<time>)
              --ports T,R,E         HTTP ports of tokenizer, trainer, evaluator (default 8081,8082,8080)
              --matmul-precision P  float32 (default: exact products on every CPU) | bfloat16 (opt-in: bfloat16
                                    inside oneDNN on CPUs with AMX, TF32 on CUDA)
              --sweep KEY=V1,V2     a sweep instead of one run (repeatable: every combination is a run), e.g.
                                    --sweep lr=0.01,0.02 --sweep seed=1,2; --run-id is then the sweep id
              --trainers N          trainer processes sharing the runs (default 1; ports from the trainer's up)
              --median-stopping-after K  stop a sweep's run whose best accuracy after K evaluations is below the
                                    median of the others at the same step (default 0: off)
            environment: KAFKA_BOOTSTRAP_SERVERS uses an existing cluster instead of the embedded broker;
                         PTUNING_MODEL_CACHE moves the model cache (default ~/.cache/ptuning/models);
                         SST2_DIR is the default of --sst2; PTUNING_DATA_CACHE moves the data cache (default
                         ~/.cache/ptuning/datasets); PTUNING_SST2_URL downloads SST-2.zip from a mirror;
                         PTUNING_OFFLINE=1 never downloads;
                         PTUNING_MATMUL_PRECISION is the default of --matmul-precision""";

    static LaunchOptions parse(String[] args) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> overrides = new LinkedHashMap<>();
        Map<String, List<String>> sweep = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (name.equals("--help") || name.equals("-h")) {
                throw new UsageException("");
            }
            if (!name.startsWith("--") || i + 1 >= args.length) {
                throw new UsageException("expected '--option value', got '" + name + "'");
            }
            String value = args[++i];
            if (name.equals("--set")) {
                int eq = value.indexOf('=');
                if (eq < 1) {
                    throw new UsageException("--set takes KEY=VALUE, got '" + value + "'");
                }
                overrides.put(value.substring(0, eq), value.substring(eq + 1));
            } else if (name.equals("--sweep")) {
                int eq = value.indexOf('=');
                if (eq < 1 || eq == value.length() - 1) {
                    throw new UsageException("--sweep takes KEY=V1,V2,..., got '" + value + "'");
                }
                if (sweep.put(value.substring(0, eq), List.of(value.substring(eq + 1).split(","))) != null) {
                    throw new UsageException("--sweep names " + value.substring(0, eq) + " twice");
                }
            } else {
                values.put(name.substring(2), value);
            }
        }
        if (!values.containsKey("preset")) {
            Map<String, String> defaults = new LinkedHashMap<>(new java.util.TreeMap<>(DEFAULT_OVERRIDES));
            defaults.putAll(overrides);
            overrides = defaults;
        }
        String[] ports = values.getOrDefault("ports", "8081,8082,8080").split(",");
        if (ports.length != 3) {
            throw new UsageException("--ports takes three ports: tokenizer,trainer,evaluator");
        }
        LaunchOptions options = new LaunchOptions(
                values.containsKey("sst2") ? Path.of(values.get("sst2")).toAbsolutePath().normalize() : null,
                Path.of(values.getOrDefault("work", WorkFolder.DEFAULT)).toAbsolutePath().normalize(),
                Path.of(values.getOrDefault("repository", ".")).toAbsolutePath().normalize(),
                values.getOrDefault("model", "all-minilm-l6-v2"),
                values.getOrDefault("preset", "ptv2"),
                overrides,
                Long.parseLong(values.getOrDefault("max-steps", "0")),
                Integer.parseInt(values.getOrDefault("checkpoint-every", "300")),
                System.getenv("KAFKA_BOOTSTRAP_SERVERS"),
                Integer.parseInt(ports[0].trim()),
                Integer.parseInt(ports[1].trim()),
                Integer.parseInt(ports[2].trim()),
                values.get("run-id"),
                matmulPrecision(values.get("matmul-precision")),
                sweep,
                positive("trainers", values.getOrDefault("trainers", "1"), 1),
                positive("median-stopping-after", values.getOrDefault("median-stopping-after", "0"), 0));
        values.keySet().removeAll(java.util.List.of("sst2", "work", "repository", "model", "preset", "max-steps",
                "checkpoint-every", "ports", "run-id", "matmul-precision", "trainers", "median-stopping-after"));
        if (options.medianStoppingAfter() > 0 && sweep.isEmpty()) {
            throw new UsageException("--median-stopping-after compares the runs of a sweep: add --sweep KEY=V1,V2");
        }
        if (!values.isEmpty()) {
            throw new UsageException("unknown option(s): " + values.keySet());
        }
        return options;
    }

    private static int positive(String option, String value, int least) {
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= least) {
                return n;
            }
        } catch (NumberFormatException notANumber) {
            // reported below
        }
        throw new UsageException("--" + option + " takes a whole number >= " + least + ", got '" + value + "'");
    }

    private static String matmulPrecision(String option) {
        String env = System.getenv("PTUNING_MATMUL_PRECISION");
        String value = option != null ? option : env != null && !env.isBlank() ? env.trim() : "float32";
        if (!RunRequest.MATMUL_PRECISIONS.contains(value)) {
            throw new UsageException((option != null ? "--matmul-precision" : "PTUNING_MATMUL_PRECISION") + " is '"
                    + value + "', expected one of " + RunRequest.MATMUL_PRECISIONS);
        }
        return value;
    }

    /** A command line that cannot be run; the launcher prints the message and the usage. */
    static final class UsageException extends IllegalArgumentException {
        UsageException(String message) {
            super(message);
        }
    }
}
