package io.sipdrill.sip;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Which hosts a role may call on someone else's behalf (a REFER's Refer-To, a B2BUA's B leg).
 * Entries are CIDR networks, IP addresses or host names compared literally: no DNS lookup decides,
 * so a name cannot be pointed somewhere else to turn sipdrill into an open relay.
 */
public final class TargetPolicy {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private final List<String> allowed;

    public TargetPolicy(List<String> allowed) {
        this.allowed = List.copyOf(allowed);
        for (String entry : allowed) {
            if (entry.contains("/")) network(entry); // fail at start-up, not at the first call
        }
    }

    public List<String> allowed() { return allowed; }

    public boolean allows(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
        byte[] address = literal(h);
        for (String entry : allowed) {
            String e = entry.toLowerCase(Locale.ROOT).trim();
            if (e.contains("/")) {
                if (address != null && inNetwork(address, e)) return true;
            } else if (address != null && literal(e) != null) {
                if (java.util.Arrays.equals(address, literal(e))) return true;
            } else if (e.equals(h)) {
                return true;
            }
        }
        return false;
    }

    private static byte[] literal(String host) {
        if (!IPV4.matcher(host).matches() && !host.contains(":")) return null;
        try {
            return InetAddress.getByName(host).getAddress(); // a literal: parsed, never looked up
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private record Network(byte[] base, int bits) {
        boolean contains(byte[] address) {
            if (base.length != address.length) return false;
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >> (i % 8);
                if ((base[i / 8] & mask) != (address[i / 8] & mask)) return false;
            }
            return true;
        }
    }

    private static boolean inNetwork(byte[] address, String cidr) {
        return network(cidr).contains(address);
    }

    private static Network network(String cidr) {
        String[] parts = cidr.trim().split("/");
        byte[] base = parts.length == 2 ? literal(parts[0]) : null;
        int bits;
        try {
            bits = Integer.parseInt(parts[1]);
        } catch (RuntimeException e) {
            bits = -1;
        }
        if (base == null || bits < 0 || bits > base.length * 8) {
            throw new IllegalArgumentException("not a network: " + cidr + " (write it as 127.0.0.0/8 or ::1/128)");
        }
        return new Network(base, bits);
    }
}
