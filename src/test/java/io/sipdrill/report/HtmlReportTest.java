package io.sipdrill.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.sipdrill.SipDrill;
import io.sipdrill.TestSettings;
import io.sipdrill.engine.ScenarioResult;
import io.sipdrill.sip.SipMessageView;
import io.sipdrill.sip.WireMessage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report files of a real run: a passing and a failing call against the answer role. */
public class HtmlReportTest {

    /** Plays basic/call to bob (answered) and to busy (486), and writes the report into dir. */
    public static List<ScenarioResult> runAndReport(Path dir) throws Exception {
        try (SipDrill drill = new SipDrill(TestSettings.with("sipdrill.run.default-within=5s"))) {
            SipDrill.RunningRole answer = drill.startRole("answer", "127.0.0.1", 0, "udp");
            var call = drill.loader().load("basic/call");
            List<ScenarioResult> results = new java.util.ArrayList<>();
            results.addAll(drill.play(List.of(call), Map.of("target", "sip:bob@" + answer.address()), "127.0.0.1", 0, "udp", r -> { }));
            results.addAll(drill.play(List.of(call), Map.of("target", "sip:busy@" + answer.address()), "127.0.0.1", 0, "udp", r -> { }));
            ReportWriter.write(dir, results, VerdictTable.english());
            return results;
        }
    }

    @Test
    void onePageWithTheVerdictsALadderPerCallAndEveryMessage(@TempDir Path dir) throws Exception {
        List<ScenarioResult> results = runAndReport(dir);
        assertThat(results.get(0).passed()).isTrue();
        assertThat(results.get(1).passed()).isFalse();
        String html = Files.readString(dir.resolve("report.html"));

        // self-contained: nothing fetched from anywhere
        assertThat(html).doesNotContainPattern("(src|href)=\"(https?:)?//").doesNotContain("<link").doesNotContain("@import");
        assertThat(count(html, "<svg class=\"ladder\"")).isEqualTo(2);
        int messages = results.get(0).trace().size() + results.get(1).trace().size();
        assertThat(count(html, "<a class=\"arrow")).isEqualTo(messages);
        assertThat(count(html, "<details id=\"s")).isEqualTo(messages);
        // the failing call: its 486 arrow drawn as the culprit, with the explanation beside it
        assertThat(count(html, "<a class=\"arrow culprit\"")).isEqualTo(1);
        Matcher culprit = Pattern.compile("<a class=\"arrow culprit\" href=\"#(s1-m\\d+)\"").matcher(html);
        assertThat(culprit.find()).isTrue();
        assertThat(html).contains("<details id=\"" + culprit.group(1) + "\" class=\"culprit\"><summary>");
        assertThat(html.substring(html.indexOf("<details id=\"" + culprit.group(1)))).contains("486 Busy Here (INVITE)");
        assertThat(html).contains("<dt>expected</dt><dd>200 to INVITE</dd>").contains("486 Busy Here");
        // every arrow leads to its full message
        assertThat(html).contains("<pre>INVITE sip:bob@");
    }

    @Test
    void aPcapWithOneUdpDatagramPerMessage(@TempDir Path dir) throws Exception {
        List<ScenarioResult> results = runAndReport(dir);
        byte[] pcap = Files.readAllBytes(dir.resolve("traces/basic_call.pcap"));
        ByteBuffer b = ByteBuffer.wrap(pcap).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getInt(0)).isEqualTo(0xa1b2c3d4);
        assertThat(b.getInt(20)).isEqualTo(101); // raw IP
        int records = 0;
        int at = 24;
        while (at < pcap.length) {
            int length = b.getInt(at + 8);
            assertThat(pcap[at + 16] >> 4).isEqualTo(4); // IPv4
            assertThat(pcap[at + 16 + 9]).isEqualTo((byte) 17); // UDP
            String payload = new String(pcap, at + 16 + 28, length - 28, StandardCharsets.UTF_8);
            assertThat(payload).isEqualTo(results.get(1).trace().get(records).message().text());
            at += 16 + length;
            records++;
        }
        assertThat(records).isEqualTo(results.get(1).trace().size());
    }

    @Test
    void ipv6AddressesMakeIpv6Packets() {
        SipMessageView options = new SipMessageView("OPTIONS", 0, "", "sip:[::1]:5060", List.of(), "", "OPTIONS sip:[::1]:5060 SIP/2.0\r\n\r\n");
        byte[] pcap = Pcap.bytes(List.of(new WireMessage(1_700_000_000_123L, true, "[::1]:5070", "[::1]:5060", options)));
        assertThat(pcap[24 + 16] >> 4).isEqualTo(6);
        ByteBuffer b = ByteBuffer.wrap(pcap);
        assertThat(b.getShort(24 + 16 + 40) & 0xffff).isEqualTo(5070);
        assertThat(b.getShort(24 + 16 + 42) & 0xffff).isEqualTo(5060);
    }

    @Test
    void aSignedInviteShowsItsClaims() {
        String claims = "{\"attest\":\"A\",\"dest\":{\"tn\":[\"15551230001\"]},\"iat\":1700000000,\"orig\":{\"tn\":\"15551230000\"},\"origid\":\"x\"}";
        String token = "eyJhbGciOiJFUzI1NiJ9." + Base64.getUrlEncoder().withoutPadding().encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + ".c2ln";
        SipMessageView invite = new SipMessageView("INVITE", 0, "", "sip:+15551230001@127.0.0.1",
                List.of(Map.entry("Identity", token + ";info=<http://127.0.0.1/c.pem>;alg=ES256;ppt=shaken")), "", "");
        assertThat(HtmlReport.passport(invite)).contains("PASSporT attest=A orig={tn:15551230000} dest={tn:[15551230001]} iat=1700000000 origid=x");
    }

    public static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) n++;
        return n;
    }
}
