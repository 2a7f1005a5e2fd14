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
            linkImportedModels(cache);
            return Map.of("kafka.bootstrap.servers", SharedKafka.bootstrapServers(),
                    "trainer.model-cache", cache.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The real models already imported into the checkout's cache (benchmark), linked rather than imported again. */
    private static void linkImportedModels(Path cache) throws IOException {
        String shared = System.getProperty("ptuning.model.cache");
        if (shared == null || !Files.isDirectory(Path.of(shared))) {
            return;
        }
        try (var folders = Files.list(Path.of(shared))) {
            for (Path folder : folders.filter(Files::isDirectory).filter(f -> !f.getFileName().toString().startsWith("."))
                    .toList()) {
                Files.createSymbolicLink(cache.resolve(folder.getFileName()), folder.toAbsolutePath());
            }
        }
    }

    @Override
    public void stop() {
        // SharedKafka stops at JVM exit.
    }
}
