package io.ptuning.tokenizer.publish;

import io.ptuning.weights.batching.BatchingSettings;
import io.ptuning.weights.batching.LengthBucketedBatcher;
import io.ptuning.weights.batching.PaddedBatch;
import io.ptuning.weights.batching.TokenizedRow;
import io.ptuning.tokenizer.dataset.DatasetReader;
import io.ptuning.tokenizer.dataset.DatasetRow;
import io.ptuning.weights.tokenizer.BertTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** File to batches: read and validate every row, tokenize, pack by length. Sends nothing. */
public final class SplitPreparer {

    private final Function<String, long[]> tokenizer;
    private final String tokenizerFingerprint;
    private final long padId;
    private final BatchingSettings batching;

    public SplitPreparer(BertTokenizer tokenizer, BatchingSettings batching) {
        this(tokenizer::encode, tokenizer.fingerprint(), tokenizer.vocabulary().id("[PAD]"), batching);
    }

    SplitPreparer(Function<String, long[]> tokenizer, String tokenizerFingerprint, long padId, BatchingSettings batching) {
        this.tokenizer = tokenizer;
        this.tokenizerFingerprint = tokenizerFingerprint;
        this.padId = padId;
        this.batching = batching;
    }

    public String tokenizerFingerprint() {
        return tokenizerFingerprint;
    }

    public BatchingSettings batching() {
        return batching;
    }

    /** The version {@code source} would be published as; reads the file's bytes, not its rows. */
    public String version(DatasetSource source) {
        return DatasetVersion.of(source, tokenizerFingerprint, batching);
    }

    public PreparedSplit prepare(DatasetSource source, PublishProgress progress) {
        String version = version(source);
        List<DatasetRow> rows = DatasetReader.forFile(source.file()).read(source.file());
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(source.file() + " has no data rows; nothing to publish");
        }
        progress.read(rows.size());
        List<TokenizedRow> tokenized = new ArrayList<>(rows.size());
        for (DatasetRow row : rows) {
            tokenized.add(new TokenizedRow(row.exampleId(), row.label(), tokenizer.apply(row.sentence())));
            if (tokenized.size() % 1000 == 0) {
                progress.tokenized(1000);
            }
        }
        progress.tokenized(tokenized.size() % 1000);
        List<PaddedBatch> batches = LengthBucketedBatcher.batches(tokenized, batching).stream()
                .map(batch -> PaddedBatch.pad(batch, padId))
                .toList();
        return new PreparedSplit(source, version, tokenizerFingerprint, rows.size(), batches);
    }
}
