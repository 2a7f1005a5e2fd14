package io.ptuning.trainer.run;

import io.ptuning.contract.RunStatus;
import io.ptuning.contract.TrainStep;

/** In-process listener of runs (status for GET /runs/{id}, Micrometer meters). */
public interface RunObserver {

    void onStatus(RunStatus status);

    void onStep(TrainStep step, int examples);

    RunObserver NONE = new RunObserver() {
        @Override
        public void onStatus(RunStatus status) {}

        @Override
        public void onStep(TrainStep step, int examples) {}
    };
}
