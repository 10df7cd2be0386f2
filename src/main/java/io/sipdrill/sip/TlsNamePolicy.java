package io.sipdrill.sip;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/**
 * Whether a TLS server's certificate is valid now and names the host that was called (RFC 5922 /
 * RFC 6125 style: DNS and IP subjectAltNames, the CN only when there are none). Called from the
 * handshake by {@link AgentNetworkLayer}, so a refusal fails the send at once with this reason.
 */
public final class TlsNamePolicy {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:]*:[0-9a-fA-F:.]*(%[\\w.-]+)?");
    private static final int SAN_DNS = 2;
    private static final int SAN_IP = 7;

    private TlsNamePolicy() { }

    /** The checks on a server's leaf certificate: valid at {@code now}, and names {@code host}. */
    public static void check(X509Certificate leaf, String host, Date now) throws SecurityException {
        try {
            leaf.checkValidity(now);
        } catch (CertificateExpiredException e) {
            throw new SecurityException("TLS peer certificate for " + host + " expired on " + leaf.getNotAfter().toInstant());
        } catch (CertificateNotYetValidException e) {
            throw new SecurityException("TLS peer certificate for " + host + " is not valid until "
                    + leaf.getNotBefore().toInstant());
        }
        if (!matches(leaf, host)) {
            throw new SecurityException("TLS peer certificate does not match " + host + ": it names " + names(leaf));
        }
    }

    /**
     * Whether the certificate names host. An IP literal (IPv6 with or without brackets) must equal an
     * IP subjectAltName; a DNS name must equal a DNS subjectAltName, ignoring case and a trailing dot,
     * where "*" may stand for exactly one whole leftmost label under at least two more labels.
     * Only when the certificate has no DNS or IP subjectAltName is its most specific CN compared instead.
     */
    public static boolean matches(X509Certificate cert, String host) {
        if (cert == null || host == null) return false;
        String h = host.strip();
        if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
        h = trimDot(h.toLowerCase(Locale.ROOT));
        if (h.isEmpty()) return false;
        byte[] ip = ipLiteral(h);
        List<String> dns = new ArrayList<>();
        List<byte[]> ips = new ArrayList<>();
        sans(cert, dns, ips);
        if (dns.isEmpty() && ips.isEmpty()) {
            String cn = commonName(cert);
            if (cn == null) return false;
            if (ip != null) return Arrays.equals(ip, ipLiteral(cn.strip()));
            return dnsMatches(cn, h);
        }
        if (ip != null) {
            for (byte[] a : ips) if (Arrays.equals(a, ip)) return true;
            return false;
        }
        for (String d : dns) if (dnsMatches(d, h)) return true;
        return false;
    }

    /** The names a certificate carries, for error messages: its subjectAltNames, or its CN if it has none. */
    static List<String> names(X509Certificate cert) {
        List<String> out = new ArrayList<>();
        try {
            Collection<List<?>> all = cert.getSubjectAlternativeNames();
            if (all != null) {
                for (List<?> san : all) {
                    int type = (Integer) san.get(0);
                    if (type == SAN_DNS) out.add("DNS:" + san.get(1));
                    else if (type == SAN_IP) out.add("IP:" + san.get(1));
                }
            }
        } catch (CertificateParsingException e) {
            out.add("(unreadable subjectAltName)");
        }
        if (out.isEmpty()) {
            String cn = commonName(cert);
            out.add(cn == null ? "no name" : "CN=" + cn);
        }
        return out;
    }

    private static void sans(X509Certificate cert, List<String> dns, List<byte[]> ips) {
        Collection<List<?>> all;
        try {
            all = cert.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return;
        }
        if (all == null) return;
        for (List<?> san : all) {
            int type = (Integer) san.get(0);
            if (type == SAN_DNS && san.get(1) instanceof String s) dns.add(s);
            else if (type == SAN_IP && san.get(1) instanceof String s) {
                byte[] a = ipLiteral(s);
                if (a != null) ips.add(a);
            }
        }
    }

    private static boolean dnsMatches(String pattern, String host) {
        String p = trimDot(pattern.strip().toLowerCase(Locale.ROOT));
        if (p.isEmpty() || ipLiteral(host) != null) return p.equals(host);
        if (!p.startsWith("*.")) return p.equals(host);
        String rest = p.substring(2);
        // "*" alone in the leftmost label, never "*.com", never more than one label
        if (rest.indexOf('.') < 0 || rest.contains("*")) return false;
        int dot = host.indexOf('.');
        return dot > 0 && host.substring(dot + 1).equals(rest);
    }

    private static String trimDot(String s) {
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    /** The address bytes of an IPv4 or IPv6 literal, or null for anything else; never looks up DNS. */
    private static byte[] ipLiteral(String s) {
        if (s == null || s.isEmpty()) return null;
        if (IPV4.matcher(s).matches()) {
            String[] parts = s.split("\\.");
            byte[] a = new byte[4];
            for (int i = 0; i < 4; i++) {
                int v = Integer.parseInt(parts[i]);
                if (v > 255) return null;
                a[i] = (byte) v;
            }
            return a;
        }
        // with a colon the JDK parses it as an IPv6 literal and does not resolve it
        if (!IPV6.matcher(s).matches()) return null;
        try {
            return InetAddress.getByName(s).getAddress();
        } catch (UnknownHostException | SecurityException e) {
            return null;
        }
    }

    private static String commonName(X509Certificate cert) {
        try {
            String cn = null;
            // LdapName lists RDNs most general first, so the last CN is the most specific
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName(X500Principal.RFC2253)).getRdns()) {
                if ("CN".equalsIgnoreCase(rdn.getType())) cn = String.valueOf(rdn.getValue());
            }
            return cn;
        } catch (InvalidNameException e) {
            return null;
        }
    }
}
