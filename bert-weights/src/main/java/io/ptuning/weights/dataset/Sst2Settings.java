package io.ptuning.weights.dataset;

import io.ptuning.weights.cache.ModelCache;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * Where SST-2 comes from, as configured by environment variables (or system properties, which win):
 *
 * <ul>
 *   <li>{@code SST2_DIR}: a folder with train.tsv and dev.tsv supplied by hand; used as is, never downloaded into;
 *   <li>{@code PTUNING_DATA_CACHE} / {@code ptuning.data.cache}: the data cache, default {@code datasets} beside the
 *       model cache ({@code ~/.cache/ptuning/datasets}); SST-2 lives in its {@code sst2} folder;
 *   <li>{@code PTUNING_SST2_URL} / {@code ptuning.sst2.url}: where GLUE's SST-2.zip is downloaded from (a mirror, a
 *       test server);
 *   <li>{@code PTUNING_OFFLINE=1} / {@code ptuning.offline=true}: never download; fail at once if nothing is cached.
 * </ul>
 *
 * @param sst2Dir the folder from {@code SST2_DIR}, or null
 */
public record Sst2Settings(Path sst2Dir, Path cacheRoot, URI url, boolean offline) {

    /** GLUE's own release (as in the GLUE download script, download_glue_data.py). */
    public static final URI GLUE_URL = URI.create("https://dl.fbaipublicfiles.com/glue/data/SST-2.zip");
    public static final String SST2_DIR_ENV = "SST2_DIR";
    public static final String CACHE_ENV = "PTUNING_DATA_CACHE";
    public static final String CACHE_PROPERTY = "ptuning.data.cache";
    public static final String URL_ENV = "PTUNING_SST2_URL";
    public static final String URL_PROPERTY = "ptuning.sst2.url";
    public static final String OFFLINE_ENV = "PTUNING_OFFLINE";
    public static final String OFFLINE_PROPERTY = "ptuning.offline";

    /** This process's configuration. */
    public static Sst2Settings configured() {
        return from(System.getenv(), System.getProperties());
    }

    /** The configuration {@code env} and {@code properties} describe; blank values count as unset. */
    public static Sst2Settings from(Map<String, String> env, Properties properties) {
        String dir = value(env, properties, SST2_DIR_ENV, null);
        String cache = value(env, properties, CACHE_ENV, CACHE_PROPERTY);
        String url = value(env, properties, URL_ENV, URL_PROPERTY);
        String offline = value(env, properties, OFFLINE_ENV, OFFLINE_PROPERTY);
        return new Sst2Settings(
                dir == null ? null : Path.of(dir).toAbsolutePath(),
                cache == null ? defaultCacheRoot() : Path.of(cache).toAbsolutePath(),
                url == null ? GLUE_URL : URI.create(url),
                offline != null && (offline.equals("1") || offline.equalsIgnoreCase("true") || offline.equalsIgnoreCase("yes")));
    }

    /** The SST-2 folder inside the data cache. */
    public Path cacheFolder() {
        return cacheRoot.resolve("sst2");
    }

    /** {@code datasets} beside the model cache's root, e.g. {@code ~/.cache/ptuning/datasets}. */
    static Path defaultCacheRoot() {
        Path models = ModelCache.configuredRoot().toAbsolutePath();
        return models.getParent() == null ? models.resolve("datasets") : models.resolveSibling("datasets");
    }

    private static String value(Map<String, String> env, Properties properties, String envName, String propertyName) {
        String property = propertyName == null ? null : properties.getProperty(propertyName);
        if (property != null && !property.isBlank()) {
            return property.trim();
        }
        String fromEnv = env.get(envName);
        return fromEnv == null || fromEnv.isBlank() ? null : fromEnv.trim();
    }
}
