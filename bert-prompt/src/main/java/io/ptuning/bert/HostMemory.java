package io.ptuning.bert;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps memory that libtorch frees inside the process, so that the next step's tensors reuse it.
 *
 * <p>Every training step allocates and frees the same few hundred megabytes of tensors. By default glibc's
 * malloc gives freed memory at the top of its heaps back to the kernel and serves large blocks with fresh
 * {@code mmap}s, so the next step touches new pages, and in a virtual machine each first touch of a page costs
 * microseconds, a fifth of bert-base's training speed (BENCHMARKS.md, "libtorch set-up"). This is what PyTorch's
 * CPU tuning guides get with jemalloc or tcmalloc in {@code LD_PRELOAD}; glibc's own {@code mallopt} does it without a second allocator. The cost: the process
 * keeps its peak memory rather than shrinking after it.
 *
 * <p>Applied once per process, only with glibc, and not where the environment tunes malloc itself
 * ({@code GLIBC_TUNABLES} or {@code MALLOC_*_} variables) or replaces it: those take precedence. tcmalloc in
 * {@code LD_PRELOAD} (gperftools' {@code libtcmalloc_minimal.so.4}) is faster still for a step's many large blocks, and
 * the pipeline launcher preloads it where the machine has it (BENCHMARKS.md, "CPU replicas").
 */
public final class HostMemory {

    private static final Logger LOG = LoggerFactory.getLogger(HostMemory.class);
    // mallopt parameters from glibc's malloc.h
    private static final int M_TRIM_THRESHOLD = -1;
    private static final int M_TOP_PAD = -2;
    private static final int M_MMAP_THRESHOLD = -3;
    /** Largest block glibc will serve from its heaps instead of mmap (its maximum, 32 MiB on 64-bit). */
    private static final int HEAP_BLOCKS_UP_TO = 32 << 20;
    private static final int TOP_PAD = 256 << 20;
    private static final List<String> MALLOC_ENVIRONMENT = List.of("GLIBC_TUNABLES", "MALLOC_TRIM_THRESHOLD_",
            "MALLOC_TOP_PAD_", "MALLOC_MMAP_THRESHOLD_", "MALLOC_MMAP_MAX_", "MALLOC_ARENA_MAX");

    /** Allocators that replace malloc, each with a symbol it exports, in the order they are looked for. */
    private static final List<Map.Entry<String, String>> PRELOADED_ALLOCATORS = List.of(
            Map.entry("tc_malloc", "tcmalloc"), Map.entry("mallctl", "jemalloc"), Map.entry("mi_malloc", "mimalloc"));

    private static Boolean kept;
    /** The preloaded allocator, looked up once per process. */
    private static Optional<String> preloaded;

    private HostMemory() {
    }

    /** Tells glibc's malloc to keep freed memory; returns whether it did (false: not glibc, or the environment decides). */
    public static synchronized boolean keepFreedMemory() {
        if (kept == null) {
            kept = tuneMalloc();
        }
        return kept;
    }

    /** Which malloc serves libtorch, for a run's log: a preloaded allocator, or glibc's and whether it keeps freed memory. */
    public static synchronized String describe() {
        return preloadedAllocator().map(name -> name + " (preloaded)")
                .orElseGet(() -> "glibc, freed memory kept for reuse: " + keepFreedMemory());
    }

    /** The allocator that replaced malloc in this process ({@code LD_PRELOAD}), if one did. */
    static synchronized Optional<String> preloadedAllocator() {
        if (preloaded == null) {
            NativeLibrary process = NativeLibrary.getProcess();
            preloaded = PRELOADED_ALLOCATORS.stream().filter(allocator -> exports(process, allocator.getKey()))
                    .map(Map.Entry::getValue).findFirst();
        }
        return preloaded;
    }

    private static boolean exports(NativeLibrary library, String symbol) {
        try {
            library.getFunction(symbol);
            return true;
        } catch (UnsatisfiedLinkError absent) {
            return false;
        }
    }

    private static boolean tuneMalloc() {
        Optional<String> preloaded = preloadedAllocator();
        if (preloaded.isPresent()) {
            LOG.info("malloc left as it is: {} is preloaded", preloaded.get());
            return false;
        }
        String userSetting = MALLOC_ENVIRONMENT.stream().filter(name -> System.getenv(name) != null).findFirst().orElse(null);
        if (userSetting != null) {
            LOG.info("malloc left as it is: {} in the environment sets it up", userSetting);
            return false;
        }
        try {
            NativeLibrary libc = NativeLibrary.getInstance("c");
            libc.getFunction("gnu_get_libc_version"); // glibc only: musl's and macOS's mallopt are not glibc's
            Function mallopt = libc.getFunction("mallopt");
            boolean applied = mallopt.invokeInt(new Object[] {M_MMAP_THRESHOLD, HEAP_BLOCKS_UP_TO}) == 1
                    & mallopt.invokeInt(new Object[] {M_TRIM_THRESHOLD, Integer.MAX_VALUE}) == 1
                    & mallopt.invokeInt(new Object[] {M_TOP_PAD, TOP_PAD}) == 1;
            LOG.info("glibc malloc keeps freed memory for reuse: {}", applied);
            return applied;
        } catch (UnsatisfiedLinkError e) {
            LOG.info("not glibc, malloc left as it is ({})", e.getMessage());
            return false;
        }
    }
}
