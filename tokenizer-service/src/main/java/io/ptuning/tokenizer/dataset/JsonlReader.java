package io.ptuning.tokenizer.dataset;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One JSON object per line with a string {@code sentence} and, for labeled data, a {@code label} of 0 or 1
 * (a number or a string). A file is labeled if its first row has a label; then every row must have one.
 * Blank lines are not allowed: they would shift example ids away from line numbers silently.
 */
public final class JsonlReader implements DatasetReader {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public List<DatasetRow> read(Path file) {
        List<String> lines = DatasetLines.read(file);
        List<DatasetRow> rows = new ArrayList<>(lines.size());
        Boolean labeled = null;
        for (int i = 0; i < lines.size(); i++) {
            long lineNumber = i + 1L;
            JsonNode node;
            try {
                node = JSON.readTree(lines.get(i));
            } catch (JsonProcessingException e) {
                throw new InvalidRowException(file, lineNumber, "not a JSON object: " + e.getOriginalMessage());
            }
            if (node == null || !node.isObject()) {
                throw new InvalidRowException(file, lineNumber, "not a JSON object");
            }
            JsonNode sentence = node.get("sentence");
            if (sentence == null || !sentence.isTextual() || sentence.asText().isBlank()) {
                throw new InvalidRowException(file, lineNumber, "missing or empty string field 'sentence'");
            }
            JsonNode label = node.get("label");
            if (labeled == null) {
                labeled = label != null;
            }
            if (labeled && label == null) {
                throw new InvalidRowException(file, lineNumber, "missing 'label' (earlier rows have one)");
            }
            long value = labeled ? GlueTsvReader.parseLabel(file, lineNumber, label.asText()) : -1;
            rows.add(new DatasetRow(rows.size(), lineNumber, sentence.asText(), value));
        }
        return rows;
    }
}
