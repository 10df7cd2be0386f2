package io.sipdrill.docker;

import static io.sipdrill.docker.DockerFiles.DOCKER;
import static io.sipdrill.docker.DockerFiles.ROOT;
import static io.sipdrill.docker.DockerFiles.list;
import static io.sipdrill.docker.DockerFiles.map;
import static io.sipdrill.docker.DockerFiles.option;
import static io.sipdrill.docker.DockerFiles.port;
import static org.assertj.core.api.Assertions.assertThat;

import io.sipdrill.docker.DockerFiles.Instruction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What can be checked of docker/ without a Docker engine: files named exist, images are pinned, and
 * the ports, names and users the files name agree with each other and with sipdrill's own options.
 * DockerImageIT runs the image's commands with the packaged jar.
 */
class DockerFilesTest {

    @Test
    void theDockerfileBuildsInOneStageAndRunsAsNonRootInAnother() throws Exception {
        List<Instruction> d = DockerFiles.dockerfile(DOCKER.resolve("Dockerfile"));
        List<Instruction> from = d.stream().filter(i -> i.keyword().equals("FROM")).toList();
        assertThat(from).hasSize(2);
        assertThat(from.get(0).args()).matches("maven:[0-9][^ ]*-eclipse-temurin-17 AS build");
        assertThat(from.get(1).args()).matches("eclipse-temurin:17-jre");
        for (Instruction f : from) assertThat(f.args()).doesNotContain(":latest");
        // every COPY from the build context names something in the repository (the context is its root)
        for (Instruction copy : d) {
            if (!copy.keyword().equals("COPY") || copy.args().startsWith("--from")) continue;
            String source = copy.args().split("\\s+")[0];
            assertThat(ROOT.resolve(source)).as("Dockerfile line %d copies %s", copy.line(), source).exists();
        }
        Instruction user = d.stream().filter(i -> i.keyword().equals("USER")).reduce((a, b) -> b).orElseThrow();
        assertThat(user.args()).isEqualTo("sipdrill");
        assertThat(d.stream().filter(i -> i.keyword().equals("RUN")).map(Instruction::args))
                .anyMatch(r -> r.startsWith("useradd --system --uid 10001") && r.endsWith(" sipdrill"));
        assertThat(DockerFiles.execForm(d.stream().filter(i -> i.keyword().equals("ENTRYPOINT")).findFirst().orElseThrow().args()))
                .containsExactly("java", "-jar", "/opt/sipdrill/sipdrill.jar");
        String expose = d.stream().filter(i -> i.keyword().equals("EXPOSE")).findFirst().orElseThrow().args();
        assertThat(expose.split("\\s+")).contains("5060/udp", "5060/tcp", "5061/tcp", "9090/tcp");
    }

    @Test
    void composeRunsTheRoleBesideKamailioAndPrometheusWithAgreeingPortsAndFiles() throws Exception {
        Map<String, Object> compose = DockerFiles.yaml(DOCKER.resolve("compose.yml"));
        Map<String, Object> services = map(compose, "services");
        assertThat(services).containsOnlyKeys("sipdrill", "kamailio", "prometheus");

        Map<String, Object> sipdrill = map(services, "sipdrill");
        Map<String, Object> build = map(sipdrill, "build");
        Path context = DOCKER.resolve((String) build.get("context")).normalize();
        assertThat(context).isEqualTo(ROOT);
        assertThat(context.resolve((String) build.get("dockerfile"))).exists();
        assertThat(sipdrill.get("image")).isEqualTo("sipdrill:latest");
        List<Object> command = list(sipdrill, "command");
        assertThat(command.subList(0, 3)).containsExactly("serve", "--role", "answer");
        String bind = option(command, "--bind");
        String http = option(command, "--http");
        assertThat(bind).startsWith(sipdrill.get("hostname") + ":");
        assertThat(list(sipdrill, "ports")).contains("127.0.0.1:" + port(bind) + ":" + port(bind) + "/udp",
                "127.0.0.1:" + port(http) + ":" + port(http) + "/tcp");

        Map<String, Object> kamailio = map(services, "kamailio");
        Path kamailioContext = DOCKER.resolve((String) map(kamailio, "build").get("context"));
        assertThat(kamailioContext.resolve("Dockerfile")).exists();
        assertThat(Files.readString(kamailioContext.resolve("Dockerfile"))).contains("FROM debian:bookworm-slim", "kamailio");
        // the peer forwards calls to the role at the address the role binds
        String cfg = Files.readString(DOCKER.resolve("kamailio/kamailio.cfg"));
        assertThat(cfg).contains("$du = \"sip:" + bind + "\"");

        Map<String, Object> prometheus = map(services, "prometheus");
        assertThat((String) prometheus.get("image")).matches("prom/prometheus:v[0-9.]+");
        Map<String, Object> scrape = DockerFiles.yaml(DOCKER.resolve("prometheus.yml"));
        Object job = list(scrape, "scrape_configs").get(0);
        assertThat(list(list(job, "static_configs").get(0), "targets")).containsExactly(http);
        assertThat(((Map<?, ?>) job).get("metrics_path")).isEqualTo("/metrics");

        // every file mounted from the host exists
        for (Object service : services.values()) {
            List<Object> volumes = list(service, "volumes");
            if (volumes == null) continue;
            for (Object v : volumes) {
                String host = String.valueOf(v).split(":")[0];
                assertThat(DOCKER.resolve(host)).as("volume %s", v).exists();
            }
        }
    }

    @Test
    void theKubernetesJobGivesEachPodAShareOfTheRateAndIsScraped() throws Exception {
        Map<String, Object> job = DockerFiles.yaml(DOCKER.resolve("k8s/job.yaml"));
        assertThat(job.get("kind")).isEqualTo("Job");
        Map<String, Object> spec = map(job, "spec");
        assertThat(spec.get("parallelism")).isEqualTo(spec.get("completions"));
        Map<String, Object> pod = map(map(spec, "template"), "spec");
        Object container = list(pod, "containers").get(0);
        @SuppressWarnings("unchecked")
        Map<String, Object> c = (Map<String, Object>) container;
        assertThat(c.get("image")).isEqualTo(map(map(DockerFiles.yaml(DOCKER.resolve("compose.yml")), "services"), "sipdrill").get("image"));
        assertThat(map(pod, "securityContext").get("runAsUser")).isEqualTo(10001);

        List<Object> args = list(container, "args");
        assertThat(args.get(0)).isEqualTo("run");
        assertThat(ROOT.resolve("scenarios/" + args.get(1) + ".conf")).exists();
        assertThat(option(args, "--rate")).isEqualTo("$(RATE_PER_POD)");
        // every $(VAR) the arguments use is set in the container's environment
        List<String> env = list(container, "env").stream().map(e -> (String) ((Map<?, ?>) e).get("name")).toList();
        Matcher var = Pattern.compile("\\$\\(([A-Z_]+)\\)").matcher(String.join(" ", args.stream().map(String::valueOf).toList()));
        while (var.find()) assertThat(env).as("$(%s)", var.group(1)).contains(var.group(1));

        int metrics = port(option(args, "--http"));
        assertThat(list(container, "ports")).anyMatch(p -> ((Map<?, ?>) p).get("containerPort").equals(metrics)
                && "metrics".equals(((Map<?, ?>) p).get("name")));
        Map<String, Object> annotations = map(map(map(spec, "template"), "metadata"), "annotations");
        assertThat(annotations).containsEntry("prometheus.io/scrape", "true").containsEntry("prometheus.io/port", String.valueOf(metrics));
    }
}
