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
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestStreamElementType;

/**
 * {@code GET /api/events}: a server-sent events stream of every new train step, run status and evaluation, as
 * {@link MetricUpdate} JSON. A client first loads {@code /api/runs?detail=true}, then follows this.
 */
@Path("/api/events")
@RolesAllowed(Roles.VIEWER)
@ApplicationScoped
public class MetricStream {

    private static final int OVERFLOW_BUFFER = 10_000;

    private final BroadcastProcessor<MetricUpdate> updates = BroadcastProcessor.create();

    MetricStream(RunHistories histories) {
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
        // Bursts (a trainer's steps) are buffered per client; a client that falls this far behind is cut off,
        // and its EventSource reconnects. The evaluator itself is never held up by a slow dashboard.
        return updates.onOverflow().buffer(OVERFLOW_BUFFER);
    }
}
