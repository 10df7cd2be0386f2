package io.sipdrill.catalogue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The response-code catalogue of one language (catalogue/LANG.conf, reviewed as text): for each
 * code its class, reason phrase, name, meaning, when it is seen, what to do, and its RFC; labels
 * for output; and curated notes for the comparisons people ask for most.
 */
public final class Catalogue {
    public static final List<String> LANGUAGES = List.of("en", "ar", "zh");
    private static final Map<String, Catalogue> LOADED = new ConcurrentHashMap<>();

    /** One response code. */
    public record Entry(int code, String reason, String name, String meaning, String seen, String fix, String rfc) {
        public int classDigit() { return code / 100; }
    }

    public record Pair(String differences, String which) { }

    private final String lang;
    private final boolean rtl;
    private final Map<String, String> labels;
    private final Map<Integer, String[]> classes;
    private final Map<Integer, Entry> codes;
    private final Map<String, Pair> pairs;

    private Catalogue(String lang, Config c) {
        this.lang = lang;
        this.rtl = c.getString("direction").equals("rtl");
        Map<String, String> l = new TreeMap<>();
        c.getConfig("labels").entrySet().forEach(e -> l.put(e.getKey(), String.valueOf(e.getValue().unwrapped())));
        this.labels = Map.copyOf(l);
        Map<Integer, String[]> k = new TreeMap<>();
        for (int d = 1; d <= 6; d++) {
            Config cl = c.getConfig("classes.\"" + d + "\"");
            k.put(d, new String[] {cl.getString("name"), cl.getString("summary")});
        }
        this.classes = Map.copyOf(k);
        Map<Integer, Entry> e = new TreeMap<>();
        Config codesConfig = c.getConfig("codes");
        for (String key : codesConfig.root().keySet()) {
            Config x = codesConfig.getConfig("\"" + key + "\"");
            int code = Integer.parseInt(key);
            e.put(code, new Entry(code, x.getString("reason"), x.getString("name"), x.getString("meaning"),
                    x.getString("seen"), x.getString("fix"), x.getString("rfc")));
        }
        this.codes = java.util.Collections.unmodifiableMap(e);
        Map<String, Pair> p = new TreeMap<>();
        Config pairsConfig = c.getConfig("pairs");
        for (String key : pairsConfig.root().keySet()) {
            Config x = pairsConfig.getConfig("\"" + key + "\"");
            p.put(key, new Pair(x.getString("differences"), x.getString("which")));
        }
        this.pairs = Map.copyOf(p);
    }

    /** Loaded once per language. */
    public static Catalogue of(String lang) {
        if (!LANGUAGES.contains(lang)) {
            throw new IllegalArgumentException("language must be one of " + String.join(", ", LANGUAGES) + ", not " + lang);
        }
        return LOADED.computeIfAbsent(lang, l -> new Catalogue(l, ConfigFactory.parseResources("catalogue/" + l + ".conf",
                ConfigParseOptions.defaults().setAllowMissing(false)).resolve()));
    }

    /** The language to use: the one asked for, else the configured one, else the system's, else English. */
    public static String choose(String asked, String configured, Locale system) {
        if (asked != null && !asked.isBlank()) return Catalogue.of(asked.trim()).lang;
        if (configured != null && !configured.isBlank()) return Catalogue.of(configured.trim()).lang;
        String sys = system.getLanguage();
        return LANGUAGES.contains(sys) ? sys : "en";
    }

    public String lang() { return lang; }

    public boolean rightToLeft() { return rtl; }

    public Optional<Entry> entry(int code) { return Optional.ofNullable(codes.get(code)); }

    public Map<Integer, Entry> entries() { return codes; }

    public String label(String key) { return labels.getOrDefault(key, key); }

    public Map<String, String> labels() { return labels; }

    public String className(int digit) { return classes.get(digit)[0]; }

    public String classSummary(int digit) { return classes.get(digit)[1]; }

    public Optional<Pair> pair(int a, int b) {
        return Optional.ofNullable(pairs.get(Math.min(a, b) + " " + Math.max(a, b)));
    }

    public Map<String, Pair> pairs() { return pairs; }
}
