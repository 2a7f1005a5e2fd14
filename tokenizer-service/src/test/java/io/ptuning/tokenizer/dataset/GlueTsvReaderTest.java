package io.ptuning.tokenizer.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GlueTsvReaderTest {

    @TempDir
    Path dir;

    @Test
    void labeledRowsGetTheirLabelAndZeroBasedExampleIds() throws IOException {
        Path file = write("sentence\tlabel\na fine film \t1\ndull \t0\n");

        List<DatasetRow> rows = new GlueTsvReader().read(file);

        assertThat(rows).containsExactly(
                new DatasetRow(0, 2, "a fine film ", 1),
                new DatasetRow(1, 3, "dull ", 0));
    }

    @Test
    void theUnlabeledTestFormGetsLabelMinusOne() throws IOException {
        Path file = write("index\tsentence\n0\tuneasy mishmash .\r\n1\ta poor imitation .\r\n");

        assertThat(new GlueTsvReader().read(file)).containsExactly(
                new DatasetRow(0, 2, "uneasy mishmash .", -1),
                new DatasetRow(1, 3, "a poor imitation .", -1));
    }

    @Test
    void aLineWithoutTabIsNamedWithItsLineNumber() throws IOException {
        Path file = write("sentence\tlabel\ngood \t1\nno tab here 0\nbad \t0\n");

        assertThatThrownBy(() -> new GlueTsvReader().read(file))
                .isInstanceOfSatisfying(InvalidRowException.class, e -> {
                    assertThat(e.lineNumber()).isEqualTo(3);
                    assertThat(e.reason()).startsWith("missing tab");
                    assertThat(e.file()).isEqualTo(file);
                })
                .hasMessageContaining(file + " line 3: missing tab");
    }

    @Test
    void aLabelOtherThanZeroOrOneIsRejected() throws IOException {
        Path file = write("sentence\tlabel\ngood \t1\nodd \t2\n");

        assertThatThrownBy(() -> new GlueTsvReader().read(file))
                .hasMessageContaining("line 3: label '2' is not 0 or 1");
    }

    @Test
    void anEmptySentenceIsRejected() throws IOException {
        Path file = write("sentence\tlabel\n  \t1\n");

        assertThatThrownBy(() -> new GlueTsvReader().read(file)).hasMessageContaining("line 2: empty sentence");
    }

    @Test
    void bytesThatAreNotUtf8AreRejectedWithTheirLine() throws IOException {
        Path file = dir.resolve("latin1.tsv");
        byte[] head = "sentence\tlabel\nok \t1\n".getBytes(StandardCharsets.UTF_8);
        byte[] bad = "caf\u00e9 \t1\n".getBytes(StandardCharsets.ISO_8859_1);
        Files.write(file, concat(head, bad));

        assertThatThrownBy(() -> new GlueTsvReader().read(file)).hasMessageContaining("line 3: not valid UTF-8");
    }

    @Test
    void anUnknownHeaderIsRejected() throws IOException {
        Path file = write("text\tlabel\nok \t1\n");

        assertThatThrownBy(() -> new GlueTsvReader().read(file)).hasMessageContaining("line 1: header is 'text\\tlabel'");
    }

    @Test
    void jsonlAndCsvRowsAreReadWithNamedFields() throws IOException {
        Path jsonl = dir.resolve("d.jsonl");
        Files.writeString(jsonl, "{\"sentence\":\"great\",\"label\":1}\n{\"sentence\":\"awful\",\"label\":\"0\"}\n");
        Path csv = dir.resolve("d.csv");
        Files.writeString(csv, "id,sentence,label\n7,\"good, really \"\"good\"\"\",1\n8,bad,0\n");

        assertThat(DatasetReader.forFile(jsonl).read(jsonl)).containsExactly(
                new DatasetRow(0, 1, "great", 1), new DatasetRow(1, 2, "awful", 0));
        assertThat(DatasetReader.forFile(csv).read(csv)).containsExactly(
                new DatasetRow(0, 2, "good, really \"good\"", 1), new DatasetRow(1, 3, "bad", 0));
    }

    private Path write(String text) throws IOException {
        Path file = dir.resolve("data.tsv");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
