package io.ptuning.trainer;

import io.smallrye.jwt.build.Jwt;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Set;

/** Bearer tokens as an identity provider issues them, signed with the test key pair of {@link SecuredProfile}. */
final class TestTokens {

    private TestTokens() {}

    /** A token for {@code user} whose {@code groups} claim holds {@code roles}, valid for five minutes. */
    static String of(String user, String... roles) {
        return Jwt.upn(user).issuer("https://idp.test").groups(Set.of(roles)).expiresIn(300).sign(privateKey());
    }

    private static PrivateKey privateKey() {
        try (InputStream pem = TestTokens.class.getResourceAsStream("/security/test-oidc-private.pem")) {
            String body = new String(pem.readAllBytes(), StandardCharsets.US_ASCII).lines()
                    .filter(line -> !line.startsWith("-----")).reduce("", String::concat);
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the test key is not an RSA PKCS#8 key", e);
        }
    }
}
