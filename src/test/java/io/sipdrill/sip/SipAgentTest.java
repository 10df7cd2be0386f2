package io.sipdrill.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SipAgentTest {
    private final List<SipAgent> agents = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        agents.forEach(SipAgent::close);
    }

    private SipAgent agent(String transport) {
        SipAgent a = SipAgent.start(AgentSettings.loopback().withTransport(transport));
        agents.add(a);
        return a;
    }

    /** Records what a leg sees. */
    static final class Recorder implements LegListener {
        final List<SipMessageView> responses = new CopyOnWriteArrayList<>();
        final List<ServerExchange> requests = new CopyOnWriteArrayList<>();
        final List<String> timeouts = new CopyOnWriteArrayList<>();

        @Override public void onResponse(Leg leg, SipMessageView response) { responses.add(response); }

        @Override public void onRequest(Leg leg, ServerExchange request) {
            requests.add(request);
            request.respond(Reply.of(200));
        }

        @Override public void onTimeout(Leg leg, String method) { timeouts.add(method); }
    }

    @ParameterizedTest
    @ValueSource(strings = {"udp", "tcp"})
    void callIsSetUpAndTornDownOverRealSockets(String transport) {
        SipAgent callee = agent(transport);
        SipAgent caller = agent(transport);
        Recorder calleeSide = new Recorder();
        List<String> strays = new CopyOnWriteArrayList<>();
        List<WireMessage> calleeReceived = new CopyOnWriteArrayList<>();
        callee.addObserver(w -> {
            if (!w.sent()) calleeReceived.add(w);
        });
        callee.onRequest(exchange -> {
            if (!exchange.method().equals("INVITE")) {
                strays.add(exchange.method());
                return;
            }
            exchange.leg(calleeSide);
            exchange.respond(Reply.withBody(200, "application/sdp", "v=0\r\n"));
        });
        List<WireMessage> wire = new CopyOnWriteArrayList<>();
        caller.addObserver(wire::add);

        Recorder callerSide = new Recorder();
        Leg leg = caller.newLeg(callerSide);
        leg.send(OutgoingRequest.outOfDialog("INVITE", callee.uri("bob"), null, null)
                .withBody("application/sdp", "v=0\r\n"));
        await().atMost(Duration.ofSeconds(5)).until(() -> callerSide.responses.stream().anyMatch(r -> r.status() == 200));
        leg.ack();
        leg.send(OutgoingRequest.inDialog("BYE"));
        await().atMost(Duration.ofSeconds(5)).until(() -> callerSide.responses.stream()
                .anyMatch(r -> r.status() == 200 && r.cseqMethod().equals("BYE")));

        // The ACK reaches the callee on the wire. Whether JAIN-SIP also hands it to the leg is its
        // own race: with a worker pool it may take the ACK up before filing the dialog and drop it,
        // and the BYE sent at once ends the dialog before a retransmitted 200 brings another ACK.
        List<WireMessage> calleeWire = calleeReceived;
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(calleeWire).extracting(w -> w.message().method()).contains("ACK", "BYE");
            assertThat(calleeSide.requests).extracting(ServerExchange::method).contains("BYE");
        });
        assertThat(strays).as("no in-dialog request went to the new-call handler").doesNotContain("BYE");
        assertThat(wire).filteredOn(WireMessage::sent).extracting(w -> w.message().label())
                .containsSubsequence("INVITE", "ACK", "BYE");
        // each message once: the stack's second "before processing" log of a response is not a message
        assertThat(wire).filteredOn(w -> !w.sent()).extracting(w -> w.message().label())
                .containsExactly("200 OK (INVITE)", "200 OK (BYE)");
        SipMessageView invite = calleeSide.requests.isEmpty() ? null : wire.get(0).message();
        assertThat(invite.header("Via")).get().asString().containsIgnoringCase(transport);
    }

    @Test
    void aCancelledInviteGets487AndTheCancel200() {
        SipAgent callee = agent("udp");
        SipAgent caller = agent("udp");
        Recorder calleeSide = new Recorder();
        List<ServerExchange> pending = new CopyOnWriteArrayList<>();
        callee.onRequest(exchange -> {
            exchange.leg(calleeSide);
            exchange.respond(Reply.of(180));
            pending.add(exchange); // never answered finally: the caller gives up
        });
        Recorder callerSide = new Recorder();
        Leg leg = caller.newLeg(callerSide);
        leg.send(OutgoingRequest.outOfDialog("INVITE", callee.uri("bob"), null, null));
        await().atMost(Duration.ofSeconds(5)).until(() -> callerSide.responses.stream().anyMatch(r -> r.status() == 180));
        leg.cancel();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(callerSide.responses)
                .extracting(SipMessageView::label).contains("200 OK (CANCEL)", "487 Request Terminated (INVITE)"));
        assertThat(pending.get(0).finalStatus()).isEqualTo(487);
    }

    @Test
    void secondAgentOnABusyPortIsAClearError() {
        SipAgent first = agent("udp");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> SipAgent.start(AgentSettings.loopback().withPort(first.port())))
                .isInstanceOf(SipException.class)
                .hasMessageContaining(first.port() + "").hasMessageContaining("in use");
    }
}
