package io.sipdrill.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sipdrill.SipDrill;
import io.sipdrill.TestSettings;
import io.sipdrill.config.Settings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** /metrics over real HTTP: per-role SIP counters and the B2BUA's per-leg outcomes, bounded tags only. */
class MetricsTest {
    @Test
    void rolesCountWhatCrossesThemAndTheB2buaCountsEachLeg() throws Exception {
        try (SipDrill drill = new SipDrill(TestSettings.with())) {
            var http = drill.startHttp("127.0.0.1", 0);
            var answer = drill.startRole("answer", "127.0.0.1", 0, "udp");
            Settings s = drill.settings();
            var pbx = drill.startRole("b2bua", s.withB2bua(s.b2bua().withRouting("sip:{{user}}@" + answer.address(), Map.of())),
                    "127.0.0.1", 0, "udp");
            drill.play(List.of(drill.loader().load("basic/call")), Map.of("target", "sip:bob@" + pbx.address()),
                    "127.0.0.1", 0, "udp", r -> { });
            drill.play(List.of(drill.loader().load("basic/call")), Map.of("target", "sip:busy@" + pbx.address()),
                    "127.0.0.1", 0, "udp", r -> { });
            HttpClient client = HttpClient.newHttpClient();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                String text = client.send(HttpRequest.newBuilder(URI.create(http.baseUrl() + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertThat(text).contains(
                        "b2bua_legs_total{class=\"2xx\",instance=\"sipdrill\",leg=\"a\",role=\"b2bua\"} 1.0",
                        "b2bua_legs_total{class=\"4xx\",instance=\"sipdrill\",leg=\"b\",role=\"b2bua\"} 1.0",
                        "sip_requests_total{direction=\"in\",instance=\"sipdrill\",method=\"INVITE\",role=\"answer\"} 2.0",
                        "sip_responses_total{class=\"4xx\",code=\"486\",direction=\"out\",instance=\"sipdrill\",method=\"INVITE\",role=\"b2bua\"} 1.0");
                assertThat(text).contains("sip_dialogs_active{instance=\"sipdrill\",role=\"answer\"}",
                        "scenario_runs_total{instance=\"sipdrill\",role=\"scenario\",scenario=\"basic/call\",verdict=\"pass\"} 1.0",
                        "scenario_runs_total{instance=\"sipdrill\",role=\"scenario\",scenario=\"basic/call\",verdict=\"fail\"} 1.0");
                assertThat(text).doesNotContain("Call-ID").doesNotContainPattern("sip:[a-z]+@");
            });
            var open = client.send(HttpRequest.newBuilder(URI.create(http.baseUrl() + "/metrics"))
                    .header("Accept", "application/openmetrics-text; version=1.0.0").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(open.headers().firstValue("Content-Type")).get().asString().startsWith("application/openmetrics-text");
            assertThat(open.body()).endsWith("# EOF\n");
        }
    }
}
