package io.ptuning.weights.tfcheckpoint;

import io.ptuning.weights.MalformedWeightsException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * An uncompressed LevelDB-format table, as TensorFlow writes the {@code .index} of a tensor bundle
 * (format: https://github.com/google/leveldb/blob/main/doc/table_format.md;
 * TF's copy: tensorflow/tsl/lib/io/table_builder.cc). Only what a bundle index uses is read:
 * the footer, the index block, and the data blocks it points to; no filter or compression.
 */
final class SsTable {

    private static final int FOOTER_BYTES = 48;
    private static final long MAGIC = 0xdb4775248b80fb57L;
    /** Every block is followed by a compression-type byte and a masked crc32c of block + type byte. */
    private static final int BLOCK_TRAILER_BYTES = 5;

    private final ByteBuffer file;
    private final String source;

    private SsTable(ByteBuffer file, String source) {
        this.file = file.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        this.source = source;
    }

    /** All key/value pairs of the table, in key order; keys decoded as UTF-8. */
    static Map<String, byte[]> read(byte[] bytes, String source) {
        return new SsTable(ByteBuffer.wrap(bytes), source).entries();
    }

    private Map<String, byte[]> entries() {
        if (file.limit() < FOOTER_BYTES) {
            throw new MalformedWeightsException(source, "only " + file.limit() + " bytes; a table footer needs "
                    + FOOTER_BYTES + " (truncated, or not a TensorFlow checkpoint index)");
        }
        int footerStart = file.limit() - FOOTER_BYTES;
        long magic = file.getLong(file.limit() - 8);
        if (magic != MAGIC) {
            throw new MalformedWeightsException(source, String.format(
                    "table magic is 0x%016x, expected 0x%016x (truncated, or not a TensorFlow checkpoint index)",
                    magic, MAGIC));
        }
        ByteBuffer footer = file.duplicate().position(footerStart);
        readHandle(footer, "metaindex"); // TF writes an empty metaindex block: nothing in it to read
        BlockHandle index = readHandle(footer, "index");
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> indexEntry : readBlock(index, "index block").entrySet()) {
            BlockHandle data = readHandle(ByteBuffer.wrap(indexEntry.getValue()), "data block");
            entries.putAll(readBlock(data, "data block before key '" + indexEntry.getKey() + "'"));
        }
        return entries;
    }

    private Map<String, byte[]> readBlock(BlockHandle handle, String what) {
        long end = handle.offset() + handle.size() + BLOCK_TRAILER_BYTES;
        if (handle.offset() < 0 || handle.size() < 4 || end > file.limit()) {
            throw new MalformedWeightsException(source, what + " at [" + handle.offset() + ", " + end
                    + ") lies outside the file of " + file.limit() + " bytes (truncated?)");
        }
        int start = (int) handle.offset();
        int size = (int) handle.size();
        byte compression = file.get(start + size);
        if (compression != 0) {
            throw new MalformedWeightsException(source, what + " is compressed (type " + compression
                    + "); only uncompressed tables, as TensorFlow writes bundle indexes, are supported");
        }
        CRC32C crc = new CRC32C();
        crc.update(file.duplicate().position(start).limit(start + size + 1));
        int stored = file.getInt(start + size + 1);
        if (MaskedCrc32c.mask((int) crc.getValue()) != stored) {
            throw new MalformedWeightsException(source, what + " at offset " + start + " fails its crc32c check (corrupt)");
        }
        ByteBuffer block = file.duplicate().position(start).limit(start + size).slice().order(ByteOrder.LITTLE_ENDIAN);
        int restarts = block.getInt(size - 4);
        int entriesEnd = size - 4 - 4 * restarts;
        if (restarts < 0 || entriesEnd < 0) {
            throw new MalformedWeightsException(source, what + " at offset " + start + " has a bad restart count " + restarts);
        }
        Map<String, byte[]> entries = new LinkedHashMap<>();
        byte[] previous = new byte[0];
        block.limit(entriesEnd);
        while (block.hasRemaining()) {
            int shared = (int) readVarint(block, what);
            int unshared = (int) readVarint(block, what);
            int valueLength = (int) readVarint(block, what);
            if (shared > previous.length || unshared < 0 || valueLength < 0
                    || unshared + (long) valueLength > block.remaining()) {
                throw new MalformedWeightsException(source, what + " at offset " + start + " has a corrupt entry");
            }
            byte[] key = new byte[shared + unshared];
            System.arraycopy(previous, 0, key, 0, shared);
            block.get(key, shared, unshared);
            byte[] value = new byte[valueLength];
            block.get(value);
            entries.put(new String(key, StandardCharsets.UTF_8), value);
            previous = key;
        }
        return entries;
    }

    private BlockHandle readHandle(ByteBuffer in, String what) {
        return new BlockHandle(readVarint(in, what + " handle"), readVarint(in, what + " handle"));
    }

    /** LevelDB's varint64: 7 bits a byte, least significant first (the table layer is not protobuf). */
    private long readVarint(ByteBuffer in, String what) {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (!in.hasRemaining()) {
                throw new MalformedWeightsException(source, what + ": varint runs past its end (corrupt)");
            }
            byte b = in.get();
            result |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return result;
            }
        }
        throw new MalformedWeightsException(source, what + ": varint longer than 10 bytes (corrupt)");
    }

    private record BlockHandle(long offset, long size) {}
}
