package io.ptuning.weights.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SST-2 fetched on first use from a real HTTP server on loopback, into a temp data cache. */
class Sst2ResolverTest {

    @TempDir
    Path cache;

    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

    @Test
    void firstUseDownloadsVerifiesAndCachesSecondUseReadsTheCache() throws IOException {
        try (Sst2ZipServer server = Sst2ZipServer.serving(Sst2ZipServer.glueZip(Sst2ZipServer.sharedSst2()))) {
            Path first = resolver(null, server.url(), false).resolve();
            assertThat(first).isEqualTo(cache.resolve("sst2"));
            assertThat(server.requests()).isOne();
            for (String name : Sst2Files.SHA256.keySet()) {
                assertThat(first.resolve(name)).hasSameBinaryContentAs(Sst2ZipServer.sharedSst2().resolve(name));
            }
            try (Stream<Path> files = Files.list(first)) {
                assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("train.tsv", "dev.tsv", "test.tsv");
            }
            assertThat(stderr.toString(StandardCharsets.UTF_8)).contains("SST-2.zip [", "100%", " MB", "verified");

            Path second = resolver(null, server.url(), false).resolve();
            assertThat(second).isEqualTo(first);
            assertThat(server.requests()).as("the second use reads the cache").isOne();
            assertThat(resolver(null, server.url(), true).resolve()).as("offline with a cache").isEqualTo(first);
        }
    }

    @Test
    void aDownloadWithAChangedFileIsRefusedAndLeavesNothingInTheCache() {
        try (Sst2ZipServer server = Sst2ZipServer.serving(Sst2ZipServer.glueZip(Sst2ZipServer.sharedSst2(), "dev.tsv"))) {
            assertThatThrownBy(() -> resolver(null, server.url(), false).resolve())
                    .isInstanceOf(DatasetUnavailableException.class)
                    .hasMessageContaining("dev.tsv has SHA-256")
                    .hasMessageContaining("SST2_DIR");
            assertThat(server.requests()).isOne();
        }
        assertCacheHoldsNoSst2();
    }

    @Test
    void aTruncatedDownloadIsRefusedAndLeavesNothingInTheCache() {
        byte[] zip = Sst2ZipServer.glueZip(Sst2ZipServer.sharedSst2());
        try (Sst2ZipServer server = Sst2ZipServer.serving(Arrays.copyOf(zip, zip.length / 2))) {
            assertThatThrownBy(() -> resolver(null, server.url(), false).resolve())
                    .isInstanceOf(DatasetUnavailableException.class)
                    .hasMessageContaining("Supply the files by hand");
        }
        assertCacheHoldsNoSst2();
    }

    @Test
    void noServerAndNoCacheSaysHowToSupplyTheFiles() throws IOException {
        URI refused;
        try (ServerSocket socket = new ServerSocket(0)) {
            refused = URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/glue/SST-2.zip");
        } // closed: connections to that port are refused
        assertThatThrownBy(() -> resolver(null, refused, false).resolve())
                .isInstanceOf(DatasetUnavailableException.class)
                .hasMessageContaining("could not be downloaded from " + refused)
                .hasMessageContaining("no connection (ConnectException")
                .hasMessageContaining("SST-2.zip")
                .hasMessageContaining("SST2_DIR (launcher: --sst2 DIR)");
        assertCacheHoldsNoSst2();
    }

    @Test
    void offlineFailsFastWithoutTrying() {
        try (Sst2ZipServer server = Sst2ZipServer.serving(Sst2ZipServer.glueZip(Sst2ZipServer.sharedSst2()))) {
            Sst2Settings offline = Sst2Settings.from(Map.of("PTUNING_OFFLINE", "1", "PTUNING_SST2_URL", server.url().toString()),
                    properties("ptuning.data.cache", cache.toString()));
            assertThat(offline.offline()).isTrue();
            assertThatThrownBy(() -> new Sst2Resolver(offline, new PrintStream(stderr, true)).resolve())
                    .isInstanceOf(DatasetUnavailableException.class)
                    .hasMessageContaining("offline (PTUNING_OFFLINE is set)")
                    .hasMessageContaining("Supply the files by hand");
            assertThat(server.requests()).isZero();
        }
        assertThat(cache).isEmptyDirectory();
    }

    @Test
    void sst2DirWinsOverTheCache() throws IOException {
        Path cached = Files.createDirectories(cache.resolve("sst2"));
        Files.writeString(cached.resolve("train.tsv"), "sentence\tlabel\n");
        Files.writeString(cached.resolve("dev.tsv"), "sentence\tlabel\n");
        Sst2Settings settings = Sst2Settings.from(Map.of("SST2_DIR", Sst2ZipServer.sharedSst2().toString()),
                properties("ptuning.data.cache", cache.toString()));
        assertThat(new Sst2Resolver(settings, new PrintStream(stderr, true)).resolve())
                .isEqualTo(Sst2ZipServer.sharedSst2().toAbsolutePath());
        assertThat(resolver(null, URI.create("http://127.0.0.1:9/none"), true).resolve()).as("without SST2_DIR")
                .isEqualTo(cached);
    }

    @Test
    void theDefaultCacheIsBesideTheModelCacheAndDownloadsComeFromGlue() {
        Sst2Settings settings = Sst2Settings.from(Map.of(), new Properties());
        assertThat(settings.cacheRoot())
                .isEqualTo(io.ptuning.weights.cache.ModelCache.configuredRoot().toAbsolutePath().resolveSibling("datasets"));
        assertThat(settings.url()).isEqualTo(URI.create("https://dl.fbaipublicfiles.com/glue/data/SST-2.zip"));
        assertThat(settings.sst2Dir()).isNull();
        assertThat(settings.offline()).isFalse();
    }

    private Sst2Resolver resolver(Path sst2Dir, URI url, boolean offline) {
        return new Sst2Resolver(new Sst2Settings(sst2Dir, cache, url, offline), new PrintStream(stderr, true));
    }

    /** No sst2 folder and no staging leftovers: at most the lock file. */
    private void assertCacheHoldsNoSst2() {
        try (Stream<Path> entries = Files.list(cache)) {
            assertThat(entries.map(p -> p.getFileName().toString())).allMatch(".sst2.lock"::equals);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static Properties properties(String key, String value) {
        Properties properties = new Properties();
        properties.setProperty(key, value);
        return properties;
    }
}
