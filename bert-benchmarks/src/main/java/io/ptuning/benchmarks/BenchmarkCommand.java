package io.ptuning.benchmarks;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code java -jar bert-benchmarks/target/bert-benchmarks.jar forward|train|matmul|dropout [--name value ...]}:
 * prints measured figures for this machine. SST-2 is read from {@code --sst2 DIR} (default {@code data/sst2}).
 */
public final class BenchmarkCommand {

    /** The options each command reads: any other is a typo that would silently run something else. */
    private static final Map<String, Set<String>> OPTIONS = Map.of(
            "forward", Set.of("sst2", "repeats"),
            "train", Set.of("sst2", "model", "preset", "method", "psl", "steps", "eval-every", "lr", "schedule",
                    "minutes", "set", "replicas", "profile"),
            "matmul", Set.of(),
            "dropout", Set.of());

    private static final String USAGE = """
                    usage: java -jar bert-benchmarks.jar forward [--sst2 DIR] [--repeats 3]
                           java -jar bert-benchmarks.jar train [--sst2 DIR] [--model all-minilm-l6-v2]
                                [--preset seed|ptv2 (a named recipe, for its own epochs) | --method prefix|prompt]
                                [--steps 2105] [--eval-every 150] [--lr 1e-2]
                                [--schedule linear (6% warm-up, decay, clip 1.0) | constant (torch AdamW defaults)]
                                [--minutes 0 (no limit)] [--set name=value,... (any recipe value: psl, lr,
                                 reparameterize, weight_decay, max_grad_norm, warmup_ratio, ...)]
                                [--replicas 1 (parts of each batch on this CPU, each on its own thread and share of the cores)]
                                [--profile FILE (libtorch's profiler over the last 10 steps, a Chrome trace)]
                           java -jar bert-benchmarks.jar matmul  (the encoder's products at each matmul precision)
                           java -jar bert-benchmarks.jar dropout (a dropout's cost per value, three ways)""";

    private BenchmarkCommand() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("ai.djl.offline", "true");
        boolean help = Arrays.asList(args).contains("--help");
        if (help || args.length == 0 || !OPTIONS.containsKey(args[0])) {
            (help ? System.out : System.err).println(USAGE);
            System.exit(help ? 0 : 2);
        }
        Map<String, String> options;
        try {
            options = options(args[0], Arrays.copyOfRange(args, 1, args.length));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage() + "\n\n" + USAGE);
            System.exit(2);
            return;
        }
        Path sst2 = Path.of(options.getOrDefault("sst2", "data/sst2"));
        if (args[0].equals("matmul")) {
            new MatmulBenchmark().run();
        } else if (args[0].equals("dropout")) {
            new DropoutBenchmark().run();
        } else if (args[0].equals("forward")) {
            new ForwardBenchmark(sst2, Integer.parseInt(options.getOrDefault("repeats", "3"))).run();
        } else {
            new TrainingBenchmark(sst2, options).run();
        }
    }

    private static Map<String, String> options(String command, String[] args) {
        Set<String> accepted = OPTIONS.get(command);
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got " + Arrays.toString(args));
            }
            String name = args[i].substring(2);
            if (!accepted.contains(name)) {
                List<String> known = accepted.stream().sorted().map(option -> "--" + option).toList();
                throw new IllegalArgumentException(command + " has no option --" + name + " (it takes "
                        + (known.isEmpty() ? "none" : String.join(", ", known)) + ")");
            }
            options.put(name, args[i + 1]);
        }
        return options;
    }
}
