package io.ptuning.evaluator.predict;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.ptuning.contract.security.Roles;
import io.ptuning.evaluator.config.EvaluatorConfig;
import io.ptuning.evaluator.history.RunHistories;
import io.ptuning.evaluator.history.RunHistory;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.CharConversionException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** {@code POST /api/predict}: labels and class probabilities from a run's best checkpoint. */
@Path("/api/predict")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class PredictResource {

    private final RunHistories histories;
    private final BestModels models;
    private final EvaluatorConfig config;

    PredictResource(RunHistories histories, BestModels models, EvaluatorConfig config) {
        this.histories = histories;
        this.models = models;
        this.config = config;
    }

    /** Most sentences one call may ask for. */
    public static final int MAX_SENTENCES = 256;
    /**
     * Longest sentence accepted, in characters: far more than {@code evaluator.predict-max-length} tokens hold, so a
     * longer one is a mistake, not a sentence; within it, the encoding is truncated to that many tokens.
     */
    public static final int MAX_SENTENCE_CHARS = 2000;

    /** @param runId optional: the run with the best accuracy when absent */
    public record PredictRequest(
            @JsonProperty("run_id") String runId,
            @JsonProperty("sentences") @NotNull @NotEmpty @Size(max = MAX_SENTENCES)
            List<@NotNull @Size(max = MAX_SENTENCE_CHARS) String> sentences) {}

    public record SentencePrediction(
            @JsonProperty("sentence") String sentence,
            @JsonProperty("label") String label,
            @JsonProperty("label_id") int labelId,
            @JsonProperty("probabilities") Map<String, Double> probabilities) {}

    public record PredictResponse(
            @JsonProperty("run_id") String runId,
            @JsonProperty("step") long step,
            @JsonProperty("validation_accuracy") double validationAccuracy,
            @JsonProperty("predictions") List<SentencePrediction> predictions) {}

    @POST
    @Blocking
    @RolesAllowed(Roles.PREDICTOR)
    public PredictResponse predict(@Valid @NotNull PredictRequest request) {
        RunHistory run = request.runId() == null
                ? histories.bestRun().orElseThrow(() -> new NotFoundException("no run has an evaluated checkpoint yet"))
                : histories.get(request.runId()).orElseThrow(() -> new NotFoundException("unknown run " + request.runId()));
        BestModels.Prediction prediction = models.predict(run, request.sentences(), config.predictMaxLength());
        List<String> names = config.labelNames();
        List<SentencePrediction> out = new ArrayList<>();
        for (int i = 0; i < request.sentences().size(); i++) {
            float[] p = prediction.probabilities()[i];
            int argmax = 0;
            Map<String, Double> byLabel = new LinkedHashMap<>();
            for (int c = 0; c < p.length; c++) {
                byLabel.put(c < names.size() ? names.get(c) : Integer.toString(c), (double) p[c]);
                if (p[c] > p[argmax]) {
                    argmax = c;
                }
            }
            out.add(new SentencePrediction(request.sentences().get(i),
                    argmax < names.size() ? names.get(argmax) : Integer.toString(argmax), argmax, byLabel));
        }
        return new PredictResponse(run.runId(), prediction.step(), prediction.validationAccuracy(), out);
    }

    /**
     * Jackson guesses UTF-16 or UTF-32 from zero bytes at the start of a body and fails on what follows with an
     * IOException that Quarkus REST answers 500: the client's mistake, a 400 like any other body that is not JSON
     * (found by {@code PredictRequestFuzzTest}, seed {@code crash-utf32-guess}).
     */
    @ServerExceptionMapper
    public Response bodyNotUtf8(CharConversionException e) {
        return Response.status(Response.Status.BAD_REQUEST).type(MediaType.TEXT_PLAIN)
                .entity("the request body is not JSON in UTF-8: " + e.getMessage()).build();
    }
}
