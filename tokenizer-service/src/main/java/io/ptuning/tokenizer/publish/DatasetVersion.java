package io.ptuning.tokenizer.publish;

import io.ptuning.contract.EncodedBatch;
import io.ptuning.weights.batching.BatchingSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The version of a published split: a fingerprint of everything that determines its records (source file bytes,
 * tokenizer, batching settings, record schema, dataset name and split). Same inputs, same version; the version is
 * the record key, which is how a second publish of the same inputs knows it has nothing to add.
 */
public final class DatasetVersion {

    /** Hex characters kept from the SHA-256: 96 bits, short enough for keys and logs. */
    private static final int LENGTH = 24;

    private DatasetVersion() {
    }

    public static String of(DatasetSource source, String tokenizerFingerprint, BatchingSettings batching) {
        MessageDigest sha = sha256();
        sha.update(fileSha256(source.file()));
        String settings = "\ndataset=" + source.dataset()
                + "\nsplit=" + source.split().wireName()
                + "\nschema=" + EncodedBatch.SCHEMA_VERSION
                + "\ntokenizer=" + tokenizerFingerprint
                + "\nbatch_size=" + batching.batchSize()
                + "\nbucket_batches=" + batching.bucketBatches()
                + "\nseed=" + batching.seed();
        sha.update(settings.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(sha.digest()).substring(0, LENGTH);
    }

    private static byte[] fileSha256(Path file) {
        MessageDigest sha = sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dataset file " + file + ": " + e.getMessage(), e);
        }
        return sha.digest();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
