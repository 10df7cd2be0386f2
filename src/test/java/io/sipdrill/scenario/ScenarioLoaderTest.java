package io.sipdrill.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sipdrill.roles.Roles;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ScenarioLoaderTest {
    private final ScenarioLoader loader = new ScenarioLoader(Roles.NAMES);

    static List<String> bundled() {
        return BundledScenarios.names();
    }

    @ParameterizedTest
    @MethodSource("bundled")
    void everyBundledScenarioLoadsAndStatesWhatItAssertsAndWhy(String name) {
        Scenario s = loader.load(name);
        assertThat(s.asserts()).hasSizeGreaterThan(30);
        assertThat(s.source()).containsPattern("RFC \\d+");
        assertThat(Roles.NAMES).contains(s.peer());
        assertThat(s.vars()).containsKey("target");
        assertThat(s.demoVars()).containsKey("target");
        assertThat(s.steps()).isNotEmpty();
    }

    @org.junit.jupiter.api.Test
    void theRequiredScenariosAreBundled() {
        assertThat(bundled()).contains("refer/blind-transfer", "refer/no-subscription", "refer/transfer-refused",
                "refer/transfer-target-busy", "refer/second-refer", "basic/call", "redirect/follow-302",
                "redirect/multiple-contacts", "redirect/loop-detected", "redirect/expect-302");
        assertThat(bundled()).noneMatch(n -> n.contains("/_"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "unknown-key.conf        | 6 | unknown key \"withn\" in an expect step; did you mean within?",
        "unknown-variable.conf   | 6 | unknown variable {{targt}}",
        "bad-status.conf         | 6 | \"OK\" is not a status pattern; a response step takes a code or class",
        "missing-of.conf         | 6 | a response step must say which request it answers; add of = INVITE",
        "syntax.conf             | 6 | not valid HOCON",
        "unknown-peer.conf       | 3 | unknown peer role \"pbx\"; use one of: answer, b2bua, redirect, registrar, spam-callee, transferee",
        "bad-duration.conf       | 6 | not a duration: \"soon\"; write it as 500ms, 2s or 1m",
        "hocon-substitution.conf | 5 | variables are written {{name}} inside quotes",
        "no-asserts.conf         | 1 | missing asserts",
        "unquoted-list.conf      | 6 | sipfrag takes a status pattern, not \"busy\"",
    })
    void aMalformedScenarioNamesFileLineAndFix(String file, int line, String message) {
        String path = "src/test/resources/bad-scenarios/" + file;
        assertThatThrownBy(() -> loader.load(path))
                .isInstanceOf(ScenarioException.class)
                .hasMessageStartingWith(path + ":" + line + ": ")
                .hasMessageContaining(message);
    }

    @org.junit.jupiter.api.Test
    void anUnknownScenarioListsTheBundledOnes() {
        assertThatThrownBy(() -> loader.load("refer/blind-transfr"))
                .isInstanceOf(ScenarioException.class)
                .hasMessageContaining("no such scenario")
                .hasMessageContaining("refer/blind-transfer");
    }

    @org.junit.jupiter.api.Test
    void statusPatternsMatchCodesAndClasses() {
        StatusPattern p = StatusPattern.parse("4xx, 603");
        assertThat(p.matches(486)).isTrue();
        assertThat(p.matches(603)).isTrue();
        assertThat(p.matches(600)).isFalse();
        assertThat(p.matches(202)).isFalse();
        assertThat(StatusPattern.parse("2xx").matches(202)).isTrue();
    }
}
