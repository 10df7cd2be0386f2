package io.sipdrill.roles;

import io.sipdrill.config.Settings;
import io.sipdrill.sip.Leg;
import io.sipdrill.sip.Reply;
import io.sipdrill.sip.ServerExchange;
import io.sipdrill.sip.SipException;
import io.sipdrill.sip.SipTarget;
import java.util.List;

/**
 * A redirect server (RFC 3261 8.3.1 and 21.3): answers every INVITE with a 3xx (302 Moved
 * Temporarily by default) carrying the configured Contacts, per Request-URI user if configured.
 * It never calls anyone itself; its ACKs are absorbed by the transaction layer.
 */
public final class RedirectRole extends AnswerRole {
    private final Settings.Redirect settings;

    public RedirectRole(Settings.Answer answer, Settings.Redirect settings) {
        super(answer);
        this.settings = settings;
        List<String> all = new java.util.ArrayList<>(settings.contacts());
        settings.users().values().forEach(all::addAll);
        for (String contact : all) {
            try {
                SipTarget.checkContactSyntax(contact.replace("{{user}}", "user").replace("{{self}}", "127.0.0.1:5060"));
            } catch (SipException e) {
                throw new IllegalArgumentException("sipdrill.roles.redirect: Contact " + contact + ": " + e.getMessage()
                        + " (write a Contact value such as \"<sip:carol@127.0.0.1:5062>;q=0.5\")");
            }
        }
    }

    @Override
    protected void answerInvite(ServerExchange request) {
        String user = request.requestUser();
        List<String> contacts = user != null && settings.users().containsKey(user)
                ? settings.users().get(user) : settings.contacts();
        Reply reply = Reply.of(settings.status());
        String self = request.agent().hostPort();
        for (String contact : contacts) {
            reply = reply.header("Contact", contact.replace("{{user}}", user == null ? "" : user).replace("{{self}}", self));
        }
        request.respond(reply);
    }

    @Override
    public void onRequest(Leg leg, ServerExchange request) {
        // no dialog is ever established here; an in-dialog request is a mistake of the peer's
        if (!request.method().equals("ACK")) request.respond(Reply.of(481));
    }
}
