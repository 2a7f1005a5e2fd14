package io.ptuning.tokenizer.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Everything the tokenizer-service can be told, under {@code tokenizer.}; validated at start-up. */
@ConfigMapping(prefix = "tokenizer")
public interface TokenizerServiceConfig {

    Dataset dataset();

    /** Model whose tokenizer.json is used, from the model cache: {@code all-minilm-l6-v2} or {@code bert-base-uncased}. */
    @WithDefault("all-minilm-l6-v2")
    @Pattern(regexp = "[A-Za-z0-9._-]+", message = "must be a model cache name, e.g. all-minilm-l6-v2 or bert-base-uncased")
    String model();

    /** Model cache root; defaults to system property ptuning.model.cache, env PTUNING_MODEL_CACHE, ~/.cache/ptuning/models. */
    Optional<Path> modelCache();

    /** Longest encoding in ids, [CLS] and [SEP] included; longer sentences are truncated. */
    @WithDefault("128")
    @Min(3)
    @Max(512)
    int maxLength();

    Batching batching();

    Kafka kafka();

    /** Splits to publish when the service starts, e.g. {@code train,validation}; none by default. */
    Optional<List<@Pattern(regexp = "train|validation|test", message = "must be train, validation or test") String>> publishOnStart();

    interface Dataset {

        /** Dataset name: the topic prefix ({@code <name>.batches.<split>}). */
        @WithDefault("sst2")
        @Pattern(regexp = "[a-zA-Z0-9_-]+", message = "must be letters, digits, '_' or '-' (it names topics)")
        String name();

        /**
         * Folder with the split files. Unset: SST-2 as {@code Sst2Resolver} finds it (SST2_DIR, the data cache, or
         * GLUE's SST-2.zip downloaded into the cache on first use). See README.md, "Getting SST-2".
         */
        Optional<Path> dir();

        /** File of the train split inside {@code dir}. */
        @WithDefault("train.tsv")
        @NotBlank
        String train();

        /** File of the validation split (GLUE's dev set) inside {@code dir}. */
        @WithDefault("dev.tsv")
        @NotBlank
        String validation();

        /** File of the unlabeled test split inside {@code dir}. */
        @WithDefault("test.tsv")
        @NotBlank
        String test();
    }

    interface Batching {

        @WithDefault("32")
        @Min(1)
        @Max(4096)
        int batchSize();

        /** Batches' worth of shuffled rows sorted by length together; more means less padding. */
        @WithDefault("50")
        @Min(1)
        int bucketBatches();

        @WithDefault("42")
        long seed();
    }

    interface Kafka {

        /**
         * Producer max.request.size and the scanning consumer's fetch size; the topics' max.message.bytes is the
         * TopicCatalog's (16 MiB), and the broker's message.max.bytes must allow it.
         */
        @WithDefault("16777216")
        @Min(1024)
        int maxMessageBytes();

        /** Replication factor of batch topics this service creates. */
        @WithDefault("1")
        @Min(1)
        short replicationFactor();

        /** Longest a publish transaction may stay open before the broker aborts it. */
        @WithDefault("PT5M")
        Duration transactionTimeout();

        /** Transactional id of a topic's publisher: prefix + topic; publishers of one topic fence each other. */
        @WithDefault("tokenizer-service.")
        String transactionalIdPrefix();
    }
}
