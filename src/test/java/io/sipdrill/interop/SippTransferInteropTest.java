package io.sipdrill.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.sipdrill.SipDrill;
import io.sipdrill.TestSettings;
import io.sipdrill.engine.Check;
import io.sipdrill.engine.ScenarioResult;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * sipdrill and SIPp on each side of a transfer: sipdrill's transferor against SIPp transferees
 * that behave and misbehave, and a SIPp transferor driving sipdrill's transferee role.
 */
class SippTransferInteropTest {
    static SipDrill drill;

    @BeforeAll
    static void start() {
        drill = new SipDrill(TestSettings.with());
    }

    @AfterAll
    static void stop() {
        drill.close();
    }

    private ScenarioResult transferor(Sipp transferee, String transport, String... vars) {
        Map<String, String> values = new java.util.HashMap<>(Map.of(
                "target", "sip:bob@" + transferee.address() + (transport.equals("tcp") ? ";transport=tcp" : ""),
                "refer-to", "sip:carol@127.0.0.1:5099", "notify-within", "5s"));
        for (int i = 0; i < vars.length; i += 2) values.put(vars[i], vars[i + 1]);
        return drill.play(List.of(drill.loader().load("refer/blind-transfer")), values, "127.0.0.1", 0, transport,
                r -> { }).get(0);
    }

    @Test
    void aWellBehavedSippTransfereePasses() throws Exception {
        for (String transport : List.of("udp", "tcp")) {
            try (Sipp sipp = Sipp.uas("transferee-notifies.xml", transport)) {
                ScenarioResult r = transferor(sipp, transport);
                assertThat(r.passed()).as(transport + ": " + r.failure() + "\n" + sipp.log()).isTrue();
                assertThat(sipp.waitForExit(20)).as(sipp.log()).isZero();
            }
        }
    }

    @Test
    void aNotifyBeforeThe202IsFine() throws Exception {
        try (Sipp sipp = Sipp.uas("transferee-notify-first.xml", "udp")) {
            ScenarioResult r = transferor(sipp, "udp");
            assertThat(r.passed()).as(r.failure() + "\n" + sipp.log()).isTrue();
            List<String> arrivals = r.trace().stream().filter(w -> !w.sent()).map(w -> w.message().label()).toList();
            assertThat(arrivals.indexOf("NOTIFY")).isLessThan(arrivals.indexOf("202 Accepted (REFER)"));
            assertThat(sipp.waitForExit(20)).as(sipp.log()).isZero();
        }
    }

    @Test
    void aTransfereeThatNeverNotifiesFailsWithWhatItMeans() throws Exception {
        try (Sipp sipp = Sipp.uas("transferee-silent.xml", "udp")) {
            ScenarioResult r = transferor(sipp, "udp", "notify-within", "2s");
            Check f = r.failure().orElseThrow();
            assertThat(f.step()).isEqualTo("expect NOTIFY");
            assertThat(f.expected()).isEqualTo("NOTIFY within 2 s");
            assertThat(f.actual()).isEqualTo("nothing");
            assertThat(f.meaning()).isEqualTo("202 Accepted received but no final NOTIFY within 2 s (got nothing): "
                    + "the transferee never reported how the transfer ended");
            assertThat(f.fix()).contains("subscription state", "network path", "RFC 3515 2.4.4");
            // sipdrill still hangs up, so the peer is not left with a call
            assertThat(r.trace()).filteredOn(w -> w.sent()).extracting(w -> w.message().label()).contains("BYE");
            assertThat(sipp.waitForExit(20)).as(sipp.log()).isZero();
        }
    }

    @Test
    void aFinalNotifyReporting486FailsTheTransfer() throws Exception {
        try (Sipp sipp = Sipp.uas("transferee-486.xml", "udp")) {
            ScenarioResult r = transferor(sipp, "udp");
            Check f = r.failure().orElseThrow();
            assertThat(f.meaning()).isEqualTo("transfer failed: final NOTIFY reported 486 Busy Here");
            assertThat(f.actual()).contains("sipfrag reported 486 Busy Here");
            assertThat(sipp.waitForExit(20)).as(sipp.log()).isZero();
        }
    }

    @Test
    void aSippTransferorDrivesSipdrillsTransfereeToASippTarget() throws Exception {
        SipDrill.RunningRole transferee = drill.startRole("transferee", "127.0.0.1", 0, "udp");
        try (Sipp target = Sipp.uas("uas-answer.xml", "udp");
             Sipp transferor = Sipp.uac("transferor.xml", transferee.address(), "udp",
                     "-set", "referto", "sip:carol@" + target.address())) {
            assertThat(transferor.waitForExit(30)).as(transferor.log()).isZero();
            assertThat(target.waitForExit(30)).as("the transfer target got the call and its BYE\n" + target.log()).isZero();
        }
    }

    @Test
    void aSippTransferorSeesTheBusyTargetReportedInTheFinalNotify() throws Exception {
        SipDrill.RunningRole transferee = drill.startRole("transferee", "127.0.0.1", 0, "udp");
        try (Sipp target = Sipp.uas("uas-busy.xml", "udp");
             Sipp transferor = Sipp.uac("transferor.xml", transferee.address(), "udp",
                     "-set", "referto", "sip:carol@" + target.address())) {
            // transferor.xml fails the call when the final sipfrag is not 2xx: exit 1 is the expected verdict
            assertThat(transferor.waitForExit(30)).as(transferor.log()).isEqualTo(1);
            assertThat(transferor.log()).contains("SIP/2.0 486");
            assertThat(target.waitForExit(30)).as(target.log()).isZero();
        }
    }
}
