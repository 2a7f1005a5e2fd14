package io.ptuning.evaluator.dashboard;

import io.ptuning.evaluator.history.MetricUpdate;
import io.ptuning.evaluator.history.RunHistories;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
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
@ApplicationScoped
public class MetricStream {

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
        // A slow dashboard must not hold up the evaluator: it loses points, and reloads /api/runs to catch up.
        return updates.onOverflow().drop();
    }
}
