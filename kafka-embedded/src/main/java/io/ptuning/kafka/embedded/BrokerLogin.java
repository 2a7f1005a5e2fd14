package io.ptuning.kafka.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Properties;

/**
 * The SCRAM password of a broker's own user ({@value EmbeddedKafka#BROKER_USER}), kept in its data folder (mode 600)
 * beside the logs that hold its SCRAM credential. The credential is written once, when the folder is formatted, so
 * the password must be the same on every later start: a new one would lock the broker out of its own listener.
 */
record BrokerLogin(String password) {

    static final String FILE = "broker-login.properties";

    /** The password kept in {@code dataDir}, or a new one drawn and kept there for a folder not yet formatted. */
    static BrokerLogin keptIn(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        try {
            if (Files.exists(file)) {
                Properties kept = new Properties();
                try (InputStream in = Files.newInputStream(file)) {
                    kept.load(in);
                }
                OwnerOnlyFiles.restrict(file);
                String password = kept.getProperty("password");
                if (password == null || password.isBlank()) {
                    throw new IllegalStateException(file + " holds no 'password': the broker of " + dataDir
                            + " cannot log in to itself; restore the file from a backup or start on a new folder");
                }
                return new BrokerLogin(password);
            }
            if (Files.exists(dataDir.resolve("logs").resolve("meta.properties"))) {
                throw new IllegalStateException("the Kafka data folder " + dataDir + " was formatted by an earlier"
                        + " version that did not keep the broker's own password, so its broker cannot log in to itself;"
                        + " keep that folder for its records and start on a new one");
            }
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            BrokerLogin login = new BrokerLogin(Base64.getUrlEncoder().withoutPadding().encodeToString(random));
            Properties kept = new Properties();
            kept.setProperty("user", EmbeddedKafka.BROKER_USER);
            kept.setProperty("password", login.password());
            try (OutputStream out = Files.newOutputStream(OwnerOnlyFiles.create(file))) {
                kept.store(out, "the embedded broker's own SCRAM user (a secret: readable by the owner only)");
            }
            return login;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the broker's login in " + file + ": " + e.getMessage(), e);
        }
    }
}
