package io.ptuning.tokenizer.dataset;

import java.nio.file.Path;

/** A row that fails validation: the publish stops, naming the file, the line and the reason. */
public class InvalidRowException extends RuntimeException {

    private final Path file;
    private final long lineNumber;
    private final String reason;

    public InvalidRowException(Path file, long lineNumber, String reason) {
        super(file + " line " + lineNumber + ": " + reason + "; fix the file and publish again (nothing was published)");
        this.file = file;
        this.lineNumber = lineNumber;
        this.reason = reason;
    }

    public Path file() {
        return file;
    }

    /** 1-based line number in the file, the header being line 1 where there is one. */
    public long lineNumber() {
        return lineNumber;
    }

    public String reason() {
        return reason;
    }
}
