package io.ptuning.weights.tfcheckpoint;

import java.util.zip.CRC32C;

/**
 * The masked crc32c that LevelDB tables and TF bundles store, so that a crc of data holding crcs stays
 * well distributed (tensorflow/tsl/lib/hash/crc32c.h: {@code Mask}).
 */
final class MaskedCrc32c {

    private static final int MASK_DELTA = 0xa282ead8;

    private MaskedCrc32c() {}

    static int mask(int crc) {
        return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
    }

    static int of(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data);
        return mask((int) crc.getValue());
    }
}
