package io.ptuning.evaluator.dashboard;

import io.ptuning.contract.security.Roles;
import io.ptuning.evaluator.history.MetricUpdate;
import io.ptuning.evaluator.history.RunHistories;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.RestStreamElementType;

/**
 * {@code GET /api/events}: a server-sent events stream of every new train step, run status and evaluation, as
 * {@link MetricUpdate} JSON. A client first loads {@code /api/curves}, then follows this. At most
 * {@code evaluator.sse.max-clients} streams are open at once (each holds a buffer); one more is answered 503 with
 * {@code Retry-After}, which an {@code EventSource} honours by reconnecting later.
 */
@Path("/api/events")
@RolesAllowed(Roles.VIEWER)
@ApplicationScoped
public class MetricStream {

    private static final int OVERFLOW_BUFFER = 10_000;

    private final BroadcastProcessor<MetricUpdate> updates = BroadcastProcessor.create();
    private final AtomicInteger clients = new AtomicInteger();
    private final int maxClients;

    MetricStream(RunHistories histories, @ConfigProperty(name = "evaluator.sse.max-clients", defaultValue = "32")
            int maxClients) {
        this.maxClients = maxClients;
        // Updates come from the replay thread and the checkpoint consumer; a processor needs them one at a time.
        histories.onUpdate(update -> {
            synchronized (updates) {
                updates.onNext(update);
            }
        });
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    public Multi<MetricUpdate> events() {
        if (clients.incrementAndGet() > maxClients) {
            clients.decrementAndGet();
            throw new WebApplicationException(Response.status(Response.Status.SERVICE_UNAVAILABLE)
                    .header("Retry-After", "10").type(MediaType.APPLICATION_JSON)
                    .entity(Map.of("error", "too-many-streams", "message", maxClients
                            + " event streams are open, the most this evaluator serves (evaluator.sse.max-clients);"
                            + " retry later"))
                    .build());
        }
        // Bursts (a trainer's steps) are buffered per client; a client that falls this far behind is cut off,
        // and its EventSource reconnects. The evaluator itself is never held up by a slow dashboard.
        return updates.onOverflow().buffer(OVERFLOW_BUFFER).onTermination().invoke(clients::decrementAndGet);
    }
}
