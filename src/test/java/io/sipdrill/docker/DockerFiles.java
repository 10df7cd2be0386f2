package io.sipdrill.docker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;

/** docker/ as the tests read it: the Dockerfile's instructions, the compose file and the Kubernetes Job. */
final class DockerFiles {
    static final Path ROOT = Path.of("").toAbsolutePath();
    static final Path DOCKER = ROOT.resolve("docker");

    private DockerFiles() { }

    /** One Dockerfile instruction: its keyword and the rest of its (joined) line. */
    record Instruction(String keyword, String args, int line) { }

    static List<Instruction> dockerfile(Path file) throws IOException {
        List<Instruction> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(file);
        StringBuilder current = new StringBuilder();
        int start = 0;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (current.isEmpty() && (l.isEmpty() || l.startsWith("#"))) continue;
            if (current.isEmpty()) start = i + 1;
            boolean more = l.endsWith("\\");
            current.append(more ? l.substring(0, l.length() - 1) : l).append(' ');
            if (!more) {
                String text = current.toString().strip();
                int space = text.indexOf(' ');
                out.add(new Instruction(text.substring(0, space).toUpperCase(), text.substring(space + 1).strip(), start));
                current.setLength(0);
            }
        }
        return out;
    }

    /** The strings of a JSON-array (exec form) instruction such as ENTRYPOINT ["java", "-jar", "x"]. */
    static List<String> execForm(String args) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(args);
        while (m.find()) out.add(m.group(1));
        return out;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> yaml(Path file) throws IOException {
        return (Map<String, Object>) new Yaml().load(Files.readString(file));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o, String key) {
        return (Map<String, Object>) ((Map<String, Object>) o).get(key);
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o, String key) {
        return (List<Object>) ((Map<String, Object>) o).get(key);
    }

    /** The value after an option in an argument list ("--bind" -> "sipdrill:5080"). */
    static String option(List<?> args, String name) {
        int i = args.indexOf(name);
        if (i < 0 || i + 1 >= args.size()) throw new AssertionError(name + " missing from " + args);
        return String.valueOf(args.get(i + 1));
    }

    static int port(String hostPort) {
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }
}
