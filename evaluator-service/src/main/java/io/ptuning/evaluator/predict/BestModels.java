package io.ptuning.evaluator.predict;

import ai.djl.ndarray.NDManager;
import io.ptuning.bert.BaseModel;
import io.ptuning.contract.Evaluation;
import io.ptuning.evaluator.history.RunHistory;
import io.ptuning.evaluator.scoring.Checkpoint;
import io.ptuning.evaluator.scoring.CheckpointScorer;
import io.ptuning.prompt.PromptTunedBert;
import io.ptuning.training.Scorer;
import io.ptuning.weights.HostTensor;
import io.ptuning.weights.tokenizer.BertTokenizer;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.NotFoundException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Each run's best checkpoint, loaded on first use and kept until a better one is evaluated. */
@ApplicationScoped
public class BestModels {

    private final CheckpointScorer scorer;
    private final CheckpointFetcher fetcher;
    private final Map<String, Loaded> loaded = new HashMap<>();

    BestModels(CheckpointScorer scorer, CheckpointFetcher fetcher) {
        this.scorer = scorer;
        this.fetcher = fetcher;
    }

    /** What /api/predict answers with: the model's step and per-sentence class probabilities. */
    public record Prediction(long step, double validationAccuracy, float[][] probabilities) {}

    private record Loaded(long step, BaseModel base, PromptTunedBert model, NDManager manager) {
        void close() {
            model.close();
            manager.close();
        }
    }

    /** Class probabilities of {@code sentences} from the best checkpoint of {@code run}, tokenized by its base model. */
    public synchronized Prediction predict(RunHistory run, List<String> sentences, int maxLength) {
        Evaluation best = run.best().orElseThrow(() -> new NotFoundException("run " + run.runId() + " has no evaluation yet"));
        Loaded model = load(run, best.step());
        BertTokenizer tokenizer = model.base().tokenizer(maxLength);
        long[][] ids = sentences.stream().map(tokenizer::encode).toArray(long[][]::new);
        int length = 0;
        for (long[] row : ids) {
            length = Math.max(length, row.length);
        }
        long pad = tokenizer.vocabulary().id("[PAD]");
        long[] flatIds = new long[ids.length * length];
        long[] mask = new long[ids.length * length];
        for (int i = 0; i < ids.length; i++) {
            for (int t = 0; t < length; t++) {
                boolean real = t < ids[i].length;
                flatIds[i * length + t] = real ? ids[i][t] : pad;
                mask[i * length + t] = real ? 1 : 0;
            }
        }
        long[] shape = {ids.length, length};
        float[][] probabilities = new Scorer(model.model(), model.manager())
                .probabilities(HostTensor.ofLongs(shape, flatIds), HostTensor.ofLongs(shape, mask));
        return new Prediction(best.step(), best.accuracy(), probabilities);
    }

    private Loaded load(RunHistory run, long step) {
        Loaded current = loaded.get(run.runId());
        if (current != null && current.step() == step) {
            return current;
        }
        Checkpoint checkpoint = run.checkpoint(step).map(fetcher::fetch)
                .or(() -> fetcher.find(run.runId(), step))
                .orElseThrow(() -> new NotFoundException("the checkpoint of run " + run.runId() + " step " + step
                        + " is no longer on the checkpoint topic"));
        BaseModel base = scorer.baseModels().get(checkpoint.metadata().baseModel());
        NDManager manager = base.manager().newSubManager();
        PromptTunedBert model;
        try {
            model = scorer.load(base, checkpoint, manager);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
        if (current != null) {
            current.close();
        }
        Loaded fresh = new Loaded(step, base, model, manager);
        loaded.put(run.runId(), fresh);
        return fresh;
    }

    @PreDestroy
    synchronized void close() {
        loaded.values().forEach(Loaded::close);
        loaded.clear();
    }
}
