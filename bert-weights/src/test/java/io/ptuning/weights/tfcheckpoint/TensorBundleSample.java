package io.ptuning.weights.tfcheckpoint;

import io.ptuning.weights.cache.ModelArtifact;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The real bert-base variables.index with only the first {@link #DATA_BYTES} of its data file: enough for the
 * embeddings and the first tensors of layer 0, truncated for everything after. Extracted once per build.
 */
final class TensorBundleSample {

    static final long DATA_BYTES = 100L * 1024 * 1024;
    private static final Path FOLDER = Path.of("target", "tf-bundle-sample");

    private TensorBundleSample() {}

    static synchronized Path index() {
        Path index = FOLDER.resolve("variables.index");
        if (Files.isRegularFile(index)) {
            return index;
        }
        String entry = ModelArtifact.BERT_BASE_UNCASED.entries().get(0);
        try (InputStream jarEntry = TensorBundleSample.class.getClassLoader().getResourceAsStream(entry);
                ZipInputStream zip = new ZipInputStream(jarEntry)) {
            Path staging = Files.createTempDirectory(Files.createDirectories(FOLDER.getParent()), ".tf-bundle-sample-");
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                if (e.getName().equals("variables/variables.index")) {
                    Files.copy(zip, staging.resolve("variables.index"));
                } else if (e.getName().equals("variables/variables.data-00000-of-00001")) {
                    try (OutputStream out = Files.newOutputStream(staging.resolve("variables.data-00000-of-00001"))) {
                        out.write(zip.readNBytes((int) DATA_BYTES));
                    }
                }
            }
            Files.move(staging, FOLDER, StandardCopyOption.ATOMIC_MOVE);
            return index;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path data() {
        return index().resolveSibling("variables.data-00000-of-00001");
    }
}
