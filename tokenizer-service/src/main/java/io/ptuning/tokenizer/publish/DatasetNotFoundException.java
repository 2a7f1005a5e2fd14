package io.ptuning.tokenizer.publish;

/** The configured dataset folder or split file is missing; the message names the property to set. */
public class DatasetNotFoundException extends RuntimeException {

    public DatasetNotFoundException(String message) {
        super(message);
    }
}
