package io.sipdrill.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sipdrill.SipDrill;
import io.sipdrill.TestSettings;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Load mode's lean UDP path on the wire, against a hand-written peer on a raw socket: what it
 * retransmits, acknowledges and answers, as RFC 3261 has a UAC do.
 */
class LeanPathTest {
    static final String CALLEE_HANGS_UP = "src/test/resources/test-scenarios/callee-hangs-up.conf";

    /** A UDP peer whose replies a test writes; it keeps every datagram it got. */
    static final class RawPeer implements AutoCloseable {
        final DatagramSocket socket;
        final List<String> got = new CopyOnWriteArrayList<>();
        private final Thread thread;

        RawPeer(BiFunction<String, Integer, List<String>> reply) throws Exception {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            thread = new Thread(() -> {
                byte[] buf = new byte[65_535];
                while (!socket.isClosed()) {
                    try {
                        DatagramPacket p = new DatagramPacket(buf, buf.length);
                        socket.receive(p);
                        String m = new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
                        got.add(m);
                        for (String r : reply.apply(m, got.size())) {
                            byte[] b = r.getBytes(StandardCharsets.UTF_8);
                            socket.send(new DatagramPacket(b, b.length, p.getSocketAddress()));
                        }
                    } catch (Exception e) {
                        return;
                    }
                }
            }, "raw-peer");
            thread.setDaemon(true);
            thread.start();
        }

        int port() { return socket.getLocalPort(); }

        List<String> starting(String startLine) {
            return got.stream().filter(m -> m.startsWith(startLine)).toList();
        }

        @Override
        public void close() { socket.close(); }
    }

    static String header(String message, String name) {
        Matcher m = Pattern.compile("(?mi)^" + Pattern.quote(name) + ":[ \\t]*(.*)$").matcher(message);
        return m.find() ? m.group(1) : null;
    }

    /** A response to a request, with the request's Via, From, To (plus a tag), Call-ID and CSeq. */
    static String answer(String request, String status, String toTag, String... extra) {
        StringBuilder b = new StringBuilder("SIP/2.0 ").append(status).append("\r\n");
        b.append("Via: ").append(header(request, "Via")).append("\r\n");
        b.append("From: ").append(header(request, "From")).append("\r\n");
        String to = header(request, "To");
        b.append("To: ").append(to.contains("tag=") ? to : to + ";tag=" + toTag).append("\r\n");
        b.append("Call-ID: ").append(header(request, "Call-ID")).append("\r\n");
        b.append("CSeq: ").append(header(request, "CSeq")).append("\r\n");
        for (String e : extra) b.append(e).append("\r\n");
        if (!status.startsWith("200") || !header(request, "CSeq").endsWith("INVITE")) return b.append("Content-Length: 0\r\n\r\n").toString();
        String sdp = "v=0\r\no=peer 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n";
        return b.append("Content-Type: application/sdp\r\nContent-Length: ").append(sdp.length()).append("\r\n\r\n").append(sdp).toString();
    }

    static String branch(String message) {
        Matcher m = Pattern.compile("branch=([^;\\s]+)").matcher(header(message, "Via"));
        return m.find() ? m.group(1) : null;
    }

    private static LoadRunner.Summary load(String scenario, int port, int calls) throws Exception {
        try (SipDrill drill = new SipDrill(TestSettings.with("sipdrill.run.default-within=5s"))) {
            LoadRunner runner = drill.load(drill.loader().load(scenario), Map.of("target", "sip:bob@127.0.0.1:" + port),
                    "127.0.0.1", 0, "udp", new LoadRunner.Options(100, calls, 10, null));
            assertThat(runner.sipPath()).isEqualTo("sipdrill's lean UDP path");
            return runner.run(l -> { });
        }
    }

    @Test
    void aLostInviteIsSentAgainOnTheSameBranchAndTheCallGoesOn() throws Exception {
        int[] self = {0};
        try (RawPeer peer = new RawPeer((m, n) -> {
            if (m.startsWith("INVITE") && n == 1) return List.of();   // the first INVITE is "lost"
            if (m.startsWith("INVITE")) return List.of(answer(m, "200 OK", "callee", "Contact: <sip:bob@127.0.0.1:" + self[0] + ">"));
            if (m.startsWith("BYE")) return List.of(answer(m, "200 OK", "callee"));
            return List.of();
        })) {
            self[0] = peer.port(); // the 200's Contact points back at the peer
            LoadRunner.Summary s = load("basic/call", peer.port(), 1);
            assertThat(s.passed()).as("%s", s.failures()).isEqualTo(1);
            List<String> invites = peer.starting("INVITE");
            assertThat(invites).hasSize(2);
            assertThat(branch(invites.get(1))).isEqualTo(branch(invites.get(0)));
            assertThat(header(invites.get(1), "CSeq")).isEqualTo(header(invites.get(0), "CSeq"));
            String ack = peer.starting("ACK").get(0);
            assertThat(branch(ack)).isNotEqualTo(branch(invites.get(0))); // an ACK for a 2xx is a new transaction
            assertThat(header(ack, "To")).endsWith(";tag=callee");
            assertThat(header(peer.starting("BYE").get(0), "CSeq")).startsWith("2 BYE");
        }
    }

