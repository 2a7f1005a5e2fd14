package io.ptuning.trainer.run;

import io.ptuning.contract.RunStatus;
import io.ptuning.contract.TrainStep;

/** In-process listener of runs (status for GET /runs/{id}, Micrometer meters). */
public interface RunObserver {

    void onStatus(RunStatus status);

    void onStep(TrainStep step, int examples);

    /** Tells each of {@code observers}, in order. */
    static RunObserver all(RunObserver... observers) {
        return new RunObserver() {
            @Override
            public void onStatus(RunStatus status) {
                for (RunObserver observer : observers) {
                    observer.onStatus(status);
                }
            }

            @Override
            public void onStep(TrainStep step, int examples) {
                for (RunObserver observer : observers) {
                    observer.onStep(step, examples);
                }
            }
        };
    }

    RunObserver NONE = new RunObserver() {
        @Override
        public void onStatus(RunStatus status) {}

        @Override
        public void onStep(TrainStep step, int examples) {}
    };
}
