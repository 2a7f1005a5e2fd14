package io.ptuning.tokenizer.dataset;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CSV (RFC 4180 quoting) with a header naming the columns: {@code sentence} is required, {@code label}
 * makes the file labeled; other columns are ignored. A quoted field may hold commas and doubled quotes but
 * not a line break, so that line numbers in errors are the file's lines.
 */
public final class CsvReader implements DatasetReader {

    @Override
    public List<DatasetRow> read(Path file) {
        List<String> lines = DatasetLines.read(file);
        if (lines.isEmpty()) {
            throw new InvalidRowException(file, 1, "file is empty; expected a header with a 'sentence' column");
        }
        List<String> header = split(file, 1, lines.get(0));
        int sentenceColumn = header.indexOf("sentence");
        int labelColumn = header.indexOf("label");
        if (sentenceColumn < 0) {
            throw new InvalidRowException(file, 1, "header " + header + " has no 'sentence' column");
        }
        List<DatasetRow> rows = new ArrayList<>(lines.size() - 1);
        for (int i = 1; i < lines.size(); i++) {
            long lineNumber = i + 1L;
            List<String> fields = split(file, lineNumber, lines.get(i));
            if (fields.size() != header.size()) {
                throw new InvalidRowException(file, lineNumber, fields.size() + " columns, the header has " + header.size());
            }
            String sentence = fields.get(sentenceColumn);
            if (sentence.isBlank()) {
                throw new InvalidRowException(file, lineNumber, "empty sentence");
            }
            long label = labelColumn < 0 ? -1 : GlueTsvReader.parseLabel(file, lineNumber, fields.get(labelColumn));
            rows.add(new DatasetRow(rows.size(), lineNumber, sentence, label));
        }
        return rows;
    }

    static List<String> split(Path file, long lineNumber, String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean wasQuoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"' && field.length() == 0 && !wasQuoted) {
                quoted = true;
                wasQuoted = true;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
                wasQuoted = false;
            } else if (wasQuoted) {
                throw new InvalidRowException(file, lineNumber, "text after a closing quote at column " + (i + 1));
            } else {
                field.append(c);
            }
        }
        if (quoted) {
            throw new InvalidRowException(file, lineNumber, "unterminated quoted field (fields may not span lines)");
        }
        fields.add(field.toString());
        return fields;
    }
}
