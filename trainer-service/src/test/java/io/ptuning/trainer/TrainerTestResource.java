package io.ptuning.trainer;

import io.ptuning.kafka.embedded.SharedKafka;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A real embedded broker (no Docker) and a model cache holding the tiny model; one profile for every test class. */
public class TrainerTestResource implements QuarkusTestResourceLifecycleManager {

    static volatile String tokenizerFingerprint;

    @Override
    public Map<String, String> start() {
        try {
            Path cache = Files.createTempDirectory("trainer-model-cache-");
            tokenizerFingerprint = TinyModel.write(cache);
            return Map.of("kafka.bootstrap.servers", SharedKafka.bootstrapServers(),
                    "trainer.model-cache", cache.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        // SharedKafka stops at JVM exit.
    }
}
