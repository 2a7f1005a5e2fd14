package io.ptuning.service.lifecycle;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Ends this service when the process that started it ends, however it ends: {@code ptuning.parent.pid}, set by the
 * local launcher. Without it a launcher killed with SIGKILL (or halted by its broker) would leave its services running
 * against a broker that is gone, holding the ports the next launch needs. Off when the property is absent (Compose,
 * Kubernetes, tests).
 */
@ApplicationScoped
public class ParentWatch {

    private static final Logger LOG = Logger.getLogger(ParentWatch.class);

    @ConfigProperty(name = "ptuning.parent.pid")
    Optional<Long> parentPid;

    void watch(@Observes StartupEvent started) {
        parentPid.ifPresent(pid -> ProcessHandle.of(pid).ifPresentOrElse(
                parent -> parent.onExit().thenRun(() -> stop(pid)),
                () -> stop(pid)));
    }

    private static void stop(long pid) {
        LOG.warnf("the process that started this service (pid %d) has ended: stopping", pid);
        Quarkus.asyncExit(0);
    }
}
