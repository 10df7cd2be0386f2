package io.sipdrill.stir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/** PEM files: certificates (one or a chain) and EC private keys (PKCS#8 or OpenSSL's "EC PRIVATE KEY"). */
public final class Pem {
    private Pem() { }

    public static List<X509Certificate> certificates(byte[] pem) {
        try {
            CertificateFactory f = CertificateFactory.getInstance("X.509");
            List<X509Certificate> out = new ArrayList<>();
            for (var c : f.generateCertificates(new ByteArrayInputStream(pem))) out.add((X509Certificate) c);
            if (out.isEmpty()) throw new IllegalArgumentException("no certificate in it");
            return out;
        } catch (CertificateException e) {
            throw new IllegalArgumentException("not a PEM certificate: " + e.getMessage());
        }
    }

    public static List<X509Certificate> certificates(Path file) {
        try {
            return certificates(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        }
    }

    public static PrivateKey privateKey(Path file) {
        try (PEMParser parser = new PEMParser(new StringReader(Files.readString(file, StandardCharsets.US_ASCII)))) {
            Object o = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter().setProvider(Crypto.provider());
            if (o instanceof PEMKeyPair pair) return converter.getPrivateKey(pair.getPrivateKeyInfo());
            if (o instanceof PrivateKeyInfo info) return converter.getPrivateKey(info);
            throw new IllegalArgumentException(file + ": no private key in it (expected BEGIN PRIVATE KEY or BEGIN EC PRIVATE KEY)");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read private key " + file + ": " + e.getMessage());
        }
    }

    public static String encode(Object certificateOrKey) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            // keys as PKCS#8 ("PRIVATE KEY"), which carries the curve and which OpenSSL and secsipidx read
            if (certificateOrKey instanceof PrivateKey key) w.writeObject(new JcaPKCS8Generator(key, null));
            else w.writeObject(certificateOrKey);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }
}
