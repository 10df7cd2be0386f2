package io.sipdrill.roles;

import io.sipdrill.config.Settings;
import io.sipdrill.stir.AttestationPolicy;
import io.sipdrill.stir.Stir;
import java.util.Set;
import java.util.TreeSet;

/** The built-in roles by name, as `serve --role`, `demo` and a scenario's `peer` name them. */
public final class Roles {
    public static final Set<String> NAMES =
            java.util.Collections.unmodifiableSortedSet(new TreeSet<>(Set.of("answer", "b2bua", "redirect", "registrar", "spam-callee", "transferee")));

    private Roles() { }

    /** A new instance of the role; close it when its agent stops. */
    public static AnswerRole create(String name, Settings settings) {
        return switch (name) {
            case "answer" -> new AnswerRole(settings.answer());
            case "transferee" -> new TransfereeRole(settings.answer(), settings.transferee());
            case "redirect" -> new RedirectRole(settings.answer(), settings.redirect());
            case "registrar" -> new RegistrarRole(settings.answer(), settings.registrar());
            case "b2bua" -> new B2buaRole(settings.answer(), settings.b2bua(), settings.run().maxRedirects(),
                    settings.b2bua().stirInbound().equals("verify") ? Stir.verifier(settings.stir()) : null,
                    new AttestationPolicy(settings.spamCallee()),
                    settings.b2bua().stirOutbound().equals("sign") ? Stir.signer(settings.stir()) : null);
            case "spam-callee" -> new SpamCalleeRole(settings.answer(), Stir.verifier(settings.stir()),
                    new AttestationPolicy(settings.spamCallee()));
            default -> throw new IllegalArgumentException("unknown role \"" + name + "\"; built-in roles: "
                    + String.join(", ", new TreeSet<>(NAMES)));
        };
    }
}
