package io.ptuning.service.security;

import io.quarkus.security.spi.runtime.AuthorizationController;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.interceptor.Interceptor;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The one switch that turns HTTP authorization off: {@code ptuning.security.enabled=false} (README "Security"). On by
 * default; the {@code test} profile turns it off for the tests of other features, and the security tests turn it on.
 * Quarkus's documented way to disable authorization (its {@code AuthorizationController}).
 */
@Alternative
@Priority(Interceptor.Priority.LIBRARY_AFTER)
@ApplicationScoped
public class SecuritySwitch extends AuthorizationController {

    @ConfigProperty(name = "ptuning.security.enabled", defaultValue = "true")
    boolean enabled;

    @Override
    public boolean isAuthorizationEnabled() {
        return enabled;
    }
}
