package io.sipdrill.sip;

import static org.assertj.core.api.Assertions.assertThat;

import io.sipdrill.TestSettings;
import io.sipdrill.roles.AnswerRole;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Malformed SIP on a real UDP socket: a serving role answers 400 where RFC 3261 says so, or drops
 * what cannot be answered, and keeps serving (the OPTIONS after it is still answered).
 */
class MalformedSipTest {
    static SipAgent role;

    @BeforeAll
    static void start() {
        role = SipAgent.start(AgentSettings.loopback());
        role.onRequest(new AnswerRole(TestSettings.with().answer()));
    }

    @AfterAll
    static void stop() {
        role.close();
    }

    private static String request(String method, String extra, boolean withCallId, String cseq) {
        return method + " sip:bob@" + role.hostPort() + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:%PORT%;branch=z9hG4bK" + System.nanoTime() + "\r\n"
                + "From: <sip:alice@127.0.0.1>;tag=1\r\n"
                + "To: <sip:bob@127.0.0.1>\r\n"
                + (withCallId ? "Call-ID: " + System.nanoTime() + "@127.0.0.1\r\n" : "")
                + "CSeq: " + cseq + "\r\n"
                + "Max-Forwards: 70\r\n" + extra
                + "Content-Length: 0\r\n\r\n";
    }

    private static String exchange(DatagramSocket socket, String text) throws Exception {
        byte[] out = text.replace("%PORT%", Integer.toString(socket.getLocalPort())).getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(out, out.length, InetAddress.getByName("127.0.0.1"), role.port()));
        byte[] in = new byte[65535];
        DatagramPacket packet = new DatagramPacket(in, in.length);
        socket.setSoTimeout(2000);
        try {
            socket.receive(packet);
            return new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
        } catch (SocketTimeoutException dropped) {
            return "";
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"no-call-id", "bad-cseq", "garbage", "bad-via", "huge-content-length"})
    void malformedRequestsGet400OrAreDroppedAndTheRoleKeepsServing(String kind) throws Exception {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            String bad = switch (kind) {
                case "no-call-id" -> request("OPTIONS", "", false, "1 OPTIONS");
                case "bad-cseq" -> request("OPTIONS", "", true, "one OPTIONS");
                case "garbage" -> "\u0001\u0002 not SIP at all \r\n\r\n";
                case "bad-via" -> request("OPTIONS", "", true, "1 OPTIONS").replaceFirst("Via: [^\r]*", "Via: nonsense");
                default -> request("OPTIONS", "", true, "1 OPTIONS").replace("Content-Length: 0", "Content-Length: 99999");
            };
            String answer = exchange(socket, bad);
            // RFC 3261 8.1.3.1/21.4.1: 400 for what can be answered, the rest dropped
            assertThat(answer).satisfiesAnyOf(
                    a -> assertThat(a).startsWith("SIP/2.0 400"),
                    a -> assertThat(a).isEmpty());
            String good = exchange(socket, request("OPTIONS", "", true, "2 OPTIONS"));
            assertThat(good).startsWith("SIP/2.0 200");
        }
    }
}
