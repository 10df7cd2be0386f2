package io.sipdrill.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.sipdrill.SipDrill;
import io.sipdrill.TestSettings;
import io.sipdrill.http.HttpServer;
import io.sipdrill.stir.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path with independent parts: secsipidx signs under a CA made by openssl, SIPp carries
 * the Identity header over the wire, sipdrill's spam-callee answers; SIPp checks the status.
 */
class SippSpamCalleeInteropTest {
    static final String ORIG = "15551230000";
    static final String DEST = "15551240000";
    @TempDir
    static Path dir;
    static HttpServer http;
    static String x5u;
    static SipDrill drill;
    static SipDrill.RunningRole callee;
    static SipDrill.RunningRole strangerTrusting;
    static SipDrill.RunningRole elsewhereFetching;

    @BeforeAll
    static void start() throws Exception {
        Secsipidx.opensslPki(dir);
        http = HttpServer.start("127.0.0.1", 0);
        x5u = http.publish("/sp.pem", "application/x-pem-file", Files.readAllBytes(dir.resolve("sp.pem")));
        TestPki.create(dir.resolve("other"), "9", false);
        String trustOpenssl = "sipdrill.stir.verify.trust-anchors=[\"" + dir.resolve("ca.pem") + "\"]";
        drill = new SipDrill(TestSettings.with(trustOpenssl));
        callee = drill.startRole("spam-callee", "127.0.0.1", 0, "udp");
        strangerTrusting = drill.startRole("spam-callee", TestSettings.with(
                "sipdrill.stir.verify.trust-anchors=[\"" + dir.resolve("other/ca-cert.pem") + "\"]"), "127.0.0.1", 0, "udp");
        elsewhereFetching = drill.startRole("spam-callee", TestSettings.with(trustOpenssl,
                "sipdrill.stir.verify.x5u-allowed-hosts=[\"sti.example.org\"]"), "127.0.0.1", 0, "udp");
    }

    @AfterAll
    static void stop() {
        if (drill != null) drill.close();
        if (http != null) http.close();
    }

    private static void expect(SipDrill.RunningRole role, String identity, String orig, int status) throws Exception {
        try (Sipp caller = Sipp.uac("uac-identity.xml", role.address(), "udp", "-set", "orig", orig, "-set", "dest", DEST,
                "-set", "identity", identity, "-set", "expect", Integer.toString(status), "-recv_timeout", "10000")) {
            assertThat(caller.waitForExit(30)).as("expected " + status + "\n" + caller.log()).isZero();
        }
    }

    private static String signed(String attest) throws Exception {
        return Secsipidx.sign(dir, "sp.key", x5u, ORIG, DEST, attest);
    }

    @Test
    void attestationsAreAnsweredOrRejectedByPolicy() throws Exception {
        expect(callee, signed("A"), ORIG, 200);
        expect(callee, signed("B"), ORIG, 200);
        expect(callee, signed("C"), ORIG, 607);
        expect(callee, "", ORIG, 607);
    }

    @Test
    void badTokensGetTheRfc8224Errors() throws Exception {
        String good = signed("A");
        String[] parts = good.split("\\.", 3);
        expect(callee, parts[0] + "." + parts[1] + "." + (parts[2].startsWith("A") ? "B" : "A") + parts[2].substring(1), ORIG, 438);
        expect(callee, good, "15559990000", 438);
        expect(callee, Secsipidx.signAt(dir, "sp.key", x5u, ORIG, DEST, "A", System.currentTimeMillis() / 1000 - 600), ORIG, 403);
        expect(strangerTrusting, good, ORIG, 437);
        expect(elsewhereFetching, good, ORIG, 436);
    }
}
