package io.ptuning.evaluator.dashboard;

import io.ptuning.contract.security.Roles;
import io.ptuning.evaluator.history.RunHistories;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** {@code GET /api/curves}: every run's metric history in the dashboard's columnar form ({@link RunCurves}). */
@Path("/api/curves")
@RolesAllowed(Roles.VIEWER)
@Produces(MediaType.APPLICATION_JSON)
public class CurvesResource {

    private final RunHistories histories;

    CurvesResource(RunHistories histories) {
        this.histories = histories;
    }

    @GET
    public List<RunCurves> curves() {
        return histories.all().stream().map(RunCurves::of).toList();
    }
}
