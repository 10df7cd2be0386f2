package io.sipdrill.roles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sipdrill.TestSettings;
import io.sipdrill.sip.AgentSettings;
import io.sipdrill.sip.Leg;
import io.sipdrill.sip.LegListener;
import io.sipdrill.sip.OutgoingRequest;
import io.sipdrill.sip.Reply;
import io.sipdrill.sip.Sdp;
import io.sipdrill.sip.ServerExchange;
import io.sipdrill.sip.SipAgent;
import io.sipdrill.sip.SipMessageView;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The transferee role seen from the wire: what the referrer and the transfer target receive. */
class TransfereeRoleTest {
    static SipAgent transferee;
    static SipAgent target;
    static SipAgent referrer;
    static final List<SipMessageView> targetInvites = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() {
        var settings = TestSettings.with();
        transferee = SipAgent.start(AgentSettings.loopback());
        transferee.onRequest(new TransfereeRole(settings.answer(), settings.transferee()));
        target = SipAgent.start(AgentSettings.loopback());
        AnswerRole answer = new AnswerRole(settings.answer());
        target.onRequest(request -> {
            if (request.method().equals("INVITE")) targetInvites.add(request.request());
            answer.onRequest(request);
        });
        referrer = SipAgent.start(AgentSettings.loopback());
    }

    @AfterAll
    static void stop() {
        List<Thread> t = List.of(new Thread(transferee::close), new Thread(target::close), new Thread(referrer::close));
        t.forEach(Thread::start);
        t.forEach(th -> {
            try {
                th.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    static final class Referrer implements LegListener {
        final List<SipMessageView> responses = new CopyOnWriteArrayList<>();
        final List<SipMessageView> notifies = new CopyOnWriteArrayList<>();

        @Override public void onResponse(Leg leg, SipMessageView r) { responses.add(r); }

        @Override public void onRequest(Leg leg, ServerExchange request) {
            if (request.method().equals("NOTIFY")) notifies.add(request.request());
            request.respond(Reply.of(200));
        }

        @Override public void onTimeout(Leg leg, String method) { }

        SipMessageView finalTo(String method) {
            return responses.stream().filter(r -> r.cseqMethod().equals(method) && r.status() >= 200).reduce((a, b) -> b)
                    .orElse(null);
        }
    }

    private Leg call(Referrer listener) {
        Leg leg = referrer.newLeg(listener);
        leg.send(OutgoingRequest.outOfDialog("INVITE", transferee.uri("bob"), referrer.uri("alice"), null)
                .withBody(Sdp.CONTENT_TYPE, Sdp.audio("127.0.0.1", 4000)));
        await().atMost(Duration.ofSeconds(5)).until(() -> listener.finalTo("INVITE") != null);
        leg.ack();
        return leg;
    }

    @Test
    void replacesAndReferredByReachTheTransferTarget() {
        Referrer listener = new Referrer();
        Leg leg = call(listener);
        String replaces = "abc%40host%3Bto-tag%3D111%3Bfrom-tag%3D222";
        leg.send(OutgoingRequest.inDialog("REFER")
                .header("Refer-To", "<sip:attended@" + target.hostPort() + "?Replaces=" + replaces + ">")
                .header("Referred-By", "<sip:alice@example.org>"));
        await().atMost(Duration.ofSeconds(5)).until(() -> listener.notifies.stream()
                .anyMatch(n -> n.header("Subscription-State").orElse("").startsWith("terminated")));

        SipMessageView invite = targetInvites.stream().filter(i -> i.requestUri().contains("attended")).findFirst().orElseThrow();
        assertThat(invite.header("Replaces")).get().asString()
                .isEqualToIgnoringWhitespace("abc@host;to-tag=111;from-tag=222");
        assertThat(invite.header("Referred-By")).get().asString().contains("sip:alice@example.org");
        assertThat(invite.requestUri()).doesNotContain("Replaces");
        assertThat(listener.finalTo("REFER").status()).isEqualTo(202);
        assertThat(listener.notifies.get(0).header("Event")).contains("refer");
        assertThat(listener.notifies.get(0).header("Content-Type")).get().asString().startsWith("message/sipfrag");
        assertThat(listener.notifies.get(0).body()).startsWith("SIP/2.0 100 Trying");
        SipMessageView last = listener.notifies.get(listener.notifies.size() - 1);
        assertThat(last.body()).startsWith("SIP/2.0 200 OK");
        assertThat(last.header("Subscription-State")).contains("terminated;reason=noresource");
        leg.send(OutgoingRequest.inDialog("BYE"));
    }

    @Test
    void referSubFalseIsEchoedAndNoNotifyIsSent() {
        Referrer listener = new Referrer();
        Leg leg = call(listener);
        leg.send(OutgoingRequest.inDialog("REFER").header("Refer-To", "<sip:carol@" + target.hostPort() + ">")
                .header("Refer-Sub", "false"));
        await().atMost(Duration.ofSeconds(5)).until(() -> listener.finalTo("REFER") != null);
        assertThat(listener.finalTo("REFER").header("Refer-Sub")).contains("false");
        // the transfer still happens: the target is called
        await().atMost(Duration.ofSeconds(5)).until(() -> targetInvites.stream().anyMatch(i ->
                i.header("Call-ID").isPresent() && i.requestUri().contains("carol")));
        OutgoingRequest bye = OutgoingRequest.inDialog("BYE");
        leg.send(bye);
        await().atMost(Duration.ofSeconds(5)).until(() -> listener.finalTo("BYE") != null);
        assertThat(listener.notifies).isEmpty();
    }

    @Test
    void aReferWithoutReferToIsABadRequest() {
        Referrer listener = new Referrer();
        Leg leg = call(listener);
        leg.send(OutgoingRequest.inDialog("REFER"));
        await().atMost(Duration.ofSeconds(5)).until(() -> listener.finalTo("REFER") != null);
        assertThat(listener.finalTo("REFER").status()).isEqualTo(400);
        assertThat(listener.finalTo("REFER").reason()).containsIgnoringCase("Refer-To");
        leg.send(OutgoingRequest.inDialog("BYE"));
    }
}
