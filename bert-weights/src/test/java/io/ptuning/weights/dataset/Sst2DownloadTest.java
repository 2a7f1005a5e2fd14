package io.ptuning.weights.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A server that stops sending mid-body does not hang the download: it is given up after the stall limit. */
class Sst2DownloadTest {

    @Test
    void aDownloadThatStallsMidBodyIsGivenUpAfterTheStallLimit(@TempDir Path staging) throws IOException {
        byte[] zip = Sst2ZipServer.glueZip(Sst2ZipServer.sharedSst2());
        CountDownLatch release = new CountDownLatch(1);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/SST-2.zip", exchange -> {
            exchange.sendResponseHeaders(200, zip.length);
            OutputStream out = exchange.getResponseBody();
            out.write(zip, 0, zip.length / 2);
            out.flush();
            try {
                release.await(30, TimeUnit.SECONDS); // then the server goes quiet, connection open
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        server.start();
        try {
            URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/SST-2.zip");
            Sst2Download download = new Sst2Download(url, new PrintStream(new ByteArrayOutputStream()),
                    Duration.ofSeconds(1));
            long start = System.nanoTime();
            assertThatThrownBy(() -> download.into(staging))
                    .isInstanceOf(IOException.class)
                    .hasMessageStartingWith("the download stalled: nothing received for 1 s after ");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            assertThat(Files.exists(staging.resolve("train.tsv"))).isFalse();
        } finally {
            release.countDown();
            server.stop(0);
        }
    }
}
