package io.ptuning.benchmarks;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code java -jar bert-benchmarks/target/bert-benchmarks.jar forward|train|matmul|dropout [--name value ...]}:
 * prints measured figures for this machine. SST-2 is read from {@code --sst2 DIR} (default {@code data/sst2}).
 */
public final class BenchmarkCommand {

    private BenchmarkCommand() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("ai.djl.offline", "true");
        if (args.length == 0 || !(args[0].equals("forward") || args[0].equals("train") || args[0].equals("matmul")
                || args[0].equals("dropout"))) {
            System.err.println("""
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
                           java -jar bert-benchmarks.jar dropout (a dropout's cost per value, three ways)""");
            System.exit(2);
        }
        Map<String, String> options = options(Arrays.copyOfRange(args, 1, args.length));
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

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got " + Arrays.toString(args));
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        return options;
    }
}
