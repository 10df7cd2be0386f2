package io.sipdrill.sip;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WireMessageTest {
    private static WireMessage msg(long t, boolean sent, String method, int status, long cseq, String callId) {
        var headers = List.of(Map.entry("Call-ID", callId), Map.entry("CSeq", cseq + " " + method));
        var view = new SipMessageView(method, status, status == 0 ? "" : "OK", status == 0 ? "sip:x@h" : "", headers, "", "");
        return new WireMessage(t, sent, "a", "b", view);
    }

    @Test
    void aResponseLoggedBeforeItsRequestIsPutAfterIt() {
        WireMessage invite = msg(1, true, "INVITE", 0, 1, "c1");
        WireMessage ok = msg(5, false, "INVITE", 200, 1, "c1");
        WireMessage bye = msg(7, true, "BYE", 0, 2, "c1");
        WireMessage byeOk = msg(7, false, "BYE", 200, 2, "c1"); // same millisecond, logged first
        WireMessage other = msg(7, false, "BYE", 200, 2, "another-call");
        List<WireMessage> ordered = WireMessage.inWireOrder(List.of(invite, byeOk, other, ok, bye));
        assertThat(ordered).containsExactly(invite, ok, other, bye, byeOk);
    }
}
