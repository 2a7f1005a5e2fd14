package io.ptuning.weights.dataset;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A real HTTP server on 127.0.0.1 (a free port) that serves one zip at {@code /glue/SST-2.zip} and counts the
 * requests; tests build the zip from the shared SST-2 copy (system property {@code sst2.dir}) like GLUE's.
 */
public final class Sst2ZipServer implements AutoCloseable {

    private final HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();

    private Sst2ZipServer(byte[] zip) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/glue/SST-2.zip", exchange -> {
            requests.incrementAndGet();
            exchange.getResponseHeaders().add("Content-Type", "application/zip");
            exchange.sendResponseHeaders(200, zip.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(zip);
            }
        });
        server.start();
    }

    public static Sst2ZipServer serving(byte[] zip) {
        try {
            return new Sst2ZipServer(zip);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/glue/SST-2.zip");
    }

    public int requests() {
        return requests.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** The shared SST-2 copy the parent pom names in {@code sst2.dir}. */
    public static Path sharedSst2() {
        return Path.of(System.getProperty("sst2.dir"));
    }

    /** A zip laid out like GLUE's SST-2.zip: {@code SST-2/{train,dev,test}.tsv} and an {@code original/} to ignore. */
    public static byte[] glueZip(Path folder) {
        return glueZip(folder, null);
    }

    /** As {@link #glueZip(Path)}, with {@code changed} (a file name) altered by one byte. */
    public static byte[] glueZip(Path folder, String changed) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("SST-2/"));
            for (String name : List.of("dev.tsv", "original/README.txt", "test.tsv", "train.tsv")) {
                zip.putNextEntry(new ZipEntry("SST-2/" + name));
                byte[] content = name.startsWith("original/") ? "not needed".getBytes(StandardCharsets.UTF_8)
                        : Files.readAllBytes(folder.resolve(name));
                if (name.equals(changed)) {
                    content[content.length / 2] ^= 1;
                }
                zip.write(content);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
