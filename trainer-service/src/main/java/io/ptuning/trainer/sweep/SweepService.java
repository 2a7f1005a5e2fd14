package io.ptuning.trainer.sweep;

import io.ptuning.contract.SweepRequest;
import io.ptuning.trainer.run.TrainerComponents;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/** Sweeps asked over REST or as a {@code sweep_request} record on {@code ptuning.runs}: both go through one publisher. */
@ApplicationScoped
public class SweepService {

    private static final Logger LOG = Logger.getLogger(SweepService.class);

    @Inject
    TrainerComponents components;

    public SweepPublisher.Published publish(SweepRequest sweep) {
        SweepPublisher.Published published = new SweepPublisher(components.clients(), components.requestCheck())
                .publish(sweep);
        LOG.infof("sweep %s: %d runs created, %d already there", sweep.sweepId(), published.created().size(),
                published.existing().size());
        return published;
    }
}
