package io.sipdrill.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sipdrill.stir.Pem;
import io.sipdrill.stir.TestPki;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsProviderTest {

    @Test
    void loopbackHandshakeWithTls13AndTls12(@TempDir Path dir) throws Exception {
        TestPki.create(dir, "1234", false);
        PemTlsProvider server = provider(dir.resolve("tls-cert.pem"), dir.resolve("tls-key.pem"), dir.resolve("ca-cert.pem"), false);
        PemTlsProvider client = provider(null, null, dir.resolve("ca-cert.pem"), false);
        assertThat(server.chain()).hasSize(1);
        assertThat(client.chain()).isEmpty();

        for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
            Handshake h = handshake(server, client, protocol);
            assertThat(h.clientProtocol).isEqualTo(protocol);
            assertThat(h.serverProtocol).isEqualTo(protocol);
            assertThat(h.sni).containsExactly(new SNIHostName("localhost"));
            assertThat(TlsNamePolicy.matches(h.peerLeaf, "localhost")).isTrue();
        }
    }

    @Test
    void aClientTrustingAnotherRootRefusesTheServerUnlessInsecure(@TempDir Path dir) throws Exception {
        TestPki.create(dir.resolve("ours"), "1234", false);
        TestPki.create(dir.resolve("theirs"), "9999", false);
        PemTlsProvider server = provider(dir.resolve("ours/tls-cert.pem"), dir.resolve("ours/tls-key.pem"),
                dir.resolve("ours/ca-cert.pem"), false);
        PemTlsProvider stranger = provider(null, null, dir.resolve("theirs/ca-cert.pem"), false);

        assertThatThrownBy(() -> handshake(server, stranger, "TLSv1.3"))
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("PKIX path");

        PemTlsProvider lab = provider(null, null, dir.resolve("theirs/ca-cert.pem"), true);
        assertThat(lab.insecure()).isTrue();
        assertThat(handshake(server, lab, "TLSv1.3").clientProtocol).isEqualTo("TLSv1.3");
    }

    @Test
    void namesMatchSubjectAltNamesAndWildcardsOnlyInTheLeftmostLabel(@TempDir Path dir) throws Exception {
        TestPki.create(dir, "1234", false);
        X509Certificate tls = Pem.certificates(dir.resolve("tls-cert.pem")).get(0);
        assertThat(TlsNamePolicy.matches(tls, "localhost")).isTrue();
        assertThat(TlsNamePolicy.matches(tls, "LocalHost.")).isTrue();
        assertThat(TlsNamePolicy.matches(tls, "127.0.0.1")).isTrue();
        assertThat(TlsNamePolicy.matches(tls, "::1")).isTrue();
        assertThat(TlsNamePolicy.matches(tls, "[::1]")).isTrue();
        assertThat(TlsNamePolicy.matches(tls, "example.com")).isFalse();
        assertThat(TlsNamePolicy.matches(tls, "127.0.0.2")).isFalse();
        assertThat(TlsNamePolicy.matches(tls, "a.localhost")).isFalse();
        assertThatThrownBy(() -> TlsNamePolicy.check(tls, "example.com", new Date()))
                .isInstanceOf(SecurityException.class)
                .hasMessage("TLS peer certificate does not match example.com: it names "
                        + "[DNS:localhost, IP:127.0.0.1, IP:0:0:0:0:0:0:0:1]");

        X509Certificate wild = certificate("CN=ignored.example.net", List.of("*.example.com", "*.com", "f*.example.org"), Duration.ofDays(1));
        assertThat(TlsNamePolicy.matches(wild, "sip.example.com")).isTrue();
        assertThat(TlsNamePolicy.matches(wild, "SIP.Example.COM")).isTrue();
        assertThat(TlsNamePolicy.matches(wild, "example.com")).isFalse();
        assertThat(TlsNamePolicy.matches(wild, "a.b.example.com")).isFalse();
        assertThat(TlsNamePolicy.matches(wild, "x.com")).isFalse();
        assertThat(TlsNamePolicy.matches(wild, "foo.example.org")).isFalse();
        assertThat(TlsNamePolicy.matches(wild, "ignored.example.net")).isFalse();

        X509Certificate cnOnly = certificate("CN=proxy.example.net,O=x", List.of(), Duration.ofDays(1));
        assertThat(TlsNamePolicy.matches(cnOnly, "proxy.example.net")).isTrue();
        assertThat(TlsNamePolicy.matches(cnOnly, "other.example.net")).isFalse();
        assertThat(TlsNamePolicy.names(cnOnly)).containsExactly("CN=proxy.example.net");
    }

    @Test
    void expiredAndNotYetValidCertificatesAreRefusedClearly() throws Exception {
        X509Certificate expired = certificate("CN=old.example.com", List.of("old.example.com"), Duration.ofDays(-1));
        assertThatThrownBy(() -> TlsNamePolicy.check(expired, "old.example.com", new Date()))
                .isInstanceOf(SecurityException.class)
                .hasMessageContaining("TLS peer certificate for old.example.com expired on");
        X509Certificate fine = certificate("CN=new.example.com", List.of("new.example.com"), Duration.ofDays(1));
        TlsNamePolicy.check(fine, "new.example.com", new Date());
        assertThatThrownBy(() -> TlsNamePolicy.check(fine, "new.example.com", Date.from(Instant.now().minus(Duration.ofDays(2)))))
                .isInstanceOf(SecurityException.class)
                .hasMessageContaining("is not valid until");
    }

    @Test
    void badKeyFilesAreNamedInTheError(@TempDir Path dir) throws Exception {
        TestPki.create(dir, "1234", false);
        Path cert = dir.resolve("tls-cert.pem");
        Path ca = dir.resolve("ca-cert.pem");

        Path missing = dir.resolve("nope.pem");
        assertThatThrownBy(() -> provider(cert, missing, ca, false))
                .hasMessage("sipdrill.tls.private-key " + missing + ": no such file");

        Path garbled = dir.resolve("garbled.pem");
        Files.writeString(garbled, "this is not a key\n");
        assertThatThrownBy(() -> provider(cert, garbled, ca, false))
                .isInstanceOf(java.security.GeneralSecurityException.class)
                .hasMessageStartingWith("sipdrill.tls.private-key " + garbled + ": no private key in it");

        Path broken = dir.resolve("broken.pem");
        Files.writeString(broken, "-----BEGIN PRIVATE KEY-----\nAAAA!!!!\n-----END PRIVATE KEY-----\n");
        assertThatThrownBy(() -> provider(cert, broken, ca, false))
                .hasMessageStartingWith("sipdrill.tls.private-key " + broken + ":");

        assertThatThrownBy(() -> provider(cert, dir.resolve("sp-key.pem"), ca, false))
                .hasMessageContaining("sipdrill.tls.private-key " + dir.resolve("sp-key.pem") + ": does not belong to the first certificate");

        assertThatThrownBy(() -> provider(cert, dir.resolve("tls-key.pem"), dir.resolve("tls-key.pem"), false))
                .hasMessageStartingWith("sipdrill.tls.trust-anchors " + dir.resolve("tls-key.pem") + ":");

        assertThatThrownBy(() -> provider(cert, null, ca, false))
                .hasMessageContaining("sipdrill.tls.certificate is set but sipdrill.tls.private-key is not");
    }

    // --- helpers

    private static PemTlsProvider provider(Path cert, Path key, Path anchors, boolean insecure) throws Exception {
        Properties p = new Properties();
        if (cert != null) p.setProperty(PemTlsProvider.CERTIFICATE, cert.toString());
        if (key != null) p.setProperty(PemTlsProvider.PRIVATE_KEY, key.toString());
        if (anchors != null) p.setProperty(PemTlsProvider.TRUST_ANCHORS, " " + anchors + " , ");
        if (insecure) p.setProperty(PemTlsProvider.INSECURE, "true");
        PemTlsProvider provider = new PemTlsProvider();
        provider.init(p);
        return provider;
    }

    private record Handshake(String clientProtocol, String serverProtocol, List<SNIServerName> sni, X509Certificate peerLeaf) { }

    /** One real handshake over loopback, both sides limited to protocol; returns what each side saw. */
    private static Handshake handshake(PemTlsProvider server, PemTlsProvider client, String protocol) throws Exception {
        SSLContext serverCtx = SSLContext.getInstance("TLS");
        serverCtx.init(server.getKeyManagers(false), server.getTrustManagers(false), null);
        SSLContext clientCtx = SSLContext.getInstance("TLS");
        clientCtx.init(client.getKeyManagers(true), client.getTrustManagers(true), null);

        try (SSLServerSocket listener = (SSLServerSocket) serverCtx.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            listener.setEnabledProtocols(new String[] {protocol});
            listener.setSoTimeout(10_000);
            // the server reports what it saw before it echoes, since closing waits for the client's close
            CompletableFuture<Object[]> seenByServer = new CompletableFuture<>();
            CompletableFuture<Void> serverSide = CompletableFuture.runAsync(() -> {
                try (SSLSocket s = (SSLSocket) listener.accept()) {
                    s.setSoTimeout(10_000);
                    s.startHandshake();
                    ExtendedSSLSession session = (ExtendedSSLSession) s.getSession();
                    seenByServer.complete(new Object[] {session.getProtocol(), session.getRequestedServerNames()});
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream();
                    out.write(in.read());
                    out.flush();
                } catch (Exception e) {
                    seenByServer.complete(new Object[] {e});
                }
            });
            try (SSLSocket c = (SSLSocket) clientCtx.getSocketFactory().createSocket()) {
                SSLParameters params = c.getSSLParameters();
                params.setServerNames(List.of(new SNIHostName("localhost")));
                params.setProtocols(new String[] {protocol});
                c.setSSLParameters(params);
                c.setSoTimeout(10_000);
                c.connect(new InetSocketAddress("127.0.0.1", listener.getLocalPort()), 10_000);
                c.startHandshake();
                c.getOutputStream().write(42);
                c.getOutputStream().flush();
                assertThat(c.getInputStream().read()).isEqualTo(42);
                Object[] seen = seenByServer.get(10, TimeUnit.SECONDS);
                if (seen[0] instanceof Exception e) throw new AssertionError("server side failed: " + e, e);
                @SuppressWarnings("unchecked")
                List<SNIServerName> sni = (List<SNIServerName>) seen[1];
                return new Handshake(c.getSession().getProtocol(), (String) seen[0], sni,
                        (X509Certificate) c.getSession().getPeerCertificates()[0]);
            } finally {
                serverSide.get(10, TimeUnit.SECONDS);
            }
        }
    }

    /** A self-signed EC certificate with the given subject and DNS subjectAltNames, valid from an hour ago for validFor. */
    private static X509Certificate certificate(String subject, List<String> dnsNames, Duration validFor) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair key = g.generateKeyPair();
        Instant now = Instant.now();
        Instant from = validFor.isNegative() ? now.minus(Duration.ofDays(10)) : now.minus(Duration.ofHours(1));
        Instant to = now.plus(validFor);
        X500Name name = new X500Name(subject);
        var b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()), Date.from(from), Date.from(to),
                name, key.getPublic());
        if (!dnsNames.isEmpty()) {
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(dnsNames.stream()
                    .map(d -> new GeneralName(GeneralName.dNSName, d)).toArray(GeneralName[]::new)));
        }
        var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate());
        return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    }
}
