package io.sipdrill.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.sipdrill.SipDrill;
import io.sipdrill.TestSettings;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A redirect server that answers with a Contact no parser accepts. No SIP stack sends such a thing,
 * so this peer is a plain UDP socket that writes the 302 by hand, on loopback.
 */
class UnparseableContactTest {
    @Test
    void anUnparseableContactIsNotCalledAndTheVerdictQuotesIt() throws Exception {
        try (DatagramSocket peer = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"));
             SipDrill drill = new SipDrill(TestSettings.with("sipdrill.run.default-within=5s"))) {
            Thread responder = new Thread(() -> answerOnce(peer), "garbage-302");
            responder.setDaemon(true);
            responder.start();
            ScenarioResult r = drill.play(List.of(drill.loader().load("src/test/resources/test-scenarios/call-following-redirects.conf")),
                    Map.of("target", "sip:bob@127.0.0.1:" + peer.getLocalPort()), "127.0.0.1", 0, "udp", x -> { }).get(0);
            Check f = r.failure().orElseThrow();
            assertThat(f.meaning()).isEqualTo("Contact <sip:@@>;;q=: it does not parse as a Contact (RFC 3261 20.10); not called");
            assertThat(r.trace().stream().filter(w -> w.sent() && w.message().method().equals("INVITE"))
                    .map(w -> w.message().cseqNumber()).distinct()).containsExactly(1L);
        }
    }

    private static void answerOnce(DatagramSocket peer) {
        try {
            byte[] buffer = new byte[65535];
            DatagramPacket in = new DatagramPacket(buffer, buffer.length);
            peer.receive(in);
            String invite = new String(in.getData(), 0, in.getLength(), StandardCharsets.UTF_8);
            StringBuilder reply = new StringBuilder("SIP/2.0 302 Moved Temporarily\r\n");
            for (String name : List.of("Via", "From", "To", "Call-ID", "CSeq")) {
                Matcher m = Pattern.compile("(?m)^" + name + ": ([^\r\n]*)").matcher(invite);
                if (m.find()) reply.append(name).append(": ").append(m.group(1))
                        .append(name.equals("To") ? ";tag=garbage1" : "").append("\r\n");
            }
            reply.append("Contact: <sip:@@>;;q=\r\nContent-Length: 0\r\n\r\n");
            byte[] out = reply.toString().getBytes(StandardCharsets.UTF_8);
            peer.send(new DatagramPacket(out, out.length, in.getSocketAddress()));
        } catch (Exception e) {
            // the test's assertions report what did not happen
        }
    }
}
