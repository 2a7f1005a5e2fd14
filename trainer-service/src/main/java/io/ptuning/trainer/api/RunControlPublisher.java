package io.ptuning.trainer.api;

import io.ptuning.contract.JsonRecords;
import io.ptuning.contract.RunControl;
import io.ptuning.contract.Topics;
import io.ptuning.contract.kafka.RecordTypeHeader;
import io.ptuning.trainer.run.TrainerComponents;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/** Publishes a run control to {@code ptuning.runs}, where every trainer reads it, for the cancel endpoints. */
final class RunControlPublisher {

    private RunControlPublisher() {}

    /** Answers 202 with where the control landed, or 503 when Kafka does not take it. */
    static Response publish(TrainerComponents components, RunControl control) throws InterruptedException {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.RUNS, control.key(), JsonRecords.encode(control));
        record.headers().add(RecordTypeHeader.of(RunControl.RECORD_TYPE));
        try {
            RecordMetadata sent = components.producer().send(record).get();
            return Response.accepted(new Cancelling(control.runId(), control.sweepId(), control.reason(), sent.topic(),
                    sent.partition(), sent.offset())).type(MediaType.APPLICATION_JSON).build();
        } catch (ExecutionException e) {
            return Response.status(Response.Status.SERVICE_UNAVAILABLE)
                    .entity(new RunResource.ErrorView("kafka-unavailable", "cannot publish to " + Topics.RUNS + ": "
                            + e.getCause().getMessage()))
                    .type(MediaType.APPLICATION_JSON).build();
        }
    }

    /** The answer to a cancel: what is cancelled, why, and the control record's position. */
    record Cancelling(String runId, String sweepId, String reason, String topic, int partition, long offset) {}
}
