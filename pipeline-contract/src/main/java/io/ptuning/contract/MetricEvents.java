package io.ptuning.contract;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.format.EventDeserializationException;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonFormat;
import java.net.URI;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * The metric topics carry CloudEvents 1.0 in structured JSON mode (CloudEvents Java SDK), so dashboards
 * and any CloudEvents consumer read them without project code. Event ids are {@code <run>@<step>/<type>}:
 * a consumer that sees one twice can tell.
 */
public final class MetricEvents {

    public static final String TRAIN_STEP = "io.ptuning.train.step";
    public static final String RUN_STATUS = "io.ptuning.run.status";
    public static final String EVALUATION = "io.ptuning.eval.result";
    public static final URI TRAINER = URI.create("/ptuning/trainer-service");
    public static final URI EVALUATOR = URI.create("/ptuning/evaluator-service");

    private static final JsonFormat FORMAT = (JsonFormat) EventFormatProvider.getInstance()
            .resolveFormat(JsonFormat.CONTENT_TYPE);

    private MetricEvents() {}

    public static byte[] encode(URI source, String type, String runId, long step, Object data) {
        CloudEvent event = CloudEventBuilder.v1()
                .withId(runId + "@" + step + "/" + type)
                .withSource(source)
                .withType(type)
                .withSubject(runId)
                .withTime(OffsetDateTime.now(ZoneOffset.UTC))
                .withDataContentType("application/json")
                .withData(JsonRecords.encode(data))
                .build();
        return FORMAT.serialize(event);
    }

    public static CloudEvent decode(byte[] bytes, String location) {
        if (bytes == null) {
            throw new RecordDecodingException(location, null, "empty value; expected a CloudEvent", null);
        }
        try {
            return FORMAT.deserialize(bytes);
        } catch (EventDeserializationException | IllegalStateException | IllegalArgumentException e) {
            throw new RecordDecodingException(location, null, "not a structured-mode JSON CloudEvent: " + e.getMessage(), e);
        }
    }

    /** The event's data as {@code type}: {@link TrainStep}, {@link RunStatus} or {@link Evaluation}. */
    public static <T> T data(CloudEvent event, Class<T> type, String location) {
        if (event.getData() == null) {
            throw new RecordDecodingException(location, "data", "event " + event.getId() + " has no data", null);
        }
        return JsonRecords.decode(event.getData().toBytes(), type, location);
    }
}
