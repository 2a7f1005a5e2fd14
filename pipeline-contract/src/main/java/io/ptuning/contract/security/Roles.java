package io.ptuning.contract.security;

/**
 * The roles the services' HTTP endpoints ask for (README "Security"). A user (basic auth) or token (OIDC, the
 * {@code groups} claim) carries any of them; none implies another.
 */
public final class Roles {

    /** Starts, cancels and sweeps training runs (trainer-service). */
    public static final String RUN_OPERATOR = "run-operator";
    /** Publishes dataset versions to the batch topics (tokenizer-service). */
    public static final String DATASET_PUBLISHER = "dataset-publisher";
    /** Asks a checkpoint for predictions (evaluator-service {@code /api/predict}). */
    public static final String PREDICTOR = "predictor";
    /** Reads: the dashboard, run histories, the live event stream, run and publish progress. */
    public static final String VIEWER = "viewer";

    private Roles() {}
}
