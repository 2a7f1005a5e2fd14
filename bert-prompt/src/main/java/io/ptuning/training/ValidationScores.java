package io.ptuning.training;

import java.util.ArrayList;
import java.util.List;

/**
 * Classification scores over a whole split: confusion matrix (rows true, columns predicted), mean
 * cross-entropy, accuracy and per-class precision, recall and F1.
 */
public record ValidationScores(long[][] confusion, double lossSum, long examples) {

    public static ValidationScores empty(int numLabels) {
        return new ValidationScores(new long[numLabels][numLabels], 0, 0);
    }

    public double accuracy() {
        long correct = 0;
        for (int i = 0; i < confusion.length; i++) {
            correct += confusion[i][i];
        }
        return examples == 0 ? 0 : (double) correct / examples;
    }

    public double meanLoss() {
        return examples == 0 ? 0 : lossSum / examples;
    }

    public List<Double> precision() {
        List<Double> values = new ArrayList<>();
        for (int c = 0; c < confusion.length; c++) {
            long predicted = 0;
            for (long[] row : confusion) {
                predicted += row[c];
            }
            values.add(predicted == 0 ? 0.0 : (double) confusion[c][c] / predicted);
        }
        return values;
    }

    public List<Double> recall() {
        List<Double> values = new ArrayList<>();
        for (int c = 0; c < confusion.length; c++) {
            long actual = 0;
            for (long count : confusion[c]) {
                actual += count;
            }
            values.add(actual == 0 ? 0.0 : (double) confusion[c][c] / actual);
        }
        return values;
    }

    public List<Double> f1() {
        List<Double> p = precision();
        List<Double> r = recall();
        List<Double> values = new ArrayList<>();
        for (int c = 0; c < p.size(); c++) {
            double sum = p.get(c) + r.get(c);
            values.add(sum == 0 ? 0.0 : 2 * p.get(c) * r.get(c) / sum);
        }
        return values;
    }

    public double macroF1() {
        return f1().stream().mapToDouble(Double::doubleValue).average().orElse(0);
    }

    public List<List<Long>> confusionMatrix() {
        List<List<Long>> rows = new ArrayList<>();
        for (long[] row : confusion) {
            rows.add(java.util.Arrays.stream(row).boxed().toList());
        }
        return rows;
    }
}
