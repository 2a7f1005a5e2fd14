package io.ptuning.weights;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/** Imported BERT parameters under Hugging Face names and [out, in] layout, with the config their shapes imply. */
public record ImportedBert(BertConfig config, SortedMap<String, HostTensor> tensors) {

    public ImportedBert {
        tensors = Collections.unmodifiableSortedMap(new TreeMap<>(tensors));
    }
}
