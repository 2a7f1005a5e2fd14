package io.ptuning.tokenizer;

import io.ptuning.contract.security.Roles;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** Authorization on (it is off in the test profile of the other features), with one basic user per role. */
public class SecuredProfile implements QuarkusTestProfile {

    /** A user's password is this + its name. */
    static final String PASSWORD = "secret-of-";
    static final String PUBLISHER = "publisher";
    static final String VIEWER = "viewer";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "ptuning.security.enabled", "true",
                "quarkus.security.users.embedded.plain-text", "true",
                "quarkus.security.users.embedded.users." + PUBLISHER, PASSWORD + PUBLISHER,
                "quarkus.security.users.embedded.roles." + PUBLISHER, Roles.DATASET_PUBLISHER,
                "quarkus.security.users.embedded.users." + VIEWER, PASSWORD + VIEWER,
                "quarkus.security.users.embedded.roles." + VIEWER, Roles.VIEWER);
    }
}
