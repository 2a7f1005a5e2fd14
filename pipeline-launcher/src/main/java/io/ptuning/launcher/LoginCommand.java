package io.ptuning.launcher;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * {@code login [--work DIR] [--reset]}: the HTTP login of a work folder's services, shown, or drawn anew with
 * {@code --reset} (services started afterwards accept only the new one; the folder must not be in use).
 */
final class LoginCommand {

    static final String USAGE = """
            usage: java -jar pipeline-launcher/target/pipeline-launcher.jar login [--work DIR] [--reset]
              shows the dashboard's and the API's login of a work folder (default ./ptuning-runs);
              --reset draws a new password (stop the launcher or serve using the folder first)""";

    private LoginCommand() {
    }

    static int run(String[] args, PrintStream out) {
        Path work = Path.of(WorkFolder.DEFAULT);
        boolean reset = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--work" -> {
                    if (i + 1 >= args.length) {
                        System.err.println("--work needs a value\n" + USAGE);
                        return 2;
                    }
                    work = Path.of(args[++i]);
                }
                case "--reset" -> reset = true;
                case "--help", "-h" -> {
                    out.println(USAGE);
                    return 0;
                }
                default -> {
                    System.err.println("login takes --work DIR and --reset, got '" + args[i] + "'\n" + USAGE);
                    return 2;
                }
            }
        }
        try {
            WorkFolder.requireExisting(work);
            LocalCredentials login;
            if (reset) {
                // Taking the folder's lock: a reset under a running launcher would lock its user out.
                try (WorkFolder folder = WorkFolder.open(work)) {
                    login = LocalCredentials.reset(folder.security());
                }
            } else { // read while the folder is served, too
                login = LocalCredentials.read(work.toAbsolutePath().resolve("security"));
            }
            out.printf("user %s, password %s%s%n", login.user(), login.password(), reset ? " (new)" : "");
            return 0;
        } catch (WorkFolder.Refused e) {
            System.err.println("Cannot read the login:\n  - " + e.getMessage());
            return 2;
        }
    }
}
