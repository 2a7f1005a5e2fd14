package io.ptuning.weights.tfcheckpoint;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.ptuning.weights.DType;
import io.ptuning.weights.HostTensor;
import io.ptuning.weights.MalformedWeightsException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A TensorFlow tensor bundle (what {@code tf.train.Saver} V2 and SavedModel {@code variables/} hold):
 * an {@code .index} table of {@link BundleEntry} per tensor name plus {@code .data-NNNNN-of-NNNNN} shards
 * of raw little-endian tensor bytes (tensorflow/core/util/tensor_bundle/tensor_bundle.cc).
 * Tensors are read one at a time from the shard files, so a 440 MB checkpoint never sits in memory twice.
 */
public final class TensorBundle {

    private final Path index;
    private final int shards;
    private final Map<String, BundleEntry> entries;

    private TensorBundle(Path index, int shards, Map<String, BundleEntry> entries) {
        this.index = index;
        this.shards = shards;
        this.entries = entries;
    }

    /** Opens {@code <prefix>.index}; the data shards are {@code <prefix>.data-00000-of-0000N} beside it. */
    public static TensorBundle open(Path index) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(index);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint index " + index + ": " + e.getMessage(), e);
        }
        String source = index.toString();
        Map<String, BundleEntry> entries = new TreeMap<>();
        int shards = 1;
        for (Map.Entry<String, byte[]> kv : SsTable.read(bytes, source).entrySet()) {
            if (kv.getKey().isEmpty()) {
                shards = parseShardCount(kv.getValue(), source);
            } else {
                entries.put(kv.getKey(), BundleEntry.parse(kv.getValue(), source, kv.getKey()));
            }
        }
        return new TensorBundle(index, shards, Collections.unmodifiableMap(entries));
    }

    /** {@code BundleHeaderProto}: {@code int32 num_shards = 1; Endianness endianness = 2} (0 = little). */
    private static int parseShardCount(byte[] proto, String source) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(proto);
            int shards = 1;
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                switch (WireFormat.getTagFieldNumber(tag)) {
                    case 1 -> shards = in.readInt32();
                    case 2 -> {
                        if (in.readEnum() != 0) {
                            throw new MalformedWeightsException(source, "bundle is big-endian; only little-endian is supported");
                        }
                    }
                    default -> in.skipField(tag);
                }
            }
            return shards;
        } catch (IOException e) {
            throw new MalformedWeightsException(source, "BundleHeaderProto does not parse: " + e.getMessage());
        }
    }

    public Path index() {
        return index;
    }

    /** Tensor names in key order. */
    public Iterable<String> names() {
        return entries.keySet();
    }

    /** The shape the index records for {@code name}, without reading data. */
    public long[] shape(String name) {
        return entry(name).shape();
    }

    /** Reads one float tensor from its data shard, checking its size and crc32c. */
    public HostTensor read(String name) {
        BundleEntry entry = entry(name);
        Path shard = shardFile(entry.shardId());
        String source = shard.toString();
        if (entry.dtype() != BundleEntry.DT_FLOAT) {
            throw new MalformedWeightsException(index.toString(), name, "dtype enum " + entry.dtype()
                    + " is not DT_FLOAT (1); only float32 weights are imported");
        }
        if (entry.slices() > 0) {
            throw new MalformedWeightsException(index.toString(), name,
                    "is a partitioned variable (" + entry.slices() + " slices); not supported");
        }
        long expected = HostTensor.elementCount(entry.shape()) * DType.F32.bytes();
        if (entry.size() != expected) {
            throw new MalformedWeightsException(index.toString(), name, "index says " + entry.size()
                    + " bytes but shape " + Arrays.toString(entry.shape()) + " of float32 needs " + expected);
        }
        byte[] data = new byte[Math.toIntExact(entry.size())];
        try (FileChannel channel = FileChannel.open(shard, StandardOpenOption.READ)) {
            long end = entry.offset() + entry.size();
            if (end > channel.size()) {
                throw new MalformedWeightsException(source, name, "needs bytes [" + entry.offset() + ", " + end
                        + ") but the data file holds only " + channel.size() + " bytes (truncated?)");
            }
            ByteBuffer buffer = ByteBuffer.wrap(data);
            long position = entry.offset();
            while (buffer.hasRemaining()) {
                int read = channel.read(buffer, position);
                if (read < 0) {
                    throw new MalformedWeightsException(source, name, "data file ended while reading (truncated?)");
                }
                position += read;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tensor '" + name + "' from " + shard + ": " + e.getMessage(), e);
        }
        if (entry.crc32c() != null && MaskedCrc32c.of(data) != entry.crc32c()) {
            throw new MalformedWeightsException(source, name, "crc32c of the " + data.length
                    + " data bytes does not match the index (corrupt data file, or index from another checkpoint)");
        }
        return new HostTensor(DType.F32, entry.shape(), data);
    }

    private BundleEntry entry(String name) {
        BundleEntry entry = entries.get(name);
        if (entry == null) {
            throw new MalformedWeightsException(index.toString(), name, "not in this checkpoint");
        }
        return entry;
    }

    private Path shardFile(int shardId) {
        String file = index.getFileName().toString();
        String prefix = file.endsWith(".index") ? file.substring(0, file.length() - ".index".length()) : file;
        return index.resolveSibling(String.format("%s.data-%05d-of-%05d", prefix, shardId, shards));
    }
}
