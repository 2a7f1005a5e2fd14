package io.ptuning.weights.cache;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipFile;

/**
 * Where the files of a {@link ModelArtifact} are read from: the classpath when the artifact jar is on it
 * (a test or an application that depends on it), else the jar in the local Maven repository.
 */
public record ArtifactSource(String description, Map<String, URL> entries) {

    public ArtifactSource {
        entries = Map.copyOf(entries);
    }

    /** Finds every entry of {@code artifact}; fails with the Maven command that fetches the jar. */
    public static ArtifactSource locate(ModelArtifact artifact, ClassLoader classLoader, Path localRepository) {
        Map<String, URL> found = new LinkedHashMap<>();
        for (String entry : artifact.entries()) {
            URL url = classLoader == null ? null : classLoader.getResource(entry);
            if (url != null) {
                found.put(entry, url);
            }
        }
        if (found.size() == artifact.entries().size()) {
            return new ArtifactSource("classpath " + found.get(artifact.entries().get(0)), found);
        }
        Path jar = artifact.jarIn(localRepository);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("model artifact " + artifact.coordinates() + " is neither on the classpath nor at "
                    + jar + "; fetch it with:\n  ./mvnw dependency:get -Dartifact=" + artifact.coordinates()
                    + "\n(or set -Dmaven.repo.local to the repository that holds it)");
        }
        return fromJar(artifact, jar);
    }

    /** The entries of {@code artifact} inside {@code jar}; fails naming the jar and the missing entry. */
    public static ArtifactSource fromJar(ModelArtifact artifact, Path jar) {
        Map<String, URL> found = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (String entry : artifact.entries()) {
                if (zip.getEntry(entry) == null) {
                    throw new IllegalStateException(jar + " has no entry " + entry + "; is it " + artifact.coordinates()
                            + "? Delete it and run ./mvnw dependency:get -Dartifact=" + artifact.coordinates());
                }
                found.put(entry, new URL("jar:" + jar.toUri() + "!/" + entry));
            }
        } catch (MalformedURLException e) {
            throw new IllegalStateException("cannot address " + jar + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + jar + " as a jar: " + e.getMessage(), e);
        }
        return new ArtifactSource(jar.toString(), found);
    }

    /** A fresh stream of one entry; the caller closes it. */
    public InputStream open(String entry) {
        URL url = entries.get(entry);
        if (url == null) {
            throw new IllegalArgumentException(description + " has no entry " + entry);
        }
        try {
            return url.openStream();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + url + ": " + e.getMessage(), e);
        }
    }

    /** The URL of {@code entry}, for error messages and metadata. */
    public String name(String entry) {
        return String.valueOf(entries.get(entry));
    }
}