    @Test
    void aFailureIsAcknowledgedOnTheInvitesBranchAndAgainForEachRetransmission() throws Exception {
        try (RawPeer peer = new RawPeer((m, n) -> m.startsWith("INVITE")
                ? List.of(answer(m, "486 Busy Here", "busy"), answer(m, "486 Busy Here", "busy")) // and a retransmission
                : List.of())) {
            LoadRunner.Summary s = load("basic/call", peer.port(), 1);
            assertThat(s.failed()).isEqualTo(1);
            assertThat(s.failures().keySet().iterator().next()).contains("got 486 Busy Here to INVITE");
            await().atMost(Duration.ofSeconds(5)).until(() -> peer.starting("ACK").size() == 2);
            String invite = peer.starting("INVITE").get(0);
            for (String ack : peer.starting("ACK")) {
                assertThat(branch(ack)).isEqualTo(branch(invite));
                assertThat(header(ack, "To")).endsWith(";tag=busy");
                assertThat(header(ack, "CSeq")).isEqualTo(header(invite, "CSeq").replace("INVITE", "ACK"));
            }
        }
    }

    @Test
    void aByeFromThePeerIsAnsweredAsTheScenarioSaysAndItsRetransmissionGetsTheSameAnswer() throws Exception {
        List<String> responses = new CopyOnWriteArrayList<>();
        int[] self = {0};
        try (RawPeer peer = new RawPeer((m, n) -> {
            if (m.startsWith("INVITE")) return List.of(answer(m, "200 OK", "callee", "Contact: <sip:bob@127.0.0.1:" + self[0] + ">"));
            if (m.startsWith("ACK")) {
                // the callee hangs up: a BYE in the dialog, sent twice as over a lossy path
                String b = "BYE " + header(m, "Contact") + " SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bK-peerbye\r\n"
                        + "From: " + header(m, "To") + "\r\nTo: " + header(m, "From") + "\r\nCall-ID: " + header(m, "Call-ID")
                        + "\r\nCSeq: 1 BYE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
                return List.of(b, b);
            }
            if (m.startsWith("SIP/2.0")) responses.add(m);
            return List.of();
        })) {
            self[0] = peer.port();
            LoadRunner.Summary s = load(CALLEE_HANGS_UP, peer.port(), 1);
            assertThat(s.passed()).as("%s", s.failures()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(5)).until(() -> responses.size() == 2);
            assertThat(responses).allMatch(r -> r.startsWith("SIP/2.0 200 OK\r\n"));
            assertThat(responses.get(1)).isEqualTo(responses.get(0));
            assertThat(header(responses.get(0), "Via")).contains("branch=z9hG4bK-peerbye");
        }
    }

    @Test
    void aRequestForNoCallOfOursGets481() throws Exception {
        try (SipDrill drill = new SipDrill(TestSettings.with());
             RawPeer stranger = new RawPeer((m, n) -> List.of())) {
            io.sipdrill.sip.LeanEndpoint lean = io.sipdrill.sip.LeanEndpoint.start("127.0.0.1", 0, "sipdrill");
            List<io.sipdrill.sip.WireMessage> seen = new CopyOnWriteArrayList<>();
            lean.addObserver(seen::add);
            try {
                String bye = "BYE sip:sipdrill@" + lean.hostPort() + " SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + stranger.port()
                        + ";branch=z9hG4bK-stray\r\nFrom: <sip:x@127.0.0.1>;tag=a\r\nTo: <sip:sipdrill@127.0.0.1>;tag=nobody\r\n"
                        + "Call-ID: stray@127.0.0.1\r\nCSeq: 7 BYE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
                byte[] b = bye.getBytes(StandardCharsets.UTF_8);
                stranger.socket.send(new DatagramPacket(b, b.length, new InetSocketAddress("127.0.0.1", lean.port())));
                await().atMost(Duration.ofSeconds(5)).until(() -> !stranger.got.isEmpty());
                assertThat(stranger.got.get(0)).startsWith("SIP/2.0 481 ");
                assertThat(header(stranger.got.get(0), "CSeq")).isEqualTo("7 BYE");
                // observers see both, as they cross the wire
                await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 2);
                assertThat(seen.get(0).sent()).isFalse();
                assertThat(seen.get(0).message().label()).isEqualTo("BYE");
                assertThat(seen.get(1).sent()).isTrue();
                assertThat(seen.get(1).message().label()).isEqualTo("481 Call/Transaction Does Not Exist (BYE)");
                assertThat(seen.get(1).to()).isEqualTo("127.0.0.1:" + stranger.port());
            } finally {
                lean.close();
            }
        }
    }

    @Test
    void aRetransmitted200GetsTheSameAckAgain() throws Exception {
        int[] self = {0};
        String[] ok = {null};
        try (RawPeer peer = new RawPeer((m, n) -> {
            if (m.startsWith("INVITE")) {
                ok[0] = answer(m, "200 OK", "callee", "Contact: <sip:bob@127.0.0.1:" + self[0] + ">");
                return List.of(ok[0]);
            }
            if (m.startsWith("ACK") && n == 2) return List.of(ok[0]); // as if the ACK had been lost: the 200 again
            if (m.startsWith("BYE")) return List.of(answer(m, "200 OK", "callee"));
            return List.of();
        })) {
            self[0] = peer.port();
            LoadRunner.Summary s = load("basic/call", peer.port(), 1);
            assertThat(s.passed()).as("%s", s.failures()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(5)).until(() -> peer.starting("ACK").size() == 2);
            assertThat(peer.starting("ACK").get(1)).isEqualTo(peer.starting("ACK").get(0));
        }
    }
}
