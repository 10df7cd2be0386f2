package io.sipdrill.sip;

import gov.nist.core.net.SecurityManagerProvider;
import io.sipdrill.stir.Pem;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * TLS keys and trust for a JAIN-SIP stack, read from PEM files named in the stack's properties.
 * The key stores are built in memory; nothing is written to disk.
 *
 * <p>{@link AgentNetworkLayer} builds the agent's TLS sockets from these managers. (Of JAIN-SIP's own
 * transports only the NIO one asks a SecurityManagerProvider, and that one loses the first request
 * on each new outgoing TLS connection.)
 */
public final class PemTlsProvider implements SecurityManagerProvider {
    /** PEM file with our certificate, leaf first then any intermediates; unset or blank for a client without one. */
    public static final String CERTIFICATE = "sipdrill.tls.certificate";
    /** PEM file with the private key for that certificate (PKCS#8, or OpenSSL's EC/RSA form), EC or RSA. */
    public static final String PRIVATE_KEY = "sipdrill.tls.private-key";
    /** Comma-separated PEM files of CA certificates a peer's chain must lead to; unset or blank = the JDK's cacerts. */
    public static final String TRUST_ANCHORS = "sipdrill.tls.trust-anchors";
    /** "true" accepts any peer certificate, unchecked, here and in {@link TlsNamePolicy}. For labs only. */
    public static final String INSECURE = "sipdrill.tls.insecure";

    private KeyManager[] keyManagers;
    private TrustManager[] trustManagers;
    private List<X509Certificate> chain = List.of();
    private boolean insecure;

    /** JAIN-SIP instantiates the provider by class name and then calls {@link #init}. */
    public PemTlsProvider() { }

    @Override
    public void init(Properties properties) throws GeneralSecurityException, IOException {
        insecure = isInsecure(properties);
        String certificate = value(properties, CERTIFICATE);
        String key = value(properties, PRIVATE_KEY);
        if (certificate.isEmpty() != key.isEmpty()) {
            throw new GeneralSecurityException(certificate.isEmpty()
                    ? PRIVATE_KEY + " is set but " + CERTIFICATE + " is not: give both or neither"
                    : CERTIFICATE + " is set but " + PRIVATE_KEY + " is not: give both or neither");
        }
        KeyStore keys = emptyStore();
        char[] password = randomPassword();
        if (!certificate.isEmpty()) {
            Path certFile = Path.of(certificate);
            Path keyFile = Path.of(key);
            chain = List.copyOf(readCertificates(CERTIFICATE, certFile));
            PrivateKey privateKey = readKey(keyFile);
            checkPair(privateKey, chain.get(0), keyFile, certFile);
            keys.setKeyEntry("sipdrill", privateKey, password, chain.toArray(new X509Certificate[0]));
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        // even without a certificate JAIN-SIP needs a non-null array, or it leaves TLS switched off
        kmf.init(keys, password);
        keyManagers = kmf.getKeyManagers();

        if (insecure) {
            trustManagers = new TrustManager[] {new TrustAll()};
        } else {
            List<Path> anchors = new ArrayList<>();
            for (String f : value(properties, TRUST_ANCHORS).split(",")) {
                if (!f.isBlank()) anchors.add(Path.of(f.strip()));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            if (anchors.isEmpty()) {
                tmf.init((KeyStore) null);
            } else {
                KeyStore trust = emptyStore();
                int n = 0;
                for (Path f : anchors) {
                    for (X509Certificate c : readCertificates(TRUST_ANCHORS, f)) trust.setCertificateEntry("anchor-" + n++, c);
                }
                tmf.init(trust);
            }
            trustManagers = tmf.getTrustManagers();
        }
    }

    @Override
    public KeyManager[] getKeyManagers(boolean client) {
        return keyManagers;
    }

    @Override
    public TrustManager[] getTrustManagers(boolean client) {
        return trustManagers;
    }

    /** Our certificate chain, leaf first; empty for a client without a certificate. */
    public List<X509Certificate> chain() {
        return chain;
    }

    /** Whether peer certificates go unchecked. */
    public boolean insecure() {
        return insecure;
    }

    /** Reads {@link #INSECURE} from stack properties; the policy uses the same rule. */
    public static boolean isInsecure(Properties properties) {
        return "true".equalsIgnoreCase(value(properties, INSECURE));
    }

    private static String value(Properties properties, String name) {
        String v = properties.getProperty(name);
        return v == null ? "" : v.strip();
    }

    private static KeyStore emptyStore() throws GeneralSecurityException, IOException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        return ks;
    }

    private static char[] randomPassword() {
        SecureRandom r = new SecureRandom();
        char[] p = new char[24];
        for (int i = 0; i < p.length; i++) p[i] = (char) ('a' + r.nextInt(26));
        return p;
    }

    private static List<X509Certificate> readCertificates(String property, Path file) throws IOException, GeneralSecurityException {
        exists(property, file);
        try {
            return Pem.certificates(file);
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException(property + " " + file + ": " + detail(e, file));
        }
    }

    /** Reads the key and re-creates it with the JDK's own provider, which JSSE signs with. */
    private static PrivateKey readKey(Path file) throws IOException, GeneralSecurityException {
        exists(PRIVATE_KEY, file);
        PrivateKey key;
        try {
            key = Pem.privateKey(file);
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException(PRIVATE_KEY + " " + file + ": " + detail(e, file));
        }
        String algorithm = key instanceof ECKey ? "EC" : key instanceof RSAKey ? "RSA" : key.getAlgorithm();
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(key.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new GeneralSecurityException(PRIVATE_KEY + " " + file + ": unsupported " + key.getAlgorithm()
                    + " key (" + e.getMessage() + ")", e);
        }
    }

    /** Signs a test string with the key and verifies it with the certificate, so a mixed-up pair fails here. */
    private static void checkPair(PrivateKey key, X509Certificate leaf, Path keyFile, Path certFile) throws GeneralSecurityException {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> null;
        };
        if (algorithm == null) return;
        boolean ok;
        try {
            byte[] data = "sipdrill key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance(algorithm);
            s.initSign(key);
            s.update(data);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(algorithm);
            v.initVerify(leaf.getPublicKey());
            v.update(data);
            ok = v.verify(sig);
        } catch (GeneralSecurityException e) {
            ok = false;
        }
        if (!ok) {
            throw new GeneralSecurityException(PRIVATE_KEY + " " + keyFile + ": does not belong to the first certificate in "
                    + CERTIFICATE + " " + certFile + " (" + leaf.getSubjectX500Principal().getName()
                    + "); the leaf certificate must come first");
        }
    }

    private static void exists(String property, Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException(property + " " + file + ": no such file");
        if (!Files.isReadable(file)) throw new IOException(property + " " + file + ": not readable");
    }

    /** Pem's messages name the file themselves; keep only what went wrong. */
    private static String detail(IllegalArgumentException e, Path file) {
        String m = String.valueOf(e.getMessage());
        String f = file.toString();
        if (m.startsWith(f + ": ")) return m.substring(f.length() + 2);
        return m.replace(" " + f + ":", ":").replace(" " + f, "");
    }

    /** Accepts every chain; used only when {@link #INSECURE} is true. */
    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType) { }
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType) { }
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) { }
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) { }
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) { }
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) { }
        @Override public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
