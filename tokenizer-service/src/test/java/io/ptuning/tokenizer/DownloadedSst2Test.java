package io.ptuning.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import io.ptuning.contract.Split;
import io.ptuning.kafka.embedded.EmbeddedKafkaResource;
import io.ptuning.tokenizer.publish.PublishReport;
import io.ptuning.tokenizer.publish.PublishService;
import io.ptuning.weights.dataset.Sst2Settings;
import io.ptuning.weights.dataset.Sst2ZipServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Without {@code tokenizer.dataset.dir} (compose and Kubernetes), the service fetches SST-2 on its first publish
 * into its data cache, verified, and publishes from there: here from a real HTTP server on loopback that serves a
 * zip laid out like GLUE's.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedKafkaResource.class)
@TestProfile(DownloadedSst2Test.WithoutDatasetDir.class)
class DownloadedSst2Test {

    @Inject
    PublishService service;

    @Test
    void theFirstPublishDownloadsSst2IntoTheCacheAndPublishesFromIt() throws IOException {
        PublishReport report = service.publish(Split.VALIDATION);
        assertThat(report.rows()).isEqualTo(872);
        assertThat(ZipServer.server.requests()).isEqualTo(1);
        Path cached = ZipServer.cache.resolve("sst2");
        assertThat(Files.mismatch(cached.resolve("dev.tsv"), Sst2ZipServer.sharedSst2().resolve("dev.tsv"))).isEqualTo(-1);

        assertThat(service.publish(Split.TEST).rows()).isEqualTo(1_821); // from the cache: no second request
        assertThat(ZipServer.server.requests()).isEqualTo(1);
    }

    public static final class WithoutDatasetDir implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tokenizer.dataset.dir", ""); // empty: unset
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(ZipServer.class));
        }
    }

    /** The loopback server and an empty data cache, named to the resolver before the service starts. */
    public static final class ZipServer implements QuarkusTestResourceLifecycleManager {
        static Sst2ZipServer server;
        static Path cache;

        @Override
        public Map<String, String> start() {
            server = Sst2ZipServer.serving(Sst2ZipServer.glueZip(Sst2ZipServer.sharedSst2()));
            try {
                cache = Files.createTempDirectory("ptuning-data-cache");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            System.setProperty(Sst2Settings.URL_PROPERTY, server.url().toString());
            System.setProperty(Sst2Settings.CACHE_PROPERTY, cache.toString());
            return Map.of();
        }

        @Override
        public void stop() {
            System.clearProperty(Sst2Settings.URL_PROPERTY);
            System.clearProperty(Sst2Settings.CACHE_PROPERTY);
            server.close();
        }
    }
}
