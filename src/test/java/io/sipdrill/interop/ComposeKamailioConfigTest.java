package io.sipdrill.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** docker/compose.yml's Kamailio configuration is one Kamailio itself accepts (kamailio -c checks it). */
class ComposeKamailioConfigTest {
    @Test
    void kamailioAcceptsTheComposeConfiguration() throws Exception {
        String kamailio = Peers.require("kamailio", "kamailio");
        Process p = new ProcessBuilder(kamailio, "-c", "-f", Path.of("docker/kamailio/kamailio.cfg").toAbsolutePath().toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("config file ok");
    }
}
