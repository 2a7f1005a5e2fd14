package io.ptuning.evaluator.sweep;

import io.ptuning.contract.security.Roles;
import io.ptuning.evaluator.history.RunHistories;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/sweeps}: every sweep with its run count and best run; {@code GET /api/sweeps/{id}}: the sweep's
 * leaderboard ({@link Leaderboard}).
 */
@Path("/api/sweeps")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.VIEWER)
public class SweepsResource {

    private final SweepCatalog catalog;
    private final RunHistories histories;

    SweepsResource(SweepCatalog catalog, RunHistories histories) {
        this.catalog = catalog;
        this.histories = histories;
    }

    @GET
    public List<Leaderboard.SweepSummary> sweeps() {
        return catalog.all().stream().map(sweep -> Leaderboard.summary(sweep, histories)).toList();
    }

    @GET
    @Path("/{id}")
    public Response sweep(@PathParam("id") String sweepId) {
        return catalog.get(sweepId).map(sweep -> Response.ok(Leaderboard.of(sweep, histories)).build())
                .orElseGet(() -> Response.status(Response.Status.NOT_FOUND)
                        .entity(Map.of("error", "unknown-sweep", "message", "no sweep " + sweepId + " on "
                                + io.ptuning.contract.Topics.RUNS + " (sweeps are created with POST /sweeps on a trainer)"))
                        .build());
    }
}
