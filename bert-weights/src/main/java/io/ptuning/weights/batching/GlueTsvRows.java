package io.ptuning.weights.batching;

import io.ptuning.weights.tokenizer.BertTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The rows of a GLUE single-sentence TSV split ({@code sentence<TAB>label} after a header line, as SST-2 ships),
 * tokenized, for benchmarks and tests. The tokenizer-service reads datasets with its own validating readers.
 */
public final class GlueTsvRows {

    private GlueTsvRows() {}

    /** Example ids are the row numbers after the header, from 0. */
    public static List<TokenizedRow> read(Path tsv, BertTokenizer tokenizer) {
        List<String> lines;
        try {
            lines = Files.readAllLines(tsv);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read SST-2 split " + tsv
                    + " (README, 'Getting SST-2'; tests take -Dsst2.dir)", e);
        }
        List<TokenizedRow> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            int tab = line.lastIndexOf('\t');
            rows.add(new TokenizedRow(i - 1, Long.parseLong(line.substring(tab + 1).trim()),
                    tokenizer.encode(line.substring(0, tab))));
        }
        return rows;
    }
}
