package io.ptuning.trainer;

import io.ptuning.contract.security.Roles;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Authorization on (it is off in the test profile of the other features): basic users of each role in plain text,
 * and OIDC bearer tokens verified with a test key pair instead of an identity provider's published keys.
 */
public class SecuredProfile implements QuarkusTestProfile {

    public static final String PASSWORD = "secret-of-";

    /** Users named after their one role; the password is {@link #PASSWORD} + name. */
    public static final String OPERATOR = "operator";
    public static final String VIEWER = "viewer";
    public static final String PUBLISHER = "publisher";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.ofEntries(
                Map.entry("ptuning.security.enabled", "true"),
                Map.entry("quarkus.security.users.embedded.plain-text", "true"),
                Map.entry("quarkus.security.users.embedded.users." + OPERATOR, PASSWORD + OPERATOR),
                Map.entry("quarkus.security.users.embedded.roles." + OPERATOR, Roles.RUN_OPERATOR),
                Map.entry("quarkus.security.users.embedded.users." + VIEWER, PASSWORD + VIEWER),
                Map.entry("quarkus.security.users.embedded.roles." + VIEWER, Roles.VIEWER),
                Map.entry("quarkus.security.users.embedded.users." + PUBLISHER, PASSWORD + PUBLISHER),
                Map.entry("quarkus.security.users.embedded.roles." + PUBLISHER, Roles.DATASET_PUBLISHER),
                Map.entry("quarkus.oidc.tenant-enabled", "true"),
                Map.entry("quarkus.oidc.public-key", publicKey()));
    }

    /** The test key pair's public half as quarkus.oidc.public-key wants it: the PEM body without its armour. */
    private static String publicKey() {
        try (InputStream pem = SecuredProfile.class.getResourceAsStream("/security/test-oidc-public.pem")) {
            return new String(pem.readAllBytes(), StandardCharsets.US_ASCII).lines()
                    .filter(line -> !line.startsWith("-----")).reduce("", String::concat);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
