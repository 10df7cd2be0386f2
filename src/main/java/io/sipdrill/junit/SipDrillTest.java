package io.sipdrill.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Starts sipdrill roles on 127.0.0.1 (free ports) for a test class and stops them after it; test
 * methods and constructors get the running {@link SipDrillExtension} as a parameter:
 *
 * <pre>{@code
 * @SipDrillTest(roles = {"answer", "redirect"}, settings = {"sipdrill.run.default-within=5s"})
 * class MyPbxTest {
 *     @Test
 *     void callsAreAnswered(SipDrillExtension sip) {
 *         assertTrue(sip.run("basic/call", Map.of("target", sip.uri("answer", "bob"))).passed());
 *     }
 * }
 * }</pre>
 * For settings per role, or roles per test method, register a {@link SipDrillExtension} built with
 * {@link SipDrillExtension#builder()} as a {@code @RegisterExtension} field instead.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(SipDrillExtension.class)
public @interface SipDrillTest {
    /** Built-in roles to start: answer, b2bua, redirect, registrar, spam-callee, transferee. */
    String[] roles() default {};

    /** Settings as --set takes them ("sipdrill.roles.answer.ring=false"), for every role and run. */
    String[] settings() default {};

    /** Transport the roles and runs use: udp, tcp or tls. */
    String transport() default "udp";
}
