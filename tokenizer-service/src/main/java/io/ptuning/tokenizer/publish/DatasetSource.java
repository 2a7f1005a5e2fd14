package io.ptuning.tokenizer.publish;

import io.ptuning.contract.Split;
import java.nio.file.Path;

/** A file to publish as one split of a named dataset. */
public record DatasetSource(String dataset, Split split, Path file) {
}
