package io.ptuning.tokenizer.dataset;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * GLUE single-sentence TSV with a header line: {@code sentence<TAB>label} (train, dev) or
 * {@code index<TAB>sentence} (the unlabeled test split, whose rows get label -1).
 */
public final class GlueTsvReader implements DatasetReader {

    @Override
    public List<DatasetRow> read(Path file) {
        List<String> lines = DatasetLines.read(file);
        if (lines.isEmpty()) {
            throw new InvalidRowException(file, 1, "file is empty; expected a header 'sentence\\tlabel' or 'index\\tsentence'");
        }
        String header = lines.get(0);
        boolean labeled;
        if (header.equals("sentence\tlabel")) {
            labeled = true;
        } else if (header.equals("index\tsentence")) {
            labeled = false;
        } else {
            throw new InvalidRowException(file, 1, "header is '" + header.replace("\t", "\\t")
                    + "'; expected 'sentence\\tlabel' or 'index\\tsentence'");
        }
        List<DatasetRow> rows = new ArrayList<>(lines.size() - 1);
        for (int i = 1; i < lines.size(); i++) {
            long lineNumber = i + 1L;
            String line = lines.get(i);
            int tab = line.indexOf('\t');
            if (tab < 0) {
                throw new InvalidRowException(file, lineNumber, "missing tab: expected two tab-separated columns "
                        + (labeled ? "'sentence\\tlabel'" : "'index\\tsentence'"));
            }
            if (line.indexOf('\t', tab + 1) >= 0) {
                throw new InvalidRowException(file, lineNumber, "more than two tab-separated columns");
            }
            String first = line.substring(0, tab);
            String second = line.substring(tab + 1);
            String sentence = labeled ? first : second;
            long label = labeled ? parseLabel(file, lineNumber, second) : -1;
            if (!labeled) {
                requireIndex(file, lineNumber, first);
            }
            if (sentence.isBlank()) {
                throw new InvalidRowException(file, lineNumber, "empty sentence");
            }
            rows.add(new DatasetRow(rows.size(), lineNumber, sentence, label));
        }
        return rows;
    }

    static long parseLabel(Path file, long lineNumber, String text) {
        String label = text.strip();
        if (label.equals("0")) {
            return 0;
        }
        if (label.equals("1")) {
            return 1;
        }
        throw new InvalidRowException(file, lineNumber, "label '" + text + "' is not 0 or 1");
    }

    private static void requireIndex(Path file, long lineNumber, String text) {
        if (text.isBlank() || !text.strip().chars().allMatch(Character::isDigit)) {
            throw new InvalidRowException(file, lineNumber, "index '" + text + "' is not a non-negative integer");
        }
    }
}
