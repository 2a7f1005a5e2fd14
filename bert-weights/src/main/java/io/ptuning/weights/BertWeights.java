package io.ptuning.weights;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/** Imported BERT parameters under Hugging Face names and [out, in] layout, with the config their shapes imply. */
public record BertWeights(BertConfig config, SortedMap<String, HostTensor> tensors) {

    public BertWeights {
        tensors = Collections.unmodifiableSortedMap(new TreeMap<>(tensors));
    }

    /** Number of scalars in the tensors whose names satisfy {@code filter}. */
    public long parameterCount(java.util.function.Predicate<String> filter) {
        return tensors.entrySet().stream().filter(e -> filter.test(e.getKey()))
                .mapToLong(e -> e.getValue().elementCount()).sum();
    }
}
