package io.ptuning.evaluator.dashboard;

import io.ptuning.contract.security.Roles;
import io.ptuning.evaluator.history.RunHistories;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** {@code GET /api/runs}: every run with its latest and best evaluation; {@code /api/runs/{id}}: its metric history. */
@Path("/api/runs")
@RolesAllowed(Roles.VIEWER)
@Produces(MediaType.APPLICATION_JSON)
public class RunsResource {

    private final RunHistories histories;

    RunsResource(RunHistories histories) {
        this.histories = histories;
    }

    /** @param detail true to include each run's train steps and evaluations (what the dashboard loads first) */
    @GET
    public List<RunView> runs(@QueryParam("detail") boolean detail) {
        return histories.all().stream().map(detail ? RunView::detail : RunView::summary).toList();
    }

    @GET
    @Path("/{id}")
    public RunView run(@PathParam("id") String runId) {
        return histories.get(runId).map(RunView::detail)
                .orElseThrow(() -> new NotFoundException("unknown run " + runId));
    }
}
