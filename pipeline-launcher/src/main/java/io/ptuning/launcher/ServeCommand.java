package io.ptuning.launcher;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code serve [--work DIR] [--port P]}: every run of a work folder served again, long after the command that trained
 * it ended: the broker on the folder and the evaluator-service (dashboard, {@code /api/runs}, {@code /api/predict}),
 * until Ctrl-C. With {@code KAFKA_BOOTSTRAP_SERVERS} only the evaluator starts, on that cluster.
 */
final class ServeCommand {

    static final String USAGE = """
            usage: java -jar pipeline-launcher/target/pipeline-launcher.jar serve [options]
              serves every run of a work folder (dashboard, /api/runs, /api/predict) until Ctrl-C
              --work DIR            the work folder the main command used (default ./ptuning-runs)
              --port P              the evaluator's HTTP port (default 8080)
              --repository DIR      the project's clone, with the built services (default .)
              --matmul-precision P  float32 (default) | bfloat16
            environment: KAFKA_BOOTSTRAP_SERVERS serves from an existing cluster instead of the folder's broker;
                         PTUNING_MODEL_CACHE moves the model cache (default ~/.cache/ptuning/models)
            the login: java -jar pipeline-launcher/target/pipeline-launcher.jar login [--work DIR] [--reset]""";

    private ServeCommand() {
    }

    /** Serves until Ctrl-C (then 0) or the evaluator stops (1); 2 for a command line or folder it cannot serve. */
    static int run(String[] args, PrintStream out) {
        LaunchOptions options;
        try {
            options = options(args);
        } catch (LaunchOptions.UsageException e) {
            System.err.println((e.getMessage().isEmpty() ? "" : e.getMessage() + "\n") + USAGE);
            return e.getMessage().isEmpty() ? 0 : 2;
        }
        List<String> problems = new ArrayList<>();
        if (!java.nio.file.Files.isRegularFile(ServiceProcess.jarOf(options.repository(), "evaluator-service"))) {
            problems.add(ServiceProcess.jarOf(options.repository(), "evaluator-service")
                    + " is missing: build first with ./mvnw -q package -DskipTests");
        }
        if (!Preflight.portIsFree(options.evaluatorPort())) {
            problems.add("port " + options.evaluatorPort() + " is in use: stop what listens there or pass --port P");
        }
        if (!problems.isEmpty()) {
            System.err.println("Cannot serve:");
            problems.forEach(p -> System.err.println("  - " + p));
            return 2;
        }
        LocalPipeline pipeline = new LocalPipeline(options, out);
        Runtime.getRuntime().addShutdownHook(new Thread(pipeline::stopAll, "serve-shutdown"));
        try {
            LocalPipeline.Served served = pipeline.serve();
            printHowToUse(served, out);
            while (served.evaluator().isAlive()) {
                Thread.sleep(1000);
            }
            System.err.println("the evaluator-service stopped; its log ends with:\n" + served.evaluator().logTail(30));
            return 1;
        } catch (WorkFolder.Refused e) {
            System.err.println("Cannot serve:\n  - " + e.getMessage());
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } catch (Exception e) {
            System.err.println("Serving failed: " + e.getMessage());
            return 1;
        }
    }

    /** The main command's options for a folder served by the evaluator alone on {@code --port}. */
    static LaunchOptions options(String[] args) {
        List<String> launch = new ArrayList<>();
        String port = "8080";
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (name.equals("--help") || name.equals("-h")) {
                throw new LaunchOptions.UsageException("");
            }
            if (!List.of("--work", "--port", "--repository", "--matmul-precision").contains(name)) {
                throw new LaunchOptions.UsageException("serve takes --work, --port, --repository and"
                        + " --matmul-precision, got '" + name + "'");
            }
            if (i + 1 >= args.length) {
                throw new LaunchOptions.UsageException(name + " needs a value");
            }
            if (name.equals("--port")) {
                port = args[++i];
            } else {
                launch.add(name);
                launch.add(args[++i]);
            }
        }
        launch.addAll(List.of("--ports", "0,0," + port));
        return LaunchOptions.parse(launch.toArray(String[]::new));
    }

    static void printHowToUse(LocalPipeline.Served served, PrintStream out) {
        String base = served.evaluator().baseUrl();
        LocalCredentials login = served.login();
        out.printf("[serve] %d run(s) of %s served at %s/ (dashboard; user %s, password %s)%n", served.runs().runs().size(),
                served.work(), base, login.user(), login.password());
        out.printf("[serve] predict: curl -u %s:%s -H 'Content-Type: application/json' -d '{\"run_id\": \"RUN\","
                + " \"sentences\": [\"a gripping, funny film\"]}' %s/api/predict%n", login.user(), login.password(), base);
        out.printf("[serve] runs: curl -u %s:%s %s/api/runs   (show the login again: login --work %s;"
                + " draw a new one: login --reset)%n", login.user(), login.password(), base, served.work());
        out.println("[serve] serving until Ctrl-C");
    }
}
