package io.sipdrill.sip;

import javax.sip.Dialog;
import javax.sip.ServerTransaction;
import javax.sip.SipProvider;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One incoming request and the means to answer it. ACKs need (and get) no answer. */
public final class ServerExchange {
    private static final Logger LOG = LoggerFactory.getLogger(ServerExchange.class);

    private final SipAgent agent;
    private final SipProvider provider;
    private final Request request;
    private SipMessageView view;
    private ServerTransaction transaction;
    private String tag;
    private volatile int finalStatus;
    private volatile StackLeg leg;

    ServerExchange(SipAgent agent, SipProvider provider, Request request, ServerTransaction transaction) {
        this.agent = agent;
        this.provider = provider;
        this.request = request;
        this.transaction = transaction;
        if (transaction != null && request.getMethod().equals(Request.INVITE)) transaction.setApplicationData(this);
    }

    /** A copy of the request; made on first use, as serving roles under load mostly need none. */
    public synchronized SipMessageView request() {
        if (view == null) view = SipMessageView.of(request, false);
        return view;
    }

    /** The user part of a sip: Request-URI, or null. Cheap: no copy of the message is made. */
    public String requestUser() {
        return request.getRequestURI() instanceof javax.sip.address.SipURI sip ? sip.getUser() : null;
    }

    public String method() { return request.getMethod(); }

    public boolean answeredFinally() { return finalStatus >= 200; }

    public int finalStatus() { return finalStatus; }

    public SipAgent agent() { return agent; }

    /** The leg this request belongs to, creating it (and the dialog) for a dialog-creating request. */
    public synchronized Leg leg(LegListener listener) {
        if (leg != null) return leg;
        ServerTransaction st = transaction();
        Dialog dialog = st == null ? null : st.getDialog();
        if (dialog != null && dialog.getApplicationData() instanceof StackLeg existing) {
            leg = existing;
        } else {
            leg = new StackLeg(agent, listener, dialog);
            leg.provider(provider);
        }
        return leg;
    }

    StackLeg existingLeg() { return leg; }

    public synchronized void respond(Reply reply) {
        if (request.getMethod().equals(Request.ACK)) return;
        if (finalStatus >= 200) {
            LOG.debug("{} already answered {}; not sending {}", request.getMethod(), finalStatus, reply.status());
            return;
        }
        try {
            ServerTransaction st = transaction();
            if (st == null) return;
            Response response = agent.messages.createResponse(reply.status(), request);
            String reason = reply.reason() != null ? reply.reason() : ReasonPhrases.of(reply.status());
            if (reason != null) response.setReasonPhrase(reason);
            ToHeader to = (ToHeader) response.getHeader(ToHeader.NAME);
            if (reply.status() > 100 && to.getTag() == null) to.setTag(localTag());
            String m = request.getMethod();
            if (reply.status() > 100 && reply.status() < 300
                    && (m.equals(Request.INVITE) || m.equals(Request.SUBSCRIBE) || m.equals(Request.REFER))) {
                response.setHeader(agent.contactHeader(transportOf(),
                        request.getRequestURI() instanceof javax.sip.address.SipURI sip && sip.isSecure()));
            }
            StackLeg.apply(agent, response, reply.headers(), reply.contentType(), reply.body());
            st.sendResponse(response);
            agent.counter.response(request.getMethod(), reply.status(), true);
            if (reply.status() >= 200) finalStatus = reply.status();
        } catch (Exception e) {
            throw new SipException("cannot answer " + request.getMethod() + " with " + reply.status()
                    + ": " + StackLeg.describe(e), e);
        }
    }

    void respondIfUnanswered(Reply reply) {
        if (finalStatus < 200) {
            try {
                respond(reply);
            } catch (SipException e) {
                LOG.debug("could not answer", e);
            }
        }
    }

    private String localTag() {
        if (tag == null) tag = leg != null ? leg.localTag() : StackLeg.newTag();
        return tag;
    }

    private String transportOf() {
        return provider.getListeningPoints()[0].getTransport().toLowerCase(java.util.Locale.ROOT);
    }

    private ServerTransaction transaction() {
        if (transaction == null) {
            try {
                transaction = provider.getNewServerTransaction(request);
                if (request.getMethod().equals(Request.INVITE)) transaction.setApplicationData(this);
            } catch (Exception e) {
                // a retransmission racing its original: the first transaction answers it
                LOG.debug("no server transaction for {}: {}", request.getMethod(), e.getMessage());
                return null;
            }
        }
        return transaction;
    }
}
