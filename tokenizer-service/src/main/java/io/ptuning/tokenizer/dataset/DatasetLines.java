package io.ptuning.tokenizer.dataset;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The lines of a text file decoded as strict UTF-8, one line at a time, so that a bad byte sequence is
 * reported with its line number instead of being replaced by U+FFFD. Accepts LF and CRLF endings; a trailing
 * empty line at the end of the file is not a line.
 */
final class DatasetLines {

    private DatasetLines() {
    }

    static List<String> read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dataset file " + file + ": " + e.getMessage(), e);
        }
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        List<String> lines = new ArrayList<>();
        int start = 0;
        // A UTF-8 byte order mark is not part of the first column name.
        if (bytes.length >= 3 && (bytes[0] & 0xff) == 0xef && (bytes[1] & 0xff) == 0xbb && (bytes[2] & 0xff) == 0xbf) {
            start = 3;
        }
        while (start < bytes.length) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            int contentEnd = end > start && bytes[end - 1] == '\r' ? end - 1 : end;
            try {
                lines.add(utf8.decode(ByteBuffer.wrap(bytes, start, contentEnd - start)).toString());
            } catch (CharacterCodingException e) {
                throw new InvalidRowException(file, lines.size() + 1L, "not valid UTF-8 (" + e.getMessage() + ")");
            }
            start = end + 1;
        }
        return lines;
    }
}
