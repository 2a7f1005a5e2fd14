package io.ptuning.trainer.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.ptuning.contract.JsonRecords;
import io.ptuning.contract.RunRequest;
import io.ptuning.contract.Topics;
import io.ptuning.trainer.run.RunService;
import io.ptuning.trainer.run.TrainerComponents;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.UUID;
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

    /**
     * A run request with defaults: run id generated, preset {@code ptv2}, offsets 0 to the end, checkpoints at epoch
     * ends, all epochs, device {@code auto}.
     */
    public record NewRun(
            @JsonProperty("run_id") String runId,
            @JsonProperty("preset") String preset,
            @JsonProperty("overrides") Map<String, String> overrides,
            @JsonProperty("base_model") String baseModel,
            @JsonProperty("batch_topic") String batchTopic,
            @JsonProperty("dataset_version") String datasetVersion,
            @JsonProperty("from_offset") Long fromOffset,
            @JsonProperty("to_offset") Long toOffset,
            @JsonProperty("checkpoint_every_steps") Integer checkpointEverySteps,
            @JsonProperty("max_steps") Long maxSteps,
            @JsonProperty("device") String device,
            @JsonProperty("matmul_precision") String matmulPrecision) {

        RunRequest toRequest() {
            return new RunRequest(RunRequest.SCHEMA_VERSION, runId == null ? "run-" + UUID.randomUUID() : runId, preset,
                    overrides, baseModel, batchTopic, datasetVersion, fromOffset == null ? 0 : fromOffset,
                    toOffset == null ? -1 : toOffset, checkpointEverySteps == null ? 0 : checkpointEverySteps,
                    maxSteps == null ? 0 : maxSteps, device, matmulPrecision);
        }
    }

    public record Accepted(String runId, String topic, int partition, long offset) {}

    public record ErrorView(String error, String message) {}

    @POST
    public Response request(NewRun body) throws InterruptedException {
        if (body == null) {
            throw new IllegalArgumentException("a JSON body with at least baseModel and batchTopic is required");
        }
        RunRequest request = body.toRequest();
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
