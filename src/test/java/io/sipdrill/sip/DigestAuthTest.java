package io.sipdrill.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sipdrill.sip.DigestAuth.Challenge;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class DigestAuthTest {
    private static final String EXAMPLE = "Digest realm=\"atlanta.com\", nonce=\"84a4cc6f3082121f32b42a2187831a9e\","
            + " qop=\"auth,auth-int\", algorithm=SHA-256, opaque=\"5ccc069c403ebaf9f0171e9517f40e41\", stale=FALSE";

    // RFC 7616 section 3.9.1 inputs
    private static final String RFC7616_NONCE = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
    private static final String RFC7616_CNONCE = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
    private static final String RFC7616_OPAQUE = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS";

    /** Hashes with the JDK directly, independently of the class under test. */
    private static String h(String jdkAlgorithm, String text) throws Exception {
        byte[] digest = MessageDigest.getInstance(jdkAlgorithm).digest(text.getBytes(StandardCharsets.UTF_8));
        StringBuilder sb = new StringBuilder();
        for (byte b : digest) {
            sb.append(String.format("%02x", b & 0xff));
        }
        return sb.toString();
    }

    /** The value of one parameter in a credentials string, quoted or not. */
    private static String param(String header, String name) {
        Matcher m = Pattern.compile("(?:^Digest |, )" + name + "=(\"([^\"]*)\"|[^,\\s]+)").matcher(header);
        if (!m.find()) {
            return null;
        }
        return m.group(2) != null ? m.group(2) : m.group(1);
    }

    @Test
    void parsesTheExampleChallenge() {
        Challenge c = Challenge.parse(EXAMPLE);
        assertThat(c.scheme()).isEqualTo("Digest");
        assertThat(c.realm()).isEqualTo("atlanta.com");
        assertThat(c.nonce()).isEqualTo("84a4cc6f3082121f32b42a2187831a9e");
        assertThat(c.qop()).containsExactly("auth", "auth-int");
        assertThat(c.algorithm()).isEqualTo("SHA-256");
        assertThat(c.opaque()).isEqualTo("5ccc069c403ebaf9f0171e9517f40e41");
        assertThat(c.stale()).isFalse();
    }

    @Test
    void parsesTokensQuotedValuesAnyCaseAndLooseSpacing() {
        Challenge c = Challenge.parse("  digest REALM = \"a \\\"quoted\\\" realm, with comma\" ,,Nonce=abc123 ,"
                + "\tQOP=auth , STALE=TRUE, domain=\"sip:ss1.example.com\"  ");
        assertThat(c.realm()).isEqualTo("a \"quoted\" realm, with comma");
        assertThat(c.nonce()).isEqualTo("abc123");
        assertThat(c.qop()).containsExactly("auth");
        assertThat(c.stale()).isTrue();
        assertThat(c.algorithm()).isEqualTo("MD5");
        assertThat(c.opaque()).isNull();

        assertThat(Challenge.parse("Digest realm=r, nonce=n, stale=\"true\"").stale()).isTrue();
        assertThat(Challenge.parse("Digest realm=r, nonce=n, stale=yes").stale()).isFalse();
        assertThat(Challenge.parse("Digest realm=r, nonce=n").qop()).isEmpty();
        assertThat(Challenge.parse("Digest realm=r, nonce=n").stale()).isFalse();
    }

    @Test
    void refusesValuesThatAreNotUsableDigestChallenges() {
        assertThatThrownBy(() -> Challenge.parse("Digest realm=\"atlanta.com\", qop=auth"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("challenge has no nonce: Digest realm=\"atlanta.com\", qop=auth");
        assertThatThrownBy(() -> Challenge.parse("Digest nonce=\"abc\""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("challenge has no realm");
        assertThatThrownBy(() -> Challenge.parse("Basic realm=x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not a Digest challenge: Basic realm=x");
        assertThatThrownBy(() -> Challenge.parse("Digest realm=\"unterminated, nonce=abc"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unterminated");
        assertThatThrownBy(() -> Challenge.parse(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a Digest challenge");
    }

    @Test
    void rfc2617Example() {
        Challenge c = Challenge.parse("Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\","
                + " nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
        String header = DigestAuth.authorization(c, "Mufasa", "Circle Of Life", "GET", "/dir/index.html", "0a4f113b", 1);
        assertThat(param(header, "response")).isEqualTo("6629fae49393a05397450978507c4ef1");
        assertThat(header).isEqualTo("Digest username=\"Mufasa\", realm=\"testrealm@host.com\","
                + " nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\","
                + " response=\"6629fae49393a05397450978507c4ef1\", algorithm=MD5, cnonce=\"0a4f113b\", qop=auth,"
                + " nc=00000001, opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
    }

    @Test
    void rfc7616ExampleSha256() {
        Challenge c = Challenge.parse("Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\","
                + " algorithm=SHA-256, nonce=\"" + RFC7616_NONCE + "\", opaque=\"" + RFC7616_OPAQUE + "\"");
        String header = DigestAuth.authorization(c, "Mufasa", "Circle of Life", "GET", "/dir/index.html",
                RFC7616_CNONCE, 1);
        assertThat(param(header, "response"))
                .isEqualTo("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
        assertThat(param(header, "algorithm")).isEqualTo("SHA-256");
        assertThat(param(header, "qop")).isEqualTo("auth");
        assertThat(param(header, "nc")).isEqualTo("00000001");
        assertThat(param(header, "cnonce")).isEqualTo(RFC7616_CNONCE);
        assertThat(param(header, "opaque")).isEqualTo(RFC7616_OPAQUE);
        assertThat(header).contains(", algorithm=SHA-256, ", ", qop=auth, ", ", nc=00000001");
    }

    @Test
    void rfc7616ExampleMd5() {
        Challenge c = Challenge.parse("Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\","
                + " algorithm=MD5, nonce=\"" + RFC7616_NONCE + "\", opaque=\"" + RFC7616_OPAQUE + "\"");
        String header = DigestAuth.authorization(c, "Mufasa", "Circle of Life", "GET", "/dir/index.html",
                RFC7616_CNONCE, 1);
        assertThat(param(header, "response")).isEqualTo("8ca523f5e9506fed4657c9700eebdbec");
        assertThat(header).contains(", algorithm=MD5, ");
    }

    @Test
    void withoutQopTheOldFormIsUsed() throws Exception {
        Challenge c = Challenge.parse("Digest realm=\"atlanta.com\", nonce=\"ea9c8e88df84f1cec4341ae6cbe5a359\"");
        String header = DigestAuth.authorization(c, "bob", "zanzibar", "REGISTER", "sip:atlanta.com", "ignored", 7);

        String ha1 = h("MD5", "bob:atlanta.com:zanzibar");
        String ha2 = h("MD5", "REGISTER:sip:atlanta.com");
        String expected = h("MD5", ha1 + ":ea9c8e88df84f1cec4341ae6cbe5a359:" + ha2);
        assertThat(param(header, "response")).isEqualTo(expected).hasSize(32);
        assertThat(param(header, "cnonce")).isNull();
        assertThat(param(header, "nc")).isNull();
        assertThat(param(header, "qop")).isNull();
        assertThat(param(header, "opaque")).isNull();
        assertThat(header).startsWith("Digest username=\"bob\", realm=\"atlanta.com\","
                + " nonce=\"ea9c8e88df84f1cec4341ae6cbe5a359\", uri=\"sip:atlanta.com\", response=\"" + expected + "\"");
    }

    @Test
    void sha256SessAndNonceCountAreComputedFromTheirParts() throws Exception {
        Challenge c = Challenge.parse(
                "Digest realm=\"biloxi.com\", nonce=\"n0nce\", qop=\"auth-int, auth\", algorithm=SHA-256-sess");
        String header = DigestAuth.authorization(c, "alice", "secret", "INVITE", "sip:bob@biloxi.com", "c1c2c3", 26);

        String ha1 = h("SHA-256", h("SHA-256", "alice:biloxi.com:secret") + ":n0nce:c1c2c3");
        String ha2 = h("SHA-256", "INVITE:sip:bob@biloxi.com");
        String expected = h("SHA-256", ha1 + ":n0nce:0000001a:c1c2c3:auth:" + ha2);
        assertThat(param(header, "response")).isEqualTo(expected).hasSize(64);
        assertThat(param(header, "nc")).isEqualTo("0000001a");
        assertThat(param(header, "algorithm")).isEqualTo("SHA-256-sess");
    }

    @Test
    void md5SessAndSha512256AreComputedFromTheirParts() throws Exception {
        Challenge sess = Challenge.parse("Digest realm=r, nonce=n, qop=auth, algorithm=MD5-sess");
        String sessHeader = DigestAuth.authorization(sess, "u", "p", "BYE", "sip:x@y", "cn", 1);
        String sessHa1 = h("MD5", h("MD5", "u:r:p") + ":n:cn");
        assertThat(param(sessHeader, "response"))
                .isEqualTo(h("MD5", sessHa1 + ":n:00000001:cn:auth:" + h("MD5", "BYE:sip:x@y")));

        Challenge sha512 = Challenge.parse("Digest realm=r, nonce=n, qop=auth, algorithm=SHA-512-256");
        String sha512Header = DigestAuth.authorization(sha512, "u", "p", "BYE", "sip:x@y", "cn", 1);
        assertThat(param(sha512Header, "response")).isEqualTo(h("SHA-512/256",
                h("SHA-512/256", "u:r:p") + ":n:00000001:cn:auth:" + h("SHA-512/256", "BYE:sip:x@y")));
    }

    @Test
    void quotesAreEscapedButTheRawValuesAreHashed() throws Exception {
        Challenge c = Challenge.parse("Digest realm=r, nonce=n");
        String header = DigestAuth.authorization(c, "a\"b", "p", "OPTIONS", "sip:x", null, 1);
        assertThat(header).startsWith("Digest username=\"a\\\"b\", ");
        String expected = h("MD5", h("MD5", "a\"b:r:p") + ":n:" + h("MD5", "OPTIONS:sip:x"));
        assertThat(header).contains("response=\"" + expected + "\"");
    }

    @Test
    void onlyAuthIntOfferedIsRefused() {
        Challenge c = Challenge.parse("Digest realm=r, nonce=n, qop=\"auth-int\"");
        assertThatThrownBy(() -> DigestAuth.authorization(c, "u", "p", "INVITE", "sip:x", "cn", 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("only qop=auth-int offered, which sipdrill does not support");
    }

    @Test
    void unsupportedAlgorithmsAreReported() {
        assertThat(DigestAuth.supported("MD5")).isTrue();
        assertThat(DigestAuth.supported("md5")).isTrue();
        assertThat(DigestAuth.supported("SHA-256")).isTrue();
        assertThat(DigestAuth.supported("sha-256-SESS")).isTrue();
        assertThat(DigestAuth.supported("MD5-sess")).isTrue();
        assertThat(DigestAuth.supported("SHA-512-256")).isTrue();
        assertThat(DigestAuth.supported("SHA-512-256-sess")).isTrue();
        assertThat(DigestAuth.supported("SHA-1")).isFalse();
        assertThat(DigestAuth.supported("AKAv1-MD5")).isFalse();
        assertThat(DigestAuth.supported("")).isFalse();
        assertThat(DigestAuth.supported(null)).isFalse();

        Challenge c = Challenge.parse("Digest realm=r, nonce=n, qop=auth, algorithm=AKAv1-MD5");
        assertThatThrownBy(() -> DigestAuth.authorization(c, "u", "p", "REGISTER", "sip:x", "cn", 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unsupported digest algorithm: AKAv1-MD5");
    }

    @Test
    void sessWithoutQopIsRefused() {
        Challenge c = Challenge.parse("Digest realm=r, nonce=n, algorithm=MD5-sess");
        assertThatThrownBy(() -> DigestAuth.authorization(c, "u", "p", "REGISTER", "sip:x", "cn", 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs a qop");
    }

    @Test
    void cnoncesAreSixteenHexCharactersAndVary() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            String cnonce = DigestAuth.newCnonce();
            assertThat(cnonce).matches("[0-9a-f]{16}");
            seen.add(cnonce);
        }
        assertThat(seen).hasSizeGreaterThan(95);
    }

    @Test
    void theRecordCopiesItsQopList() {
        List<String> qop = new ArrayList<>(List.of("auth"));
        Challenge c = new Challenge("Digest", "r", "n", null, null, qop, false);
        qop.add("auth-int");
        assertThat(c.qop()).containsExactly("auth");
        assertThat(c.algorithm()).isEqualTo("MD5");
    }
}
