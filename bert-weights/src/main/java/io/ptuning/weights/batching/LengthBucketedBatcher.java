package io.ptuning.weights.batching;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Packs rows into batches that waste little padding, in a seeded random order: shuffle all rows, cut the
 * shuffled rows into buckets of {@code batchSize * bucketBatches}, sort each bucket by length and cut it into
 * batches, then shuffle the batches. This is the "bucket iterator" of torchtext / AllenNLP: rows in one batch
 * have similar lengths, yet which rows meet and the order of batches follow the seed.
 */
public final class LengthBucketedBatcher {

    private LengthBucketedBatcher() {
    }

    public static List<List<TokenizedRow>> batches(List<TokenizedRow> rows, BatchingSettings settings) {
        // java.util.Random's sequence is fixed by its specification: the same seed shuffles alike on every JVM.
        Random random = new Random(settings.seed());
        List<TokenizedRow> shuffled = new ArrayList<>(rows);
        shuffle(shuffled, random);
        int bucketSize = settings.batchSize() * settings.bucketBatches();
        List<List<TokenizedRow>> batches = new ArrayList<>((rows.size() + settings.batchSize() - 1) / settings.batchSize());
        for (int from = 0; from < shuffled.size(); from += bucketSize) {
            List<TokenizedRow> bucket = new ArrayList<>(shuffled.subList(from, Math.min(from + bucketSize, shuffled.size())));
            bucket.sort(Comparator.comparingInt(TokenizedRow::length)); // stable: ties keep their shuffled order
            for (int b = 0; b < bucket.size(); b += settings.batchSize()) {
                batches.add(List.copyOf(bucket.subList(b, Math.min(b + settings.batchSize(), bucket.size()))));
            }
        }
        shuffle(batches, random);
        return batches;
    }

    /** Fisher-Yates, written out so the order depends only on {@link Random}, not on a library's shuffle. */
    private static <T> void shuffle(List<T> list, Random random) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            T tmp = list.get(i);
            list.set(i, list.get(j));
            list.set(j, tmp);
        }
    }
}
