package io.sipdrill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import io.sipdrill.SipDrill;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command-line contract: output where it belongs, exit 0 pass, 1 failed, 2 bad input. */
class CliTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream oldOut;
    private PrintStream oldErr;

    @BeforeEach
    void capture() {
        oldOut = System.out;
        oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(oldOut);
        System.setErr(oldErr);
    }

    private String out() { return out.toString(StandardCharsets.UTF_8); }

    private String err() { return err.toString(StandardCharsets.UTF_8); }

    @Test
    void demoPassesEveryBundledScenarioAndWritesAReport(@TempDir Path dir) throws Exception {
        int code = Main.execute("demo", "--report", dir.toString(), "--junit", dir.resolve("demo.xml").toString(),
                "--set", "sipdrill.run.default-within=5s");
        assertThat(code).as(out() + err()).isEqualTo(ExitCode.PASS);
        assertThat(out()).contains("PASS  refer/blind-transfer", "PASS  refer/transfer-refused")
                .containsPattern("\\d+ scenarios: \\d+ passed, 0 failed");
        assertThat(out()).doesNotContain("FAIL");
        String junit = Files.readString(dir.resolve("junit.xml"));
        assertThat(junit).contains("<testcase classname=\"sipdrill.refer.blind-transfer\"", "failures=\"0\"");
        assertThat(Files.readString(dir.resolve("demo.xml"))).contains("testsuite name=\"sipdrill-demo\"");
        assertThat(Files.readString(dir.resolve("traces/refer_blind-transfer.txt")))
                .contains("REFER sip:", "Event: refer", "SIP/2.0 202 Accepted");
    }

    @Test
    void aFailingRunExitsOneAndWritesTheFailureIntoJUnitXml(@TempDir Path dir) throws Exception {
        // Nothing listens on port 9: the OPTIONS gets no answer within the 1 s limit set here.
        Path junit = dir.resolve("results.xml");
        int code = Main.execute("run", "basic/options", "--target", "sip:bob@127.0.0.1:9", "--junit", junit.toString(),
                "--set", "sipdrill.run.default-within=1s");
        assertThat(code).isEqualTo(ExitCode.FAILED);
        assertThat(out()).contains("FAIL  basic/options", "expected: 200 to OPTIONS within 1 s", "got:      nothing");
        assertThat(Files.readString(junit)).contains("failures=\"1\"", "<failure message=\"expect 200 to OPTIONS: expected 200 to OPTIONS within 1 s, got nothing\"");
    }

    @Test
    void validateAcceptsBundledScenariosAndRejectsABrokenFileWithItsLine() {
        assertThat(Main.execute("validate", "refer/blind-transfer", "refer/no-subscription")).isEqualTo(ExitCode.PASS);
        assertThat(out()).contains("ok    scenarios/refer/blind-transfer.conf (bundled)");
        assertThat(Main.execute("validate", "src/test/resources/bad-scenarios/unknown-key.conf")).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(err()).contains("src/test/resources/bad-scenarios/unknown-key.conf:6: unknown key \"withn\"");
    }

    @Test
    void badUsageIsOneLineOnStderrAndExitTwo() {
        assertThat(Main.execute("run", "refer/blind-transfer", "--var", "no-such-var=1")).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(err()).contains("no scenario given has a variable no-such-var");
        assertThat(Main.execute("run", "basic/call", "--target", "http://example.org/")).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(err()).contains("--target http://example.org/: only sip: URIs can be called");
        assertThat(Main.execute("run", "basic/call", "--set", "sipdrill.sip.transprt=tcp")).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(err()).contains("unknown setting sipdrill.sip.transprt");
        assertThat(Main.execute("serve", "--role", "pbx")).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(err()).contains("unknown role \"pbx\"; built-in roles: answer, b2bua, redirect, registrar, spam-callee, transferee");
        assertThat(Main.execute("serve", "--role", "redirect", "--set", "sipdrill.roles.redirect.status=404")).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(err()).contains("sipdrill.roles.redirect.status must be 301, 302, 305 or 380, not 404");
        assertThat(Main.execute("serve", "--role", "redirect", "--bind", "127.0.0.1:0",
                "--set", "sipdrill.roles.redirect.contacts=[\"<sip:@@>;;q=\"]")).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(err()).contains("sipdrill.roles.redirect: Contact <sip:@@>;;q=: it does not parse as a Contact");
        assertThat(Main.execute("frobnicate")).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(err()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void aBadVariableValueIsBadInput() {
        int code = Main.execute("run", "refer/blind-transfer", "--target", "sip:bob@127.0.0.1:9",
                "--var", "answer-within=soon");
        assertThat(code).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(err()).contains("\"soon\" is not a duration");
    }

    @Test
    void keysInitWritesATestPkiAndNeverOverwritesUnlessForced(@TempDir Path dir) throws Exception {
        assertThat(Main.execute("keys", "init", dir.toString())).isEqualTo(ExitCode.PASS);
        for (String f : io.sipdrill.stir.TestPki.FILES) assertThat(dir.resolve(f)).isNotEmptyFile();
        assertThat(out()).contains("sipdrill.stir.sign.private-key", "sipdrill.stir.verify.trust-anchors");
        String before = Files.readString(dir.resolve("sp-key.pem"));
        assertThat(Main.execute("keys", "init", dir.toString())).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(err()).contains("exists; keys init does not overwrite keys unless given --force");
        assertThat(Files.readString(dir.resolve("sp-key.pem"))).isEqualTo(before);
        assertThat(Main.execute("keys", "init", "--force", dir.toString())).isEqualTo(ExitCode.PASS);
        assertThat(Files.readString(dir.resolve("sp-key.pem"))).isNotEqualTo(before);
        var sp = io.sipdrill.stir.Pem.certificates(dir.resolve("sp-cert.pem")).get(0);
        assertThat(sp.getNonCriticalExtensionOIDs()).contains("1.3.6.1.5.5.7.1.26");
        sp.verify(io.sipdrill.stir.Pem.certificates(dir.resolve("ca-cert.pem")).get(0).getPublicKey());
    }

    @Test
    void explainPrintsOneCodeOrTwoSideBySideInTheChosenLanguage() {
        assertThat(Main.execute("explain", "607")).isEqualTo(ExitCode.PASS);
        assertThat(out()).startsWith("607 Unwanted\n").contains("6xx Global Failure", "attestation (A)", "RFC 8197");
        out.reset();
        assertThat(Main.execute("explain", "202", "607")).isEqualTo(ExitCode.PASS);
        assertThat(out()).contains("202 Accepted", "607 Unwanted", "Key differences", "When to expect or use which");
        out.reset();
        assertThat(Main.execute("explain", "607", "--lang", "zh")).isEqualTo(ExitCode.PASS);
        assertThat(out()).startsWith("607 Unwanted (").contains("RFC 8197").containsPattern("\\p{IsHan}{4,}");
        out.reset();
        assertThat(Main.execute("explain", "302", "--lang", "ar")).isEqualTo(ExitCode.PASS);
        assertThat(out()).startsWith("\u200F").containsPattern("\\p{IsArabic}{4,}");
    }

    @Test
    void unknownCodesAndLanguagesAreBadInput() {
        assertThat(Main.execute("explain", "999")).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(err()).contains("sipdrill: 999: unknown response code (SIP codes are 100-699)");
        assertThat(Main.execute("explain", "abc")).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(Main.execute("explain", "607", "--lang", "fr")).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(err()).contains("language must be one of en, ar, zh, not fr");
        assertThat(Main.execute("explain", "200", "202", "607")).isEqualTo(ExitCode.BAD_INPUT);
    }

    @Test
    void aFailedVerdictExplainsTheResponseCodeInTheChosenLanguage(@TempDir Path dir) throws Exception {
        SipDrill drill = new SipDrill(io.sipdrill.TestSettings.with());
        try (drill) {
            var answer = drill.startRole("answer", "127.0.0.1", 0, "udp");
            // user "decline" is answered 603: basic/call expected 200
            int code = Main.execute("run", "basic/call", "--target", "sip:decline@" + answer.address(),
                    "--junit", dir.resolve("en.xml").toString());
            assertThat(code).isEqualTo(ExitCode.FAILED);
            assertThat(out()).contains("got:      603 Decline to INVITE",
                    "code:     603 Decline (6xx Global Failure): ");
            assertThat(Files.readString(dir.resolve("en.xml"))).contains("code:     603 Decline (6xx Global Failure)");
            out.reset();
            assertThat(Main.execute("run", "basic/call", "--target", "sip:decline@" + answer.address(), "--lang", "zh"))
                    .isEqualTo(ExitCode.FAILED);
            String zh = io.sipdrill.catalogue.Catalogue.of("zh").label("verdict-code");
            assertThat(out()).contains(zh + ":").contains("603 Decline (").containsPattern("\\p{IsHan}{4,}");
        }
    }

    @Test
    void helpGoesToStdoutAndVersionPrints() {
        assertThat(Main.execute("--help")).isEqualTo(ExitCode.PASS);
        assertThat(out()).contains("demo", "run", "serve", "validate", "Exit codes: 0 pass, 1");
        assertThat(Main.execute("--version")).isEqualTo(ExitCode.PASS);
        assertThat(out()).contains("sipdrill ");
    }
}
