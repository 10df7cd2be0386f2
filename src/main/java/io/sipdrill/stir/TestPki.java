package io.sipdrill.stir;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A STIR/SHAKEN test PKI: a root (an STI-CA stand-in) and an ES256 service-provider certificate it
 * signs, carrying TNAuthList (RFC 8226) with a service provider code, plus a TLS certificate from the
 * same root for localhost, 127.0.0.1 and ::1. For labs and tests only.
 */
public final class TestPki {
    /** id-pe-TNAuthList (RFC 8226 section 9). */
    static final ASN1ObjectIdentifier TN_AUTH_LIST = new ASN1ObjectIdentifier("1.3.6.1.5.5.7.1.26");
    public static final List<String> FILES = List.of("ca-cert.pem", "ca-key.pem", "sp-cert.pem", "sp-key.pem",
            "tls-cert.pem", "tls-key.pem");

    private TestPki() { }

    /** Writes the files in {@link #FILES} into dir; refuses to overwrite any unless force. */
    public static void create(Path dir, String spc, boolean force) throws IOException {
        for (String f : FILES) {
            if (Files.exists(dir.resolve(f)) && !force) {
                throw new IllegalArgumentException(dir.resolve(f) + " exists; keys init does not overwrite keys "
                        + "unless given --force");
            }
        }
        try {
            KeyPair ca = ecKey();
            KeyPair sp = ecKey();
            KeyPair tls = ecKey();
            Instant now = Instant.now();
            X500Name caName = new X500Name("CN=sipdrill test STI-CA,O=sipdrill");
            X509Certificate caCert = certificate(caName, caName, ca, ca, now, Duration.ofDays(3650), true, null);
            X509Certificate spCert = certificate(caName, new X500Name("CN=SHAKEN " + spc + ",O=sipdrill test SP"),
                    sp, ca, now, Duration.ofDays(365), false, spc);
            X509Certificate tlsCert = tlsCertificate(caName, tls, ca, now.minus(Duration.ofMinutes(5)),
                    now.plus(Duration.ofDays(365)), LOOPBACK_NAMES);
            Files.createDirectories(dir);
            write(dir.resolve("ca-cert.pem"), Pem.encode(caCert));
            write(dir.resolve("ca-key.pem"), Pem.encode(ca.getPrivate()));
            write(dir.resolve("sp-cert.pem"), Pem.encode(spCert));
            write(dir.resolve("sp-key.pem"), Pem.encode(sp.getPrivate()));
            write(dir.resolve("tls-cert.pem"), Pem.encode(tlsCert));
            write(dir.resolve("tls-key.pem"), Pem.encode(tls.getPrivate()));
        } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException("cannot make the test PKI: " + e.getMessage(), e);
        }
    }

    private static void write(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.US_ASCII);
    }

    private static KeyPair ecKey() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    static final List<String> LOOPBACK_NAMES = List.of("localhost", "127.0.0.1", "::1");

    /**
     * Issues a further TLS certificate from the root in dir (ca-cert.pem, ca-key.pem) for the given
     * names (DNS names or IP addresses) and validity, written to certOut and keyOut: for a peer at
     * another name, or to see how a caller treats an expired or misnamed certificate.
     */
    public static void issueTls(Path dir, Path certOut, Path keyOut, List<String> names, Instant notBefore, Instant notAfter)
            throws IOException {
        X509Certificate caCert = Pem.certificates(dir.resolve("ca-cert.pem")).get(0);
        try {
            // as the JDK's own EC key, which the signer below takes (the PEM reader may give another provider's)
            java.security.PrivateKey caKey = java.security.KeyFactory.getInstance("EC").generatePrivate(
                    new java.security.spec.PKCS8EncodedKeySpec(Pem.privateKey(dir.resolve("ca-key.pem")).getEncoded()));
            KeyPair tls = ecKey();
            X509Certificate cert = tlsCertificate(X500Name.getInstance(caCert.getSubjectX500Principal().getEncoded()),
                    tls, new KeyPair(caCert.getPublicKey(), caKey), notBefore, notAfter, names);
            write(certOut, Pem.encode(cert));
            write(keyOut, Pem.encode(tls.getPrivate()));
        } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException("cannot issue a TLS certificate: " + e.getMessage(), e);
        }
    }

    /** A TLS server and client certificate for the given names (the first is also the CN). */
    private static X509Certificate tlsCertificate(X500Name issuer, KeyPair subjectKey, KeyPair issuerKey, Instant from,
                                                  Instant to, List<String> names)
            throws GeneralSecurityException, org.bouncycastle.operator.OperatorCreationException, IOException {
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, new SecureRandom()),
                Date.from(from), Date.from(to),
                new X500Name("CN=" + names.get(0) + ",O=sipdrill test"), subjectKey.getPublic());
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        b.addExtension(Extension.extendedKeyUsage, false,
                new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.stream()
                .map(n -> new GeneralName(n.matches("[0-9.]+|.*:.*") ? GeneralName.iPAddress : GeneralName.dNSName, n))
                .toArray(GeneralName[]::new)));
        b.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(subjectKey.getPublic()));
        b.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(issuerKey.getPublic()));
        var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey.getPrivate());
        return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    }

    private static X509Certificate certificate(X500Name issuer, X500Name subject, KeyPair subjectKey, KeyPair issuerKey,
                                               Instant from, Duration valid, boolean ca, String spc)
            throws GeneralSecurityException, org.bouncycastle.operator.OperatorCreationException, IOException {
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, new SecureRandom()),
                Date.from(from.minus(Duration.ofMinutes(5))), Date.from(from.plus(valid)), subject, subjectKey.getPublic());
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature));
        b.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(subjectKey.getPublic()));
        b.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(issuerKey.getPublic()));
        if (spc != null) {
            // TNAuthorizationList ::= SEQUENCE OF TNEntry; TNEntry spc [0] ServiceProviderCode (IA5String)
            b.addExtension(TN_AUTH_LIST, false, new DERSequence(new DERTaggedObject(true, 0, new DERIA5String(spc))));
        }
        var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey.getPrivate());
        return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    }
}
