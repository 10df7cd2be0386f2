package io.sipdrill.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link Kamailio} harness, proven with SIPp (and, where SIPp cannot go: SHA-256 digests and TLS,
 * with a few raw messages from the test itself).
 */
@Timeout(30)
class KamailioSmokeTest {
    @TempDir
    Path dir;

    private static final Kamailio.Options ALICE_AND_BOB = Kamailio.Options.defaults()
            .withUser("alice", "secret").withUser("bob", "hunter2");

    /** A SIPp REGISTER (401, then with credentials) whose final status must be {@code expect}. */
    private static Sipp register(Kamailio k, String user, String password, int expires, int expect, String... contact)
            throws Exception {
        List<String> args = new ArrayList<>(List.of("-au", user, "-ap", password, "-set", "user", user,
                "-set", "expires", Integer.toString(expires), "-set", "expect", Integer.toString(expect)));
        if (contact.length > 0) args.addAll(List.of("-set", "contact", contact[0]));
        return Sipp.uac("kamailio-register.xml", k.address(), "udp", args.toArray(String[]::new));
    }

    @Test
    void aSippUserRegistersWithDigestAuthentication() throws Exception {
        try (Kamailio k = Kamailio.start(dir, ALICE_AND_BOB);
             Sipp alice = register(k, "alice", "secret", 3600, 200)) {
            assertThat(alice.waitForExit(20)).as(() -> "401, then 200\n" + alice.log() + k.logText()).isZero();
            assertThat(alice.log()).contains("algorithm=MD5", "qop=\"auth\"", "SIP/2.0 200 OK");
        }
    }

    @Test
    void aWrongPasswordIsChallengedAgain() throws Exception {
        try (Kamailio k = Kamailio.start(dir, ALICE_AND_BOB);
             Sipp alice = register(k, "alice", "not-the-secret", 3600, 401)) {
            assertThat(alice.waitForExit(20)).as(() -> "401, then 401 again\n" + alice.log() + k.logText()).isZero();
            assertThat(alice.log()).doesNotContain("SIP/2.0 200 OK");
        }
    }

    @Test
    void anotherUsersCredentialsCannotRegisterAlice() throws Exception {
        try (Kamailio k = Kamailio.start(dir, ALICE_AND_BOB);
             Sipp mallory = Sipp.uac("kamailio-register.xml", k.address(), "udp", "-au", "bob", "-ap", "hunter2",
                     "-set", "user", "alice", "-set", "expires", "3600", "-set", "expect", "403")) {
            assertThat(mallory.waitForExit(20)).as(() -> mallory.log() + k.logText()).isZero();
        }
    }

    @Test
    void aTooBriefExpiresGets423WithMinExpires() throws Exception {
        try (Kamailio k = Kamailio.start(dir, ALICE_AND_BOB.withMinExpires(60));
             Sipp alice = register(k, "alice", "secret", 10, 423)) {
            assertThat(alice.waitForExit(20)).as(() -> "401, then 423\n" + alice.log() + k.logText()).isZero();
            assertThat(alice.log()).contains("SIP/2.0 423 Interval Too Brief", "Min-Expires: 60");
        }
    }

    @Test
    void aCallReachesTheRegisteredCalleeThroughTheProxyWithProxyAuthentication() throws Exception {
        call(ALICE_AND_BOB, true);
    }

    @Test
    void aCallReachesTheRegisteredCalleeWithoutAuthenticationWhenNotRequired() throws Exception {
        call(ALICE_AND_BOB.withRequireAuthForInvite(false), false);
    }

    private void call(Kamailio.Options options, boolean challenged) throws Exception {
        try (Kamailio k = Kamailio.start(dir, options);
             Sipp bob = Sipp.uas("kamailio-uas.xml", "udp")) {
            try (Sipp registrar = register(k, "bob", "hunter2", 3600, 200, "sip:bob@" + bob.address())) {
                assertThat(registrar.waitForExit(20)).as(() -> registrar.log() + k.logText()).isZero();
            }
            try (Sipp alice = Sipp.uac("kamailio-uac-call.xml", k.address(), "udp", "-set", "user", "alice",
                    "-set", "dest", "bob", "-au", "alice", "-ap", "secret")) {
                assertThat(alice.waitForExit(20)).as(() -> "alice's call\n" + alice.log() + k.logText()).isZero();
                if (challenged) {
                    assertThat(alice.log()).contains("SIP/2.0 407 Proxy Authentication Required", "Proxy-Authorization: Digest");
                } else {
                    assertThat(alice.log()).doesNotContain("SIP/2.0 407");
                }
                assertThat(alice.log()).as("the 200 carries the proxy's Record-Route").contains("Record-Route: <sip:127.0.0.1:" + k.port());
            }
            assertThat(bob.waitForExit(20)).as(() -> "bob got INVITE, ACK, BYE\n" + bob.log() + k.logText()).isZero();
            assertThat(bob.log()).as("credentials are consumed by the proxy").doesNotContain("Authorization:");
        }
    }

    @Test
    void anUnregisteredCalleeIs404() throws Exception {
        try (Kamailio k = Kamailio.start(dir, ALICE_AND_BOB.withRequireAuthForInvite(false));
             DatagramSocket s = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            String reply = exchange(s, k, invite(s, "carol"));
            assertThat(reply).as(k::logText).startsWith("SIP/2.0 404");
        }
    }

