package io.ptuning.trainer.run;

import io.ptuning.bert.BaseModel;
import io.ptuning.bert.BertEncoder;
import io.ptuning.contract.RunRequest;
import io.ptuning.trainer.batches.BatchRange;
import io.ptuning.trainer.checkpoint.RunState;
import io.ptuning.training.TrainingLoop;
import io.ptuning.training.TuningRecipe;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A run request resolved into what training needs: the recipe as it will really run (the topic's batch size, the
 * epochs the step budget covers), the base model and its replicas on the other devices, the batches, the loop, and
 * the state to start from (committed, or new).
 */
record RunPlan(
        RunRequest request,
        TuningRecipe recipe,
        BaseModel base,
        List<BertEncoder> replicas,
        String tokenizerFingerprint,
        BatchRange range,
        TrainingLoop loop,
        RunState start) {

    String runId() {
        return request.runId();
    }

    /** The hyper-parameters as the run trains with them, by name, with its preset and base model: for dashboards. */
    Map<String, String> params() {
        Map<String, String> params = new TreeMap<>(recipe.prompt().toMetadata());
        params.putAll(recipe.training().toMetadata());
        params.put("preset", request.preset());
        params.put("base_model", request.baseModel());
        return params;
    }
}
