package io.ptuning.launcher;

import io.ptuning.contract.security.Roles;
import io.ptuning.kafka.embedded.OwnerOnlyFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;

/**
 * The one HTTP user of a work folder: {@code ptuning} with every role and a password drawn when the folder was made
 * and kept in it ({@value #LOGIN_FILE}, mode 600), so that the dashboard of a run served again later takes the same
 * login. The services read a configuration file only the owner can read (the SHA-512 digest, never the password);
 * the launcher prints the password so the user can open the dashboard, and {@code login --reset} draws a new one.
 */
record LocalCredentials(String user, String password, Path configFile) {

    static final String USER = "ptuning";
    /** The embedded realm's default name, part of the digest (Quarkus: HEX(SHA-512(user:realm:password))). */
    private static final String REALM = "Quarkus";
    private static final List<String> ROLES = List.of(Roles.RUN_OPERATOR, Roles.DATASET_PUBLISHER, Roles.PREDICTOR,
            Roles.VIEWER);

    static final String LOGIN_FILE = "http-login.properties";
    static final String USERS_FILE = "http-users.properties";

    /** The login kept in {@code folder}, or a new one drawn and kept there; the services' users file written anew. */
    static LocalCredentials keptIn(Path folder) {
        if (!Files.exists(folder.resolve(LOGIN_FILE))) {
            return reset(folder);
        }
        return write(folder, read(folder).password());
    }

    /** The login kept in {@code folder}, read only (the folder may be in use). */
    static LocalCredentials read(Path folder) {
        Path login = folder.resolve(LOGIN_FILE);
        Properties kept = new Properties();
        try (InputStream in = Files.newInputStream(login)) {
            kept.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the HTTP login in " + login + ": " + e.getMessage(), e);
        }
        String password = kept.getProperty("password");
        if (password == null || password.isBlank()) {
            throw new IllegalStateException(login + " holds no 'password': draw a new login with 'login --reset'");
        }
        return new LocalCredentials(USER, password, folder.resolve(USERS_FILE));
    }

    /** Draws a new password and keeps it in {@code folder}: services started afterwards take only the new one. */
    static LocalCredentials reset(Path folder) {
        byte[] random = new byte[18];
        new SecureRandom().nextBytes(random);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Path login = folder.resolve(LOGIN_FILE);
        Properties kept = new Properties();
        kept.setProperty("user", USER);
        kept.setProperty("password", password);
        try (OutputStream out = Files.newOutputStream(OwnerOnlyFiles.create(login))) {
            kept.store(out, "the HTTP login of this work folder's services (a secret: readable by the owner only)");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the HTTP login in " + login + ": " + e.getMessage(), e);
        }
        return write(folder, password);
    }

    /** The services' users file for {@code password}: the digest only. */
    private static LocalCredentials write(Path folder, String password) {
        Path file = folder.resolve(USERS_FILE);
        try {
            OwnerOnlyFiles.create(file);
            Files.writeString(file, "quarkus.security.users.embedded.users." + USER + "=" + digest(USER, password) + "\n"
                    + "quarkus.security.users.embedded.roles." + USER + "=" + String.join(",", ROLES) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the services' HTTP users to " + file + ": " + e.getMessage(), e);
        }
        return new LocalCredentials(USER, password, file);
    }

    /** What a service is started with so that it knows the user. */
    String configLocation() {
        return configFile.toUri().toString();
    }

    /** The value of an {@code Authorization} header for this user. */
    String basicAuthorization() {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    static String digest(String user, String password) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512")
                    .digest((user + ":" + REALM + ":" + password).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-512 is missing from this JVM", e);
        }
    }
}
