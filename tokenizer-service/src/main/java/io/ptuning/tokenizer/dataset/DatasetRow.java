package io.ptuning.tokenizer.dataset;

/**
 * One validated data row.
 *
 * @param exampleId  0-based index of the row among the file's data rows (header not counted); travels as
 *                   {@code example_ids} so a consumer can trace every prediction back to its line
 * @param lineNumber 1-based line in the file, for messages
 * @param sentence   the text, as in the file (never empty)
 * @param label      0 or 1, or -1 for an unlabeled split
 */
public record DatasetRow(long exampleId, long lineNumber, String sentence, long label) {
}
