package io.sipdrill.catalogue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class CatalogueTest {
    /** The IANA SIP response-code registry, as the catalogue must cover it. */
    static final List<Integer> REGISTRY = List.of(100, 180, 181, 182, 183, 199, 200, 202, 204, 300, 301, 302, 305, 380,
            400, 401, 402, 403, 404, 405, 406, 407, 408, 410, 412, 413, 414, 415, 416, 417, 420, 421, 422, 423, 424, 425,
            428, 429, 430, 433, 436, 437, 438, 439, 440, 469, 470, 480, 481, 482, 483, 484, 485, 486, 487, 488, 489, 491,
            493, 494, 500, 501, 502, 503, 504, 505, 513, 555, 580, 600, 603, 604, 606, 607, 608);
    private static final Pattern LATIN_LETTERS = Pattern.compile("[A-Za-z]{4,}");

    @ParameterizedTest
    @ValueSource(strings = {"en", "ar", "zh"})
    void everyRegisteredCodeHasEveryFieldInEveryLanguage(String lang) {
        Catalogue c = Catalogue.of(lang);
        assertThat(c.entries().keySet()).containsExactlyInAnyOrderElementsOf(REGISTRY);
        Catalogue en = Catalogue.of("en");
        for (Catalogue.Entry e : c.entries().values()) {
            for (String field : List.of(e.reason(), e.name(), e.meaning(), e.seen(), e.fix(), e.rfc())) {
                assertThat(field).as(lang + " " + e.code()).isNotBlank();
            }
            assertThat(e.reason()).as("the reason phrase is the one on the wire").isEqualTo(en.entry(e.code()).orElseThrow().reason());
            assertThat(e.rfc()).as(lang + " " + e.code()).containsPattern("RFC \\d{4}");
            if (!lang.equals("en")) {
                // a translation, not an English fallback: its texts are not the English ones
                assertThat(e.meaning()).as(lang + " " + e.code()).isNotEqualTo(en.entry(e.code()).orElseThrow().meaning());
                assertThat(LATIN_LETTERS.matcher(e.meaning().replaceAll("(RFC|SIP|SDP|URI|REFER|NOTIFY|INVITE|"
                        + "[A-Z][A-Za-z-]+:|[A-Za-z]+-[A-Za-z-]+|[A-Z]{2,}[a-z]*)", "")).results().count())
                        .as(lang + " " + e.code() + " meaning is mostly " + lang).isLessThan(6);
            }
        }
        assertThat(c.labels().keySet()).containsExactlyInAnyOrderElementsOf(en.labels().keySet());
        assertThat(c.pairs().keySet()).containsExactlyInAnyOrderElementsOf(en.pairs().keySet());
        for (int d = 1; d <= 6; d++) assertThat(c.className(d)).isNotBlank();
        assertThat(c.rightToLeft()).isEqualTo(lang.equals("ar"));
    }

    @Test
    void theComparisonsUsersAskForAreCurated() {
        Catalogue en = Catalogue.of("en");
        for (int[] p : new int[][] {{302, 607}, {202, 607}, {200, 202}, {607, 608}}) {
            assertThat(en.pair(p[0], p[1])).as(p[0] + " vs " + p[1]).isPresent();
            assertThat(en.pair(p[1], p[0])).isPresent();
        }
    }

    @Test
    void explainAndCompareInEnglish() {
        Explainer en = new Explainer(Catalogue.of("en"));
        String one = en.explain(en.lookup("607"));
        assertThat(one).startsWith("607 Unwanted\n").contains("6xx Global Failure", "RFC 8197");
        assertThat(one.toLowerCase(Locale.ROOT)).contains("attestation");
        String two = en.compare(en.lookup("302"), en.lookup("607"));
        assertThat(two).contains("302 Moved Temporarily", "607 Unwanted", "3xx Redirection", "6xx Global Failure",
                en.catalogue().label("differences"), en.catalogue().label("which"));
        assertThat(two).contains(en.catalogue().pair(302, 607).orElseThrow().differences());
        // an uncurated pair still says how the classes differ and when each is seen
        String generic = en.compare(en.lookup("183"), en.lookup("503"));
        assertThat(generic).contains("183 is 1xx Provisional; 503 is 5xx Server Failure.");
    }

    @Test
    void unknownOrMalformedCodesAreClearErrors() {
        Explainer en = new Explainer(Catalogue.of("en"));
        assertThatThrownBy(() -> en.lookup("999")).hasMessageContaining("999").hasMessageContaining("100-699");
        assertThatThrownBy(() -> en.lookup("499")).hasMessageContaining("not in the IANA SIP response-code registry");
        assertThatThrownBy(() -> en.lookup("6o7")).hasMessageContaining("not a SIP response code");
        assertThatThrownBy(() -> Catalogue.of("fr")).hasMessageContaining("en, ar, zh");
    }

    @Test
    void arabicReadsRightToLeftWithLatinRunsIsolated() {
        Explainer ar = new Explainer(Catalogue.of("ar"));
        String text = ar.explain(ar.lookup("607"));
        for (String line : text.split("\n")) {
            assertThat(line.charAt(0)).as("each line starts with a right-to-left mark").isEqualTo('\u200F');
            assertThat(new java.text.Bidi(line, java.text.Bidi.DIRECTION_DEFAULT_LEFT_TO_RIGHT).baseIsLeftToRight())
                    .as(line).isFalse();
        }
        assertThat(text).contains("\u2066607 Unwanted\u2069");
        assertThat(text).contains("\u2066RFC 8197");
    }

    @Test
    void latinRunsAreIsolatedWithoutSwallowingTheArabicTextsBrackets() {
        String ar = Bidi.forTerminal("مكالمة مزعجة (spam) و(A) في RFC 3261 (section 21) ثم 607 Unwanted.", true);
        assertThat(ar).startsWith("\u200F");
        assertThat(ar).contains("(\u2066spam\u2069)", "(\u2066A\u2069)", "\u2066RFC 3261 (section 21)\u2069",
                "\u2066607 Unwanted\u2069.");
        assertThat(Bidi.forTerminal("607 Unwanted (spam)", false)).isEqualTo("607 Unwanted (spam)");
    }

    @Test
    void theLanguageIsChosenByFlagThenSettingThenLocale() {
        assertThat(Catalogue.choose("zh", "ar", Locale.ENGLISH)).isEqualTo("zh");
        assertThat(Catalogue.choose(null, "ar", Locale.ENGLISH)).isEqualTo("ar");
        assertThat(Catalogue.choose(null, "", Locale.SIMPLIFIED_CHINESE)).isEqualTo("zh");
        assertThat(Catalogue.choose(null, "", Locale.FRENCH)).isEqualTo("en");
    }
}
