package io.ptuning.tokenizer.api;

import io.ptuning.contract.Split;
import io.ptuning.contract.security.Roles;
import io.ptuning.tokenizer.dataset.InvalidRowException;
import io.ptuning.tokenizer.publish.DatasetNotFoundException;
import io.ptuning.tokenizer.publish.PublishProgress;
import io.ptuning.tokenizer.publish.PublishReport;
import io.ptuning.tokenizer.publish.PublishService;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * {@code POST /publish/{split}} publishes a split of the configured dataset and answers with its report once the
 * version is committed (or found already published); {@code GET /publish/progress} shows counters meanwhile.
 */
@Path("/publish")
@Produces(MediaType.APPLICATION_JSON)
public class PublishResource {

    private final PublishService service;

    public PublishResource(PublishService service) {
        this.service = service;
    }

    @POST
    @Path("/{split}")
    @RolesAllowed(Roles.DATASET_PUBLISHER)
    public PublishReport publish(@PathParam("split") String split) {
        return service.publish(Split.fromWireName(split));
    }

    @GET
    @Path("/progress")
    @RolesAllowed({Roles.VIEWER, Roles.DATASET_PUBLISHER})
    public ProgressView progress() {
        PublishProgress p = service.progress();
        return new ProgressView(p.current(), p.rowsRead(), p.rowsTokenized(), p.batchesSent(), p.rowsPublished(),
                p.batchesPublished(), p.versionsPublished(), p.versionsSkipped(), p.lastRowsPerSecond(), p.lastPaddingRatio());
    }

    /** Counters since the service started. */
    public record ProgressView(String current, long rowsRead, long rowsTokenized, long batchesSent, long rowsPublished,
            long batchesPublished, long versionsPublished, long versionsSkipped, double lastRowsPerSecond,
            double lastPaddingRatio) {
    }

    /** Why a publish was refused; {@code line} is set for a bad row. */
    public record ErrorView(String error, String message, String file, Long line, String reason) {
    }

    @ServerExceptionMapper
    public Response invalidRow(InvalidRowException e) {
        return Response.status(422)
                .entity(new ErrorView("invalid-row", e.getMessage(), e.file().toString(), e.lineNumber(), e.reason()))
                .type(MediaType.APPLICATION_JSON).build();
    }

    @ServerExceptionMapper
    public Response datasetNotFound(DatasetNotFoundException e) {
        return Response.status(Response.Status.NOT_FOUND)
                .entity(new ErrorView("dataset-not-found", e.getMessage(), null, null, null))
                .type(MediaType.APPLICATION_JSON).build();
    }

    @ServerExceptionMapper
    public Response badArgument(IllegalArgumentException e) {
        return Response.status(Response.Status.BAD_REQUEST)
                .entity(new ErrorView("bad-request", e.getMessage(), null, null, null))
                .type(MediaType.APPLICATION_JSON).build();
    }
}
