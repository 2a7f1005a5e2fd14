package io.ptuning.trainer.api;

import io.ptuning.contract.RunControl;
import io.ptuning.contract.security.Roles;
import io.ptuning.trainer.run.TrainerComponents;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * {@code POST /runs/{id}/cancel[?reason=...]}: publishes a cancel control for the run. The trainer training it stops
 * after its current step and commits it as cancelled; a run not started yet is cancelled when a trainer takes it.
 */
@Path("/runs/{id}/cancel")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.RUN_OPERATOR)
public class CancelRunResource {

    private final TrainerComponents components;

    public CancelRunResource(TrainerComponents components) {
        this.components = components;
    }

    @POST
    public Response cancel(@PathParam("id") String runId, @QueryParam("reason") String reason)
            throws InterruptedException {
        return RunControlPublisher.publish(components, RunControl.cancelRun(runId,
                reason == null || reason.isBlank() ? "cancelled over REST" : reason));
    }

    @ServerExceptionMapper
    public Response badArgument(IllegalArgumentException e) {
        return Response.status(Response.Status.BAD_REQUEST)
                .entity(new RunResource.ErrorView("bad-request", e.getMessage())).type(MediaType.APPLICATION_JSON).build();
    }
}
