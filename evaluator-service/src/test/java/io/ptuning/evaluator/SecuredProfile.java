package io.ptuning.evaluator;

import io.ptuning.contract.security.Roles;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** Authorization on (it is off in the test profile of the other features), with one basic user per role. */
public class SecuredProfile implements QuarkusTestProfile {

    /** A user's password is this + its name. */
    static final String PASSWORD = "secret-of-";
    static final String VIEWER = "viewer";
    static final String PREDICTOR = "predictor";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "ptuning.security.enabled", "true",
                "quarkus.security.users.embedded.plain-text", "true",
                "quarkus.security.users.embedded.users." + VIEWER, PASSWORD + VIEWER,
                "quarkus.security.users.embedded.roles." + VIEWER, Roles.VIEWER,
                "quarkus.security.users.embedded.users." + PREDICTOR, PASSWORD + PREDICTOR,
                "quarkus.security.users.embedded.roles." + PREDICTOR, Roles.PREDICTOR);
    }
}
