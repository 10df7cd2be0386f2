package io.sipdrill.report;

import io.sipdrill.sip.WireMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A scenario's messages as a classic pcap file that Wireshark and tshark read as SIP. sipdrill sees
 * messages, not packets (JAIN-SIP hands over parsed messages, and TCP or TLS has no one-packet-per-
 * message form), so every message becomes one synthetic UDP datagram in a raw IPv4 or IPv6 packet
 * (link type 101) between the addresses and ports it went between, stamped with when it was logged.
 */
public final class Pcap {
    private static final int LINKTYPE_RAW = 101;
    private static final int MAX_PAYLOAD = 65_507;

    private Pcap() { }

    public static void write(Path file, List<WireMessage> trace) throws IOException {
        Files.write(file, bytes(trace));
    }

    static byte[] bytes(List<WireMessage> trace) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65_535).putInt(LINKTYPE_RAW);
        out.writeBytes(header.array());
        int id = 1;
        for (WireMessage m : trace) {
            byte[] payload = m.message().text().getBytes(StandardCharsets.UTF_8);
            if (payload.length > MAX_PAYLOAD) payload = java.util.Arrays.copyOf(payload, MAX_PAYLOAD);
            Endpoint from = Endpoint.parse(m.from());
            Endpoint to = Endpoint.parse(m.to());
            byte[] packet = from.address.length == 16 || to.address.length == 16
                    ? ipv6(Endpoint.v6(from), Endpoint.v6(to), payload)
                    : ipv4(from, to, payload, id++);
            ByteBuffer record = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            record.putInt((int) (m.epochMillis() / 1000)).putInt((int) (m.epochMillis() % 1000) * 1000)
                    .putInt(packet.length).putInt(packet.length);
            out.writeBytes(record.array());
            out.writeBytes(packet);
        }
        return out.toByteArray();
    }

    private static byte[] ipv4(Endpoint from, Endpoint to, byte[] payload, int id) {
        ByteBuffer p = ByteBuffer.allocate(20 + 8 + payload.length); // network byte order
        p.put((byte) 0x45).put((byte) 0).putShort((short) (20 + 8 + payload.length)).putShort((short) id)
                .putShort((short) 0x4000).put((byte) 64).put((byte) 17).putShort((short) 0).put(from.address).put(to.address);
        p.putShort(10, checksum(p.array(), 0, 20, 0));
        p.putShort((short) from.port).putShort((short) to.port).putShort((short) (8 + payload.length)).putShort((short) 0);
        p.put(payload);
        return p.array();
    }

    private static byte[] ipv6(Endpoint from, Endpoint to, byte[] payload) {
        int udpLength = 8 + payload.length;
        ByteBuffer p = ByteBuffer.allocate(40 + udpLength);
        p.putInt(0x60000000).putShort((short) udpLength).put((byte) 17).put((byte) 64).put(from.address).put(to.address);
        p.putShort((short) from.port).putShort((short) to.port).putShort((short) udpLength).putShort((short) 0).put(payload);
        // UDP over IPv6 must carry a checksum: over the pseudo-header (addresses, length, next header) and the datagram
        long sum = 0;
        byte[] a = p.array();
        for (int i = 8; i < 40; i += 2) sum += ((a[i] & 0xff) << 8) | (a[i + 1] & 0xff);
        sum += udpLength + 17;
        short c = checksum(a, 40, udpLength, sum);
        p.putShort(46, c == 0 ? (short) 0xffff : c);
        return a;
    }

    /** The Internet checksum (RFC 1071) of length bytes from offset, starting from a partial sum. */
    private static short checksum(byte[] a, int offset, int length, long sum) {
        for (int i = 0; i < length; i += 2) {
            int hi = a[offset + i] & 0xff;
            int lo = i + 1 < length ? a[offset + i + 1] & 0xff : 0;
            sum += (hi << 8) | lo;
        }
        while ((sum >> 16) != 0) sum = (sum & 0xffff) + (sum >> 16);
        return (short) ~sum;
    }

    /** "127.0.0.1:5060", "[::1]:5060" or "::1:5060"; an unparseable address becomes 0.0.0.0. */
    private record Endpoint(byte[] address, int port) {
        static Endpoint parse(String text) {
            String t = text == null ? "" : text.strip();
            String host = t;
            String port = "";
            int colons = t.length() - t.replace(":", "").length();
            if (t.startsWith("[") && t.indexOf(']') > 0) {
                host = t.substring(1, t.indexOf(']'));
                port = t.substring(t.indexOf(']') + 1).replaceFirst("^:", "");
            } else if (colons >= 1) {
                host = t.substring(0, t.lastIndexOf(':'));
                port = t.substring(t.lastIndexOf(':') + 1);
            }
            byte[] address = new byte[4];
            if (host.matches("[0-9.]+") || host.contains(":")) {
                try {
                    address = InetAddress.getByName(host).getAddress(); // a literal: no lookup
                } catch (IOException e) {
                    address = new byte[4];
                }
            }
            int p;
            try {
                p = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                p = 0;
            }
            return new Endpoint(address, p);
        }

        /** The address as IPv6 (IPv4-mapped when it is IPv4), for a packet whose other end is IPv6. */
        static Endpoint v6(Endpoint e) {
            if (e.address.length == 16) return e;
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(e.address, 0, mapped, 12, 4);
            return new Endpoint(mapped, e.port);
        }
    }
}
