package io.sipdrill.catalogue;

import java.util.List;

/** Catalogue entries as text: one code, two codes field by field, or a short line for a verdict. */
public final class Explainer {
    private final Catalogue c;

    public Explainer(Catalogue catalogue) {
        this.c = catalogue;
    }

    public Catalogue catalogue() { return c; }

    /** Parses "607"; anything that is not a catalogued code is bad input with a clear message. */
    public Catalogue.Entry lookup(String text) {
        String t = text == null ? "" : text.trim();
        if (!t.matches("\\d{3}")) {
            throw new IllegalArgumentException("\"" + t + "\" is not a SIP response code: give three digits, e.g. 607");
        }
        int code = Integer.parseInt(t);
        return c.entry(code).orElseThrow(() -> new IllegalArgumentException(code + ": " + c.label("unknown")
                + (code < 100 || code > 699 ? " (SIP codes are 100-699)" : " (not in the IANA SIP response-code registry)")));
    }

    public String explain(Catalogue.Entry e) {
        StringBuilder b = new StringBuilder();
        b.append(title(e)).append('\n');
        field(b, c.label("class"), classText(e));
        field(b, c.label("meaning"), e.meaning());
        field(b, c.label("seen"), e.seen());
        field(b, c.label("fix"), e.fix());
        field(b, c.label("rfc"), e.rfc());
        return Bidi.forTerminal(b.toString(), c.rightToLeft());
    }

    /** Two codes field by field, then how they differ and when to expect or use which. */
    public String compare(Catalogue.Entry a, Catalogue.Entry b) {
        StringBuilder out = new StringBuilder();
        out.append(c.label("compare")).append(": ").append(title(a)).append("  |  ").append(title(b)).append("\n\n");
        both(out, c.label("class"), a, classText(a), b, classText(b));
        both(out, c.label("meaning"), a, a.meaning(), b, b.meaning());
        both(out, c.label("seen"), a, a.seen(), b, b.seen());
        both(out, c.label("fix"), a, a.fix(), b, b.fix());
        both(out, c.label("rfc"), a, a.rfc(), b, b.rfc());
        var pair = c.pair(a.code(), b.code());
        String classes = a.classDigit() == b.classDigit()
                ? c.label("same-class").replace("{class}", classText(a))
                : c.label("other-class").replace("{a}", Integer.toString(a.code())).replace("{b}", Integer.toString(b.code()))
                        .replace("{class-a}", classText(a)).replace("{class-b}", classText(b));
        out.append(c.label("differences")).append('\n');
        out.append("  ").append(classes).append('\n');
        pair.ifPresent(p -> out.append("  ").append(p.differences()).append('\n'));
        out.append('\n').append(c.label("which")).append('\n');
        if (pair.isPresent()) {
            out.append("  ").append(pair.get().which()).append('\n');
        } else {
            for (Catalogue.Entry e : List.of(a, b)) out.append("  ").append(e.code()).append(": ").append(e.seen()).append('\n');
        }
        return Bidi.forTerminal(out.toString(), c.rightToLeft());
    }

    /**
     * For a verdict: "607 Unwanted (6xx Global Failure): meaning What to do: fix" in this language,
     * as plain text (the verdict line it goes into is laid out for the terminal as a whole).
     */
    public String forVerdict(int code) {
        return c.entry(code).map(e -> title(e) + " (" + classText(e) + "): " + e.meaning() + " "
                + c.label("fix") + ": " + e.fix()).orElse(null);
    }

    private String title(Catalogue.Entry e) {
        return e.code() + " " + e.reason() + (e.name().equals(e.reason()) ? "" : " (" + e.name() + ")");
    }

    private String classText(Catalogue.Entry e) {
        return e.classDigit() + "xx " + c.className(e.classDigit());
    }

    private static void field(StringBuilder b, String label, String text) {
        b.append("  ").append(label).append(": ").append(text).append('\n');
    }

    private static void both(StringBuilder b, String label, Catalogue.Entry a, String ta, Catalogue.Entry e, String tb) {
        b.append(label).append('\n');
        b.append("  ").append(a.code()).append(": ").append(ta).append('\n');
        b.append("  ").append(e.code()).append(": ").append(tb).append('\n');
    }
}
