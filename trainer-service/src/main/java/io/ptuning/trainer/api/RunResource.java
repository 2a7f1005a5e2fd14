package io.ptuning.trainer.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.ptuning.contract.JsonRecords;
import io.ptuning.contract.RunRequest;
import io.ptuning.contract.Topics;
import io.ptuning.contract.security.Roles;
import io.ptuning.trainer.admission.RunRequestCheck;
import io.ptuning.trainer.run.RunService;
import io.ptuning.trainer.run.TrainerComponents;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * {@code POST /runs} publishes a run request to {@code ptuning.runs} (any trainer of the group may take it) and
 * answers with its run id; {@code GET /runs/{id}} shows the latest status of a run this instance executed.
 */
@Path("/runs")
@Produces(MediaType.APPLICATION_JSON)
public class RunResource {

    private final TrainerComponents components;
    private final RunService runs;

    public RunResource(TrainerComponents components, RunService runs) {
        this.components = components;
        this.runs = runs;
    }

    public record Accepted(String runId, String topic, int partition, long offset) {}

    public record ErrorView(String error, String message) {}

    /** A request refused at the door: every problem, nothing queued. */
    public record Refused(String error, String message, List<String> problems) {}

    /**
     * Publishes a run request given with {@link RunRequest}'s field names. Defaults: run id generated, preset
     * {@code ptv2}, offsets 0 to the end, checkpoints at epoch ends, all epochs, device {@code auto}. A request that
     * fails {@link RunRequestCheck} is answered 400 with every problem, and nothing is published.
     */
    @POST
    @RolesAllowed(Roles.RUN_OPERATOR)
    public Response request(JsonNode body) throws InterruptedException {
        RunRequestCheck.Verdict verdict = components.requestCheck().checkNew(body);
        if (verdict instanceof RunRequestCheck.Refused refused) {
            return Response.status(Response.Status.BAD_REQUEST)
                    .entity(new Refused("bad-request", "run request refused: " + refused.reason(), refused.problems()))
                    .build();
        }
        RunRequest request = ((RunRequestCheck.Admitted) verdict).request();
        try {
            RecordMetadata sent = components.producer()
                    .send(new ProducerRecord<>(Topics.RUNS, request.runId(), JsonRecords.encode(request))).get();
            return Response.accepted(new Accepted(request.runId(), sent.topic(), sent.partition(), sent.offset())).build();
        } catch (ExecutionException e) {
            return Response.status(Response.Status.SERVICE_UNAVAILABLE)
                    .entity(new ErrorView("kafka-unavailable", "cannot publish to " + Topics.RUNS + ": "
                            + e.getCause().getMessage()))
                    .build();
        }
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({Roles.VIEWER, Roles.RUN_OPERATOR})
    public Response status(@PathParam("id") String runId) {
        return runs.view(runId)
                .map(view -> Response.ok(view).build())
                .orElseGet(() -> Response.status(Response.Status.NOT_FOUND)
                        .entity(new ErrorView("unknown-run", "this trainer has not executed run " + runId
                                + "; another trainer of the group may have (see ptuning.train-metrics)"))
                        .build());
    }

    @ServerExceptionMapper
    public Response badArgument(IllegalArgumentException e) {
        return Response.status(Response.Status.BAD_REQUEST)
                .entity(new ErrorView("bad-request", e.getMessage())).type(MediaType.APPLICATION_JSON).build();
    }
}