    /** SIPp 3.6.1 only does MD5 digests, so the SHA-256 round trip is done by hand (RFC 7616). */
    @Test
    void sha256DigestAuthenticationWorks() throws Exception {
        try (Kamailio k = Kamailio.start(dir, ALICE_AND_BOB.withAlgorithm("SHA-256"));
             DatagramSocket s = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            String challenge = exchange(s, k, register(s, 1, ""));
            assertThat(challenge).as(k::logText).startsWith("SIP/2.0 401")
                    .contains("WWW-Authenticate: Digest realm=\"sipdrill.test\"", "qop=\"auth\"", "algorithm=SHA-256");
            assertThat(exchange(s, k, register(s, 2, authorization(challenge, "secret")))).as(k::logText)
                    .startsWith("SIP/2.0 200 OK");
            assertThat(exchange(s, k, register(s, 3, authorization(challenge, "wrong")))).as(k::logText)
                    .startsWith("SIP/2.0 401");
        }
    }

    @Test
    void tlsListenerAnswersOptions() throws Exception {
        Path cert = dir.resolve("server.pem");
        Path key = dir.resolve("server.key");
        String openssl = Peers.require("openssl", "openssl");
        Process p = new ProcessBuilder(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                "-keyout", key.toString(), "-out", cert.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("openssl.log").toFile()).start();
        assertThat(p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0).as("openssl made a certificate").isTrue();
        try (Kamailio k = Kamailio.start(dir.resolve("kamailio"), ALICE_AND_BOB.withTls(cert, key))) {
            assertThat(k.tlsPort()).isNotEqualTo(k.port());
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, new TrustManager[] {new TrustAll()}, null);
            try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(k.host(), k.tlsPort())) {
                socket.setSoTimeout(5000);
                OutputStream out = socket.getOutputStream();
                out.write(("OPTIONS sip:127.0.0.1:" + k.tlsPort() + ";transport=tls SIP/2.0\r\n"
                        + "Via: SIP/2.0/TLS 127.0.0.1:" + socket.getLocalPort() + ";branch=z9hG4bK" + UUID.randomUUID() + "\r\n"
                        + "Max-Forwards: 70\r\nFrom: <sip:probe@127.0.0.1>;tag=1\r\nTo: <sip:127.0.0.1>\r\n"
                        + "Call-ID: " + UUID.randomUUID() + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = socket.getInputStream();
                byte[] buf = new byte[4096];
                int n = in.read(buf);
                assertThat(n > 0 ? new String(buf, 0, n, StandardCharsets.US_ASCII) : "").as(k::logText)
                        .startsWith("SIP/2.0 200 OK");
            }
        }
    }

    // ---- raw SIP over UDP, for what SIPp cannot do ----

    private static String exchange(DatagramSocket s, Kamailio k, String request) throws Exception {
        s.setSoTimeout(5000);
        byte[] out = request.getBytes(StandardCharsets.US_ASCII);
        s.send(new DatagramPacket(out, out.length, InetAddress.getByName(k.host()), k.port()));
        byte[] buf = new byte[65535];
        while (true) {
            DatagramPacket in = new DatagramPacket(buf, buf.length);
            s.receive(in);
            String reply = new String(buf, 0, in.getLength(), StandardCharsets.US_ASCII);
            if (!reply.startsWith("SIP/2.0 1")) return reply;
        }
    }

    private static String register(DatagramSocket s, int cseq, String authorization) {
        return "REGISTER sip:sipdrill.test SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + s.getLocalPort() + ";branch=z9hG4bK" + UUID.randomUUID() + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:alice@sipdrill.test>;tag=sha\r\n"
                + "To: <sip:alice@sipdrill.test>\r\n"
                + "Call-ID: sha256-" + s.getLocalPort() + "\r\n"
                + "CSeq: " + cseq + " REGISTER\r\n"
                + "Contact: <sip:alice@127.0.0.1:" + s.getLocalPort() + ">\r\n"
                + "Expires: 3600\r\n"
                + authorization
                + "Content-Length: 0\r\n\r\n";
    }

    private static String invite(DatagramSocket s, String to) {
        return "INVITE sip:" + to + "@sipdrill.test SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + s.getLocalPort() + ";branch=z9hG4bK" + UUID.randomUUID() + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:alice@sipdrill.test>;tag=inv\r\n"
                + "To: <sip:" + to + "@sipdrill.test>\r\n"
                + "Call-ID: " + UUID.randomUUID() + "\r\n"
                + "CSeq: 1 INVITE\r\n"
                + "Contact: <sip:alice@127.0.0.1:" + s.getLocalPort() + ">\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    /** RFC 7616 digest with qop=auth and SHA-256, for alice at sipdrill.test. */
    private static String authorization(String challenge, String password) throws Exception {
        Matcher nonce = Pattern.compile("nonce=\"([^\"]+)\"").matcher(challenge);
        assertThat(nonce.find()).as(challenge).isTrue();
        String cnonce = "0a4f113b";
        String nc = "00000001";
        String ha1 = sha256("alice:" + Kamailio.REALM + ":" + password);
        String ha2 = sha256("REGISTER:sip:sipdrill.test");
        String response = sha256(ha1 + ":" + nonce.group(1) + ":" + nc + ":" + cnonce + ":auth:" + ha2);
        return "Authorization: Digest username=\"alice\", realm=\"" + Kamailio.REALM + "\", nonce=\"" + nonce.group(1)
                + "\", uri=\"sip:sipdrill.test\", response=\"" + response + "\", algorithm=SHA-256, qop=auth, nc=" + nc
                + ", cnonce=\"" + cnonce + "\"\r\n";
    }

    private static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) { }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) { }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
