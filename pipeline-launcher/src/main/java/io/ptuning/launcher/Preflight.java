package io.ptuning.launcher;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Everything that can be checked before anything starts, reported all at once with what to do. */
final class Preflight {

    /** Free space the broker's logs, the services' logs and a model import need at least. */
    static final long MIN_FREE_BYTES = 2L * 1024 * 1024 * 1024;

    private Preflight() {}

    static List<String> problems(LaunchOptions options) {
        List<String> problems = new ArrayList<>();
        // Without --sst2 the launcher resolves SST-2 (and may download it) as its first step; see LocalPipeline.
        for (String split : options.sst2() == null ? List.<String>of() : List.of("train.tsv", "dev.tsv")) {
            if (!Files.isRegularFile(options.sst2().resolve(split))) {
                problems.add("SST-2 file " + options.sst2().resolve(split) + " is missing: pass --sst2 DIR with the GLUE"
                        + " SST-2 files (README, 'Getting SST-2')");
                break;
            }
        }
        for (String service : List.of("tokenizer-service", "trainer-service", "evaluator-service")) {
            Path jar = ServiceProcess.jarOf(options.repository(), service);
            if (!Files.isRegularFile(jar)) {
                problems.add(jar + " is missing: build first with ./mvnw -q package -DskipTests");
            }
        }
        List<Integer> ports = new ArrayList<>(List.of(options.tokenizerPort(), options.evaluatorPort()));
        for (int i = 0; i < options.trainers(); i++) {
            ports.add(options.trainerPort() + i); // --trainers N: one port each, from the trainer's up
        }
        for (int port : ports) {
            if (!portIsFree(port)) {
                problems.add("port " + port + " is in use: stop what listens there or pass --ports T,R,E");
            }
        }
        try {
            Files.createDirectories(options.work());
            long free = Files.getFileStore(options.work()).getUsableSpace();
            if (free < MIN_FREE_BYTES) {
                problems.add(String.format("only %.1f GB free under %s; the run needs at least %.0f GB (--work DIR elsewhere)",
                        free / 1e9, options.work(), MIN_FREE_BYTES / 1e9));
            }
        } catch (IOException e) {
            problems.add("cannot use work folder " + options.work() + ": " + e.getMessage());
        }
        return problems;
    }

    static boolean portIsFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            socket.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
