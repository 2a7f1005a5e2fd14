package io.ptuning.weights.dataset;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The three files of GLUE's SST-2 release and their pinned SHA-256s: what decides whether a download is SST-2.
 *
 * <p>Where the checksums come from: torchtext, gluonnlp and paddlenlp all pin the MD5s of the files in GLUE's
 * {@code SST-2.zip} (train.tsv da409a0a939379ed32a470bc0f7fe99a, dev.tsv 268856b487b2a31a28c0a93daaff7288,
 * test.tsv 3230e4efec76488b87877a56ae49675a; the zip itself 9f81648d4199384278b86e315dac217c). The copies this
 * project was developed with match those MD5s, and their SHA-256s are pinned here. The zip's own bytes are not
 * checked: a mirror may re-pack the same files (and tests serve a zip they build), so the extracted files decide.
 */
public final class Sst2Files {

    /** The folder inside GLUE's SST-2.zip that holds the files; other entries (e.g. {@code original/}) are ignored. */
    public static final String ZIP_FOLDER = "SST-2/";

    /** File name to SHA-256, in the order they are checked. */
    public static final Map<String, String> SHA256 = pinned();

    /** What a folder needs for training and evaluation; test.tsv is only needed to publish the test split. */
    public static final List<String> REQUIRED = List.of("train.tsv", "dev.tsv");

    private Sst2Files() {}

    private static Map<String, String> pinned() {
        Map<String, String> sha = new LinkedHashMap<>();
        sha.put("train.tsv", "48eac26399f8456935f81dd9e3a745c1430adb6c62e233ccfe22db4a0d15d1d1");
        sha.put("dev.tsv", "54a9c12c77e402fc14d6a66a506f24d999f596b0176eb777c972cccc2f9cc4b0");
        sha.put("test.tsv", "69a938605609b3e6663b4487918fe1565eb293734e6e520d0366d1d412fd2a13");
        return java.util.Collections.unmodifiableMap(sha);
    }

    /** Whether {@code folder} holds the files training needs (checked by presence only: the folder is the user's). */
    public static boolean presentIn(Path folder) {
        return REQUIRED.stream().allMatch(name -> Files.isRegularFile(folder.resolve(name)));
    }

    /** Throws unless {@code folder} holds all three files with their pinned SHA-256s. */
    public static void verify(Path folder) throws IOException {
        for (Map.Entry<String, String> file : SHA256.entrySet()) {
            Path path = folder.resolve(file.getKey());
            if (!Files.isRegularFile(path)) {
                throw new IOException("the download has no " + ZIP_FOLDER + file.getKey());
            }
            String actual = sha256(path);
            if (!actual.equals(file.getValue())) {
                throw new IOException(file.getKey() + " has SHA-256 " + actual + ", expected " + file.getValue()
                        + ": the download is not GLUE's SST-2 (corrupted, or another file)");
            }
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
