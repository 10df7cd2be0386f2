package io.sipdrill.sip;

import gov.nist.javax.sip.ClientTransactionExt;
import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.TlsSecurityPolicy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.Certificate;
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
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.security.auth.x500.X500Principal;
import javax.sip.address.Hop;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, after JAIN-SIP has opened an outgoing TLS connection, that the server's certificate is
 * valid now and names the host the connection was made for (RFC 5922 / RFC 6125 style: DNS and IP
 * subjectAltNames, the CN only when there are none).
 *
 * <p>The host is the transaction's next hop (the Route or outbound proxy host when there is one,
 * else the Request-URI host). Skipped entirely when the stack property {@code sipdrill.tls.insecure}
 * is "true": the policy reads it from the stack the transaction belongs to, so each stack can differ.
 * JAIN-SIP calls the policy once per new outgoing connection; a rejection closes nothing the
 * application can see, the request simply gets no answer (a transaction timeout), so it is also logged here.
 */
public final class TlsNamePolicy implements TlsSecurityPolicy {
    private static final Logger LOG = LoggerFactory.getLogger(TlsNamePolicy.class);
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:]*:[0-9a-fA-F:.]*(%[\\w.-]+)?");
    private static final int SAN_DNS = 2;
    private static final int SAN_IP = 7;

    /** JAIN-SIP instantiates the policy by class name. */
    public TlsNamePolicy() { }

    @Override
    public void enforceTlsPolicy(ClientTransactionExt transaction) throws SecurityException {
        // a connection not opened for a client transaction (e.g. a response, or a server-side NIO channel)
        if (transaction == null || insecure(transaction)) return;
        String host = destinationHost(transaction);
        try {
            if (host == null) throw new SecurityException("TLS: cannot tell which host the connection was meant for");
            Certificate[] peer;
            try {
                peer = transaction.getPeerCertificates();
            } catch (SSLPeerUnverifiedException | RuntimeException e) {
                peer = null;
            }
            if (peer == null || peer.length == 0 || !(peer[0] instanceof X509Certificate leaf)) {
                throw new SecurityException("TLS peer " + host + ": no peer certificate available to check (on the NIO "
                        + "transport gov.nist.javax.sip.TLS_CLIENT_AUTH_TYPE Disabled or DisabledAll hides it)");
            }
            check(leaf, host, new Date());
        } catch (SecurityException e) {
            // the stack logs this only at a level we keep quiet, and the request then just times out
            LOG.warn("{}", e.getMessage());
            throw e;
        }
    }

    /** The policy's checks on a leaf certificate, without a stack: valid at {@code now}, and names {@code host}. */
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

    /** The next hop's host if the stack recorded one, else the Request-URI's host. */
    static String destinationHost(ClientTransactionExt transaction) {
        try {
            Hop hop = transaction.getNextHop();
            if (hop != null && hop.getHost() != null && !hop.getHost().isBlank()) return hop.getHost();
        } catch (RuntimeException e) {
            // fall back to the request
        }
        try {
            URI uri = transaction.getRequest().getRequestURI();
            if (uri instanceof SipURI sip) return sip.getHost();
        } catch (RuntimeException e) {
            // no request
        }
        return null;
    }

    private static boolean insecure(ClientTransactionExt transaction) {
        try {
            return transaction.getSipProvider().getSipStack() instanceof SipStackImpl stack
                    && PemTlsProvider.isInsecure(stack.getConfigurationProperties());
        } catch (RuntimeException e) {
            return false;
        }
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
