package io.sipdrill.docker;

import static io.sipdrill.docker.DockerFiles.DOCKER;
import static io.sipdrill.docker.DockerFiles.ROOT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sipdrill.docker.DockerFiles.Instruction;
import java.io.File;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's commands, run with the packaged jar laid out as the Dockerfile lays it out (this runs
 * after `package`; no Docker engine is needed): its default command, the compose service's
 * command and the Kubernetes Job's arguments, each on 127.0.0.1.
 */
class DockerImageIT {
    private static final String IMAGE_DIR = "/opt/sipdrill/";

    /** The image's /opt/sipdrill in dir: every COPY of the runtime stage, from the build or the context. */
    private static List<String> entrypointIn(Path dir) throws Exception {
        List<Instruction> d = DockerFiles.dockerfile(DOCKER.resolve("Dockerfile"));
        int runtime = 0;
        for (int i = 0; i < d.size(); i++) if (d.get(i).keyword().equals("FROM")) runtime = i;
        for (Instruction copy : d.subList(runtime, d.size())) {
            if (!copy.keyword().equals("COPY")) continue;
            String[] parts = copy.args().split("\\s+");
            boolean fromBuild = parts[0].startsWith("--from=build");
            String source = fromBuild ? parts[1] : parts[0];
            String target = fromBuild ? parts[2] : parts[1];
            // the build stage works in /src on a copy of the repository, so its output is ours after `package`
            Path from = fromBuild ? ROOT.resolve(source.replaceFirst("^/src/", "")) : ROOT.resolve(source);
            assertThat(from).as("Dockerfile line %d copies %s, which the build leaves at %s", copy.line(), source, from).exists();
            Path to = dir.resolve(target.replaceFirst("^" + IMAGE_DIR, ""));
            copyTree(from, to);
        }
        List<String> entrypoint = DockerFiles.execForm(d.stream().filter(i -> i.keyword().equals("ENTRYPOINT")).findFirst().orElseThrow().args());
        List<String> out = new ArrayList<>();
        for (String a : entrypoint) out.add(a.startsWith(IMAGE_DIR) ? dir.resolve(a.substring(IMAGE_DIR.length())).toString() : a);
        return out;
    }

    private static void copyTree(Path from, Path to) throws Exception {
        if (Files.isDirectory(from)) {
            try (var walk = Files.walk(from)) {
                for (Path p : (Iterable<Path>) walk::iterator) {
                    Path t = to.resolve(from.relativize(p).toString());
                    if (Files.isDirectory(p)) Files.createDirectories(t);
                    else Files.copy(p, t);
                }
            }
        } else {
            Files.createDirectories(to.getParent());
            Files.copy(from, to);
        }
    }

    private static Process start(Path dir, List<String> command, Path log) throws Exception {
        return new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static int freePort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void theDefaultCommandPlaysTheDemoAndVersionAnswers(@TempDir Path dir) throws Exception {
        List<String> entrypoint = entrypointIn(dir.resolve("image"));
        List<Instruction> d = DockerFiles.dockerfile(DOCKER.resolve("Dockerfile"));
        List<String> command = new ArrayList<>(entrypoint);
        command.addAll(DockerFiles.execForm(d.stream().filter(i -> i.keyword().equals("CMD")).findFirst().orElseThrow().args()));
        Path log = dir.resolve("demo.txt");
        Process demo = start(dir.resolve("image"), command, log);
        assertThat(demo.waitFor(240, TimeUnit.SECONDS)).isTrue();
        assertThat(demo.exitValue()).as(Files.readString(log)).isZero();
        assertThat(Files.readString(log)).contains("18 scenarios: 18 passed, 0 failed");

        List<String> version = new ArrayList<>(entrypoint);
        version.add("--version");
        Process v = start(dir.resolve("image"), version, dir.resolve("version.txt"));
        assertThat(v.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(v.exitValue()).isZero();
        assertThat(Files.readString(dir.resolve("version.txt"))).containsIgnoringCase("sipdrill");
    }

    @Test
    void theComposeRoleServesAndTheKubernetesJobsArgumentsRunALoadAgainstIt(@TempDir Path dir) throws Exception {
        List<String> entrypoint = entrypointIn(dir.resolve("image"));
        Map<String, Object> sipdrill = DockerFiles.map(DockerFiles.map(DockerFiles.yaml(DOCKER.resolve("compose.yml")), "services"), "sipdrill");
        String host = (String) sipdrill.get("hostname");
        int sip = freePort();
        int http = freePort();
        List<String> serve = new ArrayList<>(entrypoint);
        for (Object a : DockerFiles.list(sipdrill, "command")) {
            String arg = String.valueOf(a);
            // the service's own name and ports become loopback and free ports here
            if (arg.startsWith(host + ":")) arg = "127.0.0.1:" + (DockerFiles.port(arg) == 9090 ? http : sip);
            serve.add(arg);
        }
        assertThat(serve).contains("127.0.0.1:" + sip, "127.0.0.1:" + http);
        Path log = dir.resolve("serve.txt");
        Process role = start(dir.resolve("image"), serve, log);
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(log).contains("listening on"));
            HttpResponse<String> health = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);

            Map<String, Object> job = DockerFiles.yaml(DOCKER.resolve("k8s/job.yaml"));
            Object container = DockerFiles.list(DockerFiles.map(DockerFiles.map(DockerFiles.map(job, "spec"), "template"), "spec"), "containers").get(0);
            Map<String, String> env = new java.util.HashMap<>();
            for (Object e : DockerFiles.list(container, "env")) {
                Map<?, ?> m = (Map<?, ?>) e;
                env.put((String) m.get("name"), m.get("value") == null ? null : String.valueOf(m.get("value")));
            }
            env.put("POD_IP", "127.0.0.1");                          // from the downward API in a cluster
            env.put("TARGET", "sip:service@127.0.0.1:" + sip);      // the system under test: the compose role
            env.put("CALLS_PER_POD", "40");                         // a short run, at the Job's own rate
            List<String> load = new ArrayList<>(entrypoint);
            int podSip = freePort();
            int podHttp = freePort();
            for (Object a : DockerFiles.list(container, "args")) {
                String arg = String.valueOf(a);
                for (var e : env.entrySet()) arg = arg.replace("$(" + e.getKey() + ")", e.getValue());
                if (arg.equals("127.0.0.1:5060")) arg = "127.0.0.1:" + podSip;
                if (arg.equals("127.0.0.1:9090")) arg = "127.0.0.1:" + podHttp;
                assertThat(arg).doesNotContain("$(");
                load.add(arg);
            }
            Path loadLog = dir.resolve("load.txt");
            Process run = start(dir.resolve("image"), load, loadLog);
            assertThat(run.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(run.exitValue()).as(Files.readString(loadLog)).isZero();
            assertThat(Files.readString(loadLog)).contains("summary: 40 started, 40 passed, 0 failed");
        } finally {
            role.destroy();
            role.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
