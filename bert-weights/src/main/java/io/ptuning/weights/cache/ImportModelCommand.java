package io.ptuning.weights.cache;

import io.ptuning.weights.ModelFolder;
import io.ptuning.weights.tfcheckpoint.TfCheckpointImporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Imports a model into a Hugging Face folder from the command line:
 * <pre>
 * java -cp ... io.ptuning.weights.cache.ImportModelCommand &lt;bert-base-uncased|all-minilm-l6-v2|path/to/bert_model.ckpt.index&gt; &lt;target-folder&gt; [--heads N] [--cased]
 * </pre>
 * A Google BERT checkpoint needs its {@code vocab.txt} beside the index; it is lower-cased unless
 * {@code --cased} is given or its folder name starts with {@code cased}.
 */
public final class ImportModelCommand {

    private static final String USAGE = "usage: ImportModelCommand <bert-base-uncased|all-minilm-l6-v2|path/to/bert_model.ckpt.index>"
            + " <target-folder> [--heads N] [--cased]";

    private ImportModelCommand() {}

    public static void main(String[] args) {
        try {
            ModelFolder folder = run(args);
            System.out.println("imported " + folder.path() + ": " + folder.config());
        } catch (IllegalArgumentException | IllegalStateException | java.io.UncheckedIOException e) {
            System.err.println(e.getMessage());
            System.exit(1);
        }
    }

    static ModelFolder run(String[] args) {
        if (args.length < 2) {
            throw new IllegalArgumentException(USAGE);
        }
        String model = args[0];
        Path target = Path.of(args[1]);
        OptionalInt heads = OptionalInt.empty();
        Boolean cased = null;
        for (int i = 2; i < args.length; i++) {
            switch (args[i]) {
                case "--heads" -> {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException("--heads needs a number\n" + USAGE);
                    }
                    heads = OptionalInt.of(Integer.parseInt(args[++i]));
                }
                case "--cased" -> cased = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "\n" + USAGE);
            }
        }
        if (Files.exists(target)) {
            throw new IllegalArgumentException(target + " exists already; choose a new folder or delete it");
        }
        if (model.endsWith(".index")) {
            Path index = Path.of(model);
            Path vocab = index.resolveSibling("vocab.txt");
            if (!Files.isRegularFile(index) || !Files.isRegularFile(vocab)) {
                throw new IllegalArgumentException("need " + index + " and " + vocab + " (a Google BERT release folder)");
            }
            Path parent = index.toAbsolutePath().getParent();
            boolean lowercase = cased != null ? !cased : !parent.getFileName().toString().startsWith("cased");
            OptionalInt headCount = heads;
            return AtomicFolderImport.create(target, staging -> TfCheckpointImporter.importCheckpoint(
                    index, vocab, lowercase, headCount, staging, Map.of("source_checkpoint", index.toString())));
        }
        ModelArtifact artifact = ModelArtifact.byName(model);
        ArtifactSource source = ArtifactSource.locate(artifact, ImportModelCommand.class.getClassLoader(),
                ModelCache.localMavenRepository());
        return ModelCache.importTo(artifact, target, source);
    }
}
