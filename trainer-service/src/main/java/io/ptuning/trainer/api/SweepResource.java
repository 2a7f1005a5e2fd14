package io.ptuning.trainer.api;

import io.ptuning.contract.JsonRecords;
import io.ptuning.contract.RecordDecodingException;
import io.ptuning.contract.RunControl;
import io.ptuning.contract.SweepRequest;
import io.ptuning.contract.security.Roles;
import io.ptuning.trainer.run.TrainerComponents;
import io.ptuning.trainer.sweep.SweepPublisher;
import io.ptuning.trainer.sweep.SweepService;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * {@code POST /sweeps} expands a {@link SweepRequest} into run requests on {@code ptuning.runs}: 201 with the runs
 * created, or 200 with none created when the same sweep was accepted before; 400 says what is wrong with a request,
 * 409 that the sweep id is taken by another sweep. {@code POST /sweeps/{id}/cancel} cancels every run of a sweep.
 */
@Path("/sweeps")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.RUN_OPERATOR)
public class SweepResource {

    private final SweepService sweeps;
    private final TrainerComponents components;

    public SweepResource(SweepService sweeps, TrainerComponents components) {
        this.sweeps = sweeps;
        this.components = components;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    public Response request(byte[] body) {
        if (body == null || body.length == 0) {
            throw new IllegalArgumentException("a JSON body is required: {\"sweep_id\", \"base\": {run request},"
                    + " \"grid\": {key: [values]}, \"median_stopping_after\": K}");
        }
        SweepRequest sweep = JsonRecords.decode(body, SweepRequest.class, "POST /sweeps body");
        SweepPublisher.Published published = sweeps.publish(sweep);
        return Response.status(published.created().isEmpty() ? Response.Status.OK : Response.Status.CREATED)
                .entity(published).build();
    }

    @POST
    @Path("/{id}/cancel")
    public Response cancel(@PathParam("id") String sweepId, @QueryParam("reason") String reason)
            throws InterruptedException {
        return RunControlPublisher.publish(components, RunControl.cancelSweep(sweepId,
                reason == null || reason.isBlank() ? "sweep cancelled over REST" : reason));
    }

    @ServerExceptionMapper
    public Response badRequest(RecordDecodingException e) {
        return Response.status(Response.Status.BAD_REQUEST)
                .entity(new RunResource.ErrorView("bad-request", e.getMessage())).type(MediaType.APPLICATION_JSON).build();
    }

    @ServerExceptionMapper
    public Response badArgument(IllegalArgumentException e) {
        return Response.status(Response.Status.BAD_REQUEST)
                .entity(new RunResource.ErrorView("bad-request", e.getMessage())).type(MediaType.APPLICATION_JSON).build();
    }

    @ServerExceptionMapper
    public Response conflict(SweepPublisher.SweepConflictException e) {
        return Response.status(Response.Status.CONFLICT)
                .entity(new RunResource.ErrorView("sweep-id-taken", e.getMessage())).type(MediaType.APPLICATION_JSON).build();
    }
}
