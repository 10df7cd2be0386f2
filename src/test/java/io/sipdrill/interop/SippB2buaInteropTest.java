package io.sipdrill.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.sipdrill.SipDrill;
import io.sipdrill.TestSettings;
import io.sipdrill.config.Settings;
import io.sipdrill.engine.ScenarioResult;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** SIPp on both sides of sipdrill's B2BUA: call up and down, CANCEL, a callee that hangs up, a broken callee. */
class SippB2buaInteropTest {
    static SipDrill drill;

    @BeforeAll
    static void start() {
        drill = new SipDrill(TestSettings.with("sipdrill.run.default-within=10s", "sipdrill.roles.b2bua.answer-timeout=2s"));
    }

    @AfterAll
    static void stop() {
        drill.close();
    }

    private static SipDrill.RunningRole pbxTowards(String calleeAddress) {
        Settings s = drill.settings();
        return drill.startRole("b2bua", s.withB2bua(s.b2bua().withRouting("sip:{{user}}@" + calleeAddress, Map.of())),
                "127.0.0.1", 0, "udp");
    }

    @Test
    void aSippCallerReachesASippCalleeThroughThePbx() throws Exception {
        try (Sipp callee = Sipp.uas("uas-answer.xml", "udp")) {
            SipDrill.RunningRole pbx = pbxTowards(callee.address());
            try (Sipp caller = Sipp.uac("uac-identity.xml", pbx.address(), "udp", "-set", "orig", "15551230000",
                    "-set", "dest", "15551240000", "-set", "identity", "", "-set", "expect", "200")) {
                assertThat(caller.waitForExit(30)).as(caller.log()).isZero();
            }
            assertThat(callee.waitForExit(30)).as("the callee got the call and the BYE\n" + callee.log()).isZero();
        }
    }

    @Test
    void aCancelFromTheCallerReachesTheRingingCallee() throws Exception {
        try (Sipp callee = Sipp.uas("uas-ring.xml", "udp")) {
            SipDrill.RunningRole pbx = pbxTowards(callee.address());
            try (Sipp caller = Sipp.uac("uac-cancel.xml", pbx.address(), "udp")) {
                assertThat(caller.waitForExit(30)).as("200 to the CANCEL and 487 to the INVITE\n" + caller.log()).isZero();
            }
            assertThat(callee.waitForExit(30)).as("the callee got the CANCEL, answered 487, got its ACK\n" + callee.log())
                    .isZero();
        }
    }

    @Test
    void aCalleeThatHangsUpTakesTheCallerDownToo() throws Exception {
        try (Sipp callee = Sipp.uas("uas-answer-then-bye.xml", "udp")) {
            SipDrill.RunningRole pbx = pbxTowards(callee.address());
            ScenarioResult r = drill.play(List.of(drill.loader().load("src/test/resources/test-scenarios/callee-hangs-up.conf")),
                    Map.of("target", "sip:bob@" + pbx.address()), "127.0.0.1", 0, "udp", x -> { }).get(0);
            assertThat(r.passed()).as(String.valueOf(r.failure())).isTrue();
            assertThat(callee.waitForExit(30)).as(callee.log()).isZero();
        }
    }

    @Test
    void aCalleeAnsweringGarbageEndsTheCallWith408() throws Exception {
        try (DatagramSocket broken = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            Thread t = new Thread(() -> {
                try {
                    byte[] buf = new byte[65535];
                    DatagramPacket in = new DatagramPacket(buf, buf.length);
                    broken.receive(in);
                    byte[] out = "SIP/2.0 200 OK\r\nThis is: not\r\na response\r\n\r\n".getBytes(StandardCharsets.UTF_8);
                    broken.send(new DatagramPacket(out, out.length, in.getSocketAddress()));
                } catch (Exception closed) {
                    // the test is over
                }
            });
            t.setDaemon(true);
            t.start();
            SipDrill.RunningRole pbx = pbxTowards("127.0.0.1:" + broken.getLocalPort());
            ScenarioResult r = drill.play(List.of(drill.loader().load("basic/call")),
                    Map.of("target", "sip:bob@" + pbx.address()), "127.0.0.1", 0, "udp", x -> { }).get(0);
            assertThat(r.failure().orElseThrow().actual())
                    .startsWith("408 Request Timeout to INVITE (Reason: the B leg did not answer within 2 s)");
        }
    }
}
