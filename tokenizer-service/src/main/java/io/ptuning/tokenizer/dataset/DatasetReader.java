package io.ptuning.tokenizer.dataset;

import java.nio.file.Path;
import java.util.List;

/** Reads and validates a whole dataset file; fails on the first bad row with {@link InvalidRowException}. */
public interface DatasetReader {

    List<DatasetRow> read(Path file);

    /** The reader for a file, chosen by its extension: {@code .tsv} (GLUE), {@code .jsonl}, {@code .csv}. */
    static DatasetReader forFile(Path file) {
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (name.endsWith(".tsv")) {
            return new GlueTsvReader();
        }
        if (name.endsWith(".jsonl")) {
            return new JsonlReader();
        }
        if (name.endsWith(".csv")) {
            return new CsvReader();
        }
        throw new IllegalArgumentException(file + ": unknown dataset format; expected .tsv (GLUE), .jsonl or .csv");
    }
}
