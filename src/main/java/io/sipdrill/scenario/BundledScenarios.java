package io.sipdrill.scenario;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The scenarios shipped inside the jar (the files under scenarios/). Files whose name starts with
 * an underscore are fragments for `include`, not scenarios.
 */
public final class BundledScenarios {
    private BundledScenarios() { }

    public static List<String> names() {
        URL marker = BundledScenarios.class.getClassLoader().getResource("scenarios");
        if (marker == null) return List.of();
        try {
            URI uri = marker.toURI();
            if (uri.getScheme().equals("jar")) {
                try (FileSystem fs = FileSystems.newFileSystem(uri, Map.of())) {
                    return list(fs.getPath("/scenarios"));
                }
            }
            return list(Path.of(uri));
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot list bundled scenarios: " + e.getMessage(), e);
        }
    }

    private static List<String> list(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".conf"))
                    .filter(p -> !p.getFileName().toString().startsWith("_"))
                    .map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .map(n -> n.substring(0, n.length() - ".conf".length()))
                    .sorted()
                    .toList();
        }
    }
}
