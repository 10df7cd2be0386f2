package io.sipdrill.sip;

/** The session description roles offer and answer with: audio, no media is actually sent. */
public final class Sdp {
    private Sdp() { }

    public static final String CONTENT_TYPE = "application/sdp";

    public static String audio(String host, int port) {
        String ip = host.contains(":") ? "IP6" : "IP4";
        return "v=0\r\n"
                + "o=sipdrill 1 1 IN " + ip + " " + host + "\r\n"
                + "s=sipdrill\r\n"
                + "c=IN " + ip + " " + host + "\r\n"
                + "t=0 0\r\n"
                + "m=audio " + port + " RTP/AVP 0 8 101\r\n"
                + "a=rtpmap:0 PCMU/8000\r\n"
                + "a=rtpmap:8 PCMA/8000\r\n"
                + "a=rtpmap:101 telephone-event/8000\r\n"
                + "a=sendrecv\r\n";
    }
}
