package io.ptuning.launcher;

import io.ptuning.contract.security.Roles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * The one HTTP user of a local run: {@code ptuning} with every role and a password drawn for this run. The services
 * read it from a configuration file only the owner can read (its SHA-512 digest, never the password), and the
 * launcher prints the password so the user can open the dashboard.
 */
record LocalCredentials(String user, String password, Path configFile) {

    static final String USER = "ptuning";
    /** The embedded realm's default name, part of the digest (Quarkus: HEX(SHA-512(user:realm:password))). */
    private static final String REALM = "Quarkus";
    private static final List<String> ROLES = List.of(Roles.RUN_OPERATOR, Roles.DATASET_PUBLISHER, Roles.PREDICTOR,
            Roles.VIEWER);

    /** Draws a password and writes the services' configuration file into {@code folder}. */
    static LocalCredentials generate(Path folder) {
        byte[] random = new byte[18];
        new SecureRandom().nextBytes(random);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Path file = folder.resolve("http-users.properties");
        try {
            Files.createDirectories(folder);
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
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
