package io.sipdrill.scenario;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads a scenario (a .conf path, or a bundled name such as refer/blind-transfer) and validates all
 * of it before anything is sent: every error names the file, the line and what to write instead.
 */
public final class ScenarioLoader {
    /** Variables every run provides. */
    public static final Set<String> BUILT_INS = Set.of("local", "local-ip", "local-port", "transport", "sdp",
            "call-id", "last-cseq", "redirect-path", "redirect-count", "redirect-first", "answered-by", "redirect-error", "registered-expires", "registered-contact",
            "username", "password", "realm");
    /** Digest credentials: any scenario answers a 401/407 with them when --var gives them. */
    public static final Set<String> CREDENTIALS = Set.of("username", "password", "realm");
    /** Further variables `demo` provides: the address (host:port) of each role it started. */
    public static final Set<String> DEMO_BUILT_INS = Set.of("peer-address", "answer-address", "transferee-address",
            "redirect-address", "spam-callee-address", "b2bua-address");

    private static final Set<String> TOP = Set.of("name", "asserts", "source", "peer", "vars", "demo", "answer",
            "steps", "defs");
    private static final Set<String> SEND = Set.of("send", "to", "from", "headers", "body", "content-type", "capture",
            "follow-redirects", "sign");
    private static final Set<String> CHECK = Set.of("check", "equals", "matches", "meaning", "fix");
    private static final Set<String> EXPECT = Set.of("expect", "of", "when", "headers", "absent", "sipfrag", "body",
            "within", "optional", "repeat", "respond", "capture", "meaning", "fix");
    private static final Set<String> EXPECT_NONE = Set.of("expect-none", "of", "during", "meaning", "fix");
    private static final Set<String> PAUSE = Set.of("pause");
    private static final Set<String> REGISTER = Set.of("register", "aor", "contact", "expires", "within");
    private static final Set<String> CONDITIONS = Set.of("headers", "absent", "sipfrag", "body");
    private static final Pattern METHOD = Pattern.compile("[A-Z]+");
    private static final Pattern CAPTURE = Pattern.compile("header:[A-Za-z0-9-]+|status|reason|sipfrag|body|cseq|call-id");

    private final Set<String> roles;

    /** @param roles the built-in role names a scenario may name as its `peer` */
    public ScenarioLoader(Set<String> roles) {
        this.roles = roles;
    }

    /** A path to a .conf file, or the name of a bundled scenario. */
    public Scenario load(String nameOrPath) {
        File file = new File(nameOrPath);
        if (file.isFile()) return parse(file.getPath(), nameFromPath(file.getPath()), () ->
                ConfigFactory.parseFile(file, options(file.getPath())));
        String name = nameOrPath.endsWith(".conf") ? nameOrPath.substring(0, nameOrPath.length() - 5) : nameOrPath;
        String resource = "scenarios/" + name + ".conf";
        if (ScenarioLoader.class.getClassLoader().getResource(resource) == null) {
            throw new ScenarioException(nameOrPath, 0, "no such scenario file or bundled scenario",
                    "give a .conf path or one of: " + String.join(", ", BundledScenarios.names()));
        }
        return parse(resource + " (bundled)", name, () -> ConfigFactory.parseResources(resource, options(resource)));
    }

    private static ConfigParseOptions options(String description) {
        return ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setAllowMissing(false)
                .setOriginDescription(description);
    }

    private static String nameFromPath(String path) {
        String p = path.replace('\\', '/');
        int at = p.lastIndexOf("scenarios/");
        String n = at >= 0 ? p.substring(at + "scenarios/".length()) : new File(p).getName();
        return n.endsWith(".conf") ? n.substring(0, n.length() - 5) : n;
    }

    private Scenario parse(String file, String defaultName, java.util.function.Supplier<Config> reader) {
        Config config;
        try {
            config = reader.get().resolve();
        } catch (ConfigException.UnresolvedSubstitution e) {
            throw new ScenarioException(file, line(e), "unresolved HOCON substitution (" + e.getMessage() + ")",
                    "scenario variables are written {{name}} inside quotes, e.g. to = \"{{target}}\"");
        } catch (ConfigException e) {
            throw new ScenarioException(file, line(e), "not valid HOCON: " + stripOrigin(e.getMessage()),
                    "check quotes and braces; a value with a comma, such as \"4xx,5xx\", needs quotes");
        }
        return new Reader(file, config).scenario(defaultName);
    }

    private static int line(ConfigException e) {
        return e.origin() == null ? 0 : Math.max(0, e.origin().lineNumber());
    }

    private static String stripOrigin(String message) {
        int colon = message.indexOf(": ");
        return colon > 0 && message.substring(0, colon).matches(".*:\\d+") ? message.substring(colon + 2) : message;
    }

    /** Walks one parsed file; holds the declared variables while steps are read in order. */
    private final class Reader {
        private final String file;
        private final Config config;
        private final Set<String> declared = new LinkedHashSet<>(BUILT_INS);

        Reader(String file, Config config) {
            this.file = file;
            this.config = config;
        }

        Scenario scenario(String defaultName) {
            ConfigObject root = config.root();
            checkKeys(root, TOP, "a scenario");
            String name = optionalString(root, "name", defaultName);
            String asserts = requiredString(root, "asserts", "asserts = \"what behaviour this scenario checks\"");
            String source = requiredString(root, "source", "source = \"RFC 3515 section 2.4.4\"");
            String peer = requiredString(root, "peer", "peer = transferee (the built-in role demo plays it against)");
            if (!roles.contains(peer)) {
                throw error(root.get("peer"), "unknown peer role \"" + peer + "\"", "use one of: " + String.join(", ", new java.util.TreeSet<>(roles)));
            }
            Map<String, String> vars = stringMap(root, "vars");
            declared.addAll(vars.keySet());
            for (var v : vars.entrySet()) checkRefs(((ConfigObject) root.get("vars")).get(v.getKey()), v.getValue(), declared);
            Map<String, String> demoVars = Map.of();
            if (root.containsKey("demo")) {
                ConfigObject demo = object(root, "demo");
                checkKeys(demo, Set.of("vars"), "the demo block");
                demoVars = stringMap(demo, "vars");
                Set<String> demoScope = new LinkedHashSet<>(declared);
                demoScope.addAll(DEMO_BUILT_INS);
                for (var v : demoVars.entrySet()) {
                    ConfigValue at = ((ConfigObject) demo.get("vars")).get(v.getKey());
                    if (!vars.containsKey(v.getKey())) {
                        throw error(at, "demo sets variable " + v.getKey() + ", which the scenario does not declare",
                                "declare it with a default under vars { " + v.getKey() + " = ... }");
                    }
                    checkRefs(at, v.getValue(), demoScope);
                }
            }
            Map<String, Integer> answers = new LinkedHashMap<>();
            if (root.containsKey("answer")) {
                ConfigObject answer = object(root, "answer");
                for (var e : answer.entrySet()) {
                    if (!METHOD.matcher(e.getKey()).matches()) {
                        throw error(e.getValue(), "answer keys are request methods, not " + e.getKey(), "e.g. answer { NOTIFY = 200 }");
                    }
                    answers.put(e.getKey(), status(e.getValue(), "answer." + e.getKey()));
                }
            }
            if (!root.containsKey("steps") || root.get("steps").valueType() != ConfigValueType.LIST) {
                throw error(root, "a scenario needs a list of steps", "steps = [ { send = INVITE, to = \"{{target}}\" }, ... ]");
            }
            ConfigList list = (ConfigList) root.get("steps");
            if (list.isEmpty()) throw error(list, "steps is empty", "add at least one step");
            List<Step> steps = new ArrayList<>();
            for (ConfigValue v : list) steps.add(step(v));
            return new Scenario(name, file, asserts, source, peer, vars, demoVars, Map.copyOf(answers), List.copyOf(steps));
        }

        private Step step(ConfigValue value) {
            if (value.valueType() != ConfigValueType.OBJECT) {
                throw error(value, "a step must be an object", "{ send = INVITE, to = \"{{target}}\" }");
            }
            ConfigObject s = (ConfigObject) value;
            int line = value.origin().lineNumber();
            String where = originFile(value) + ":" + line;
            if (s.containsKey("send")) return send(s, where, line);
            if (s.containsKey("expect")) return expect(s, where, line);
            if (s.containsKey("expect-none")) return expectNone(s, where, line);
            if (s.containsKey("check")) return check(s, where, line);
            if (s.containsKey("register")) {
                checkKeys(s, REGISTER, "a register step");
                if (!s.containsKey("aor")) throw error(value, "a register step needs the address of record to register",
                        "add aor = \"sip:alice@example.com\"");
                for (String k : List.of("register", "aor", "contact", "expires")) {
                    if (s.containsKey(k)) checkRefs(s.get(k), string(s.get(k)), declared);
                }
                String within = optionalString(s, "within", null);
                if (within != null) checkDuration(s.get("within"), within);
                return new Step.Register(where, line, string(s.get("register")), string(s.get("aor")),
                        optionalString(s, "contact", null), optionalString(s, "expires", "3600"), within);
            }
            if (s.containsKey("pause")) {
                checkKeys(s, PAUSE, "a pause step");
                String d = string(s.get("pause"));
                checkDuration(s.get("pause"), d);
                return new Step.Pause(where, line, d);
            }
            throw error(value, "a step must say what it does",
                    "start it with send = METHOD, expect = METHOD or STATUS, expect-none = ..., check = ..., register = URI, or pause = 1s");
        }

        private Step.Send send(ConfigObject s, String where, int line) {
            checkKeys(s, SEND, "a send step");
            String method = string(s.get("send"));
            if (!METHOD.matcher(method).matches()) {
                throw error(s.get("send"), "send takes a request method, not \"" + method + "\"", "e.g. send = REFER");
            }
            String to = optionalString(s, "to", null);
            String from = optionalString(s, "from", null);
            String body = optionalString(s, "body", null);
            String type = optionalString(s, "content-type", null);
            for (String k : List.of("to", "from", "body", "content-type")) {
                if (s.containsKey(k)) checkRefs(s.get(k), string(s.get(k)), declared);
            }
            List<Map.Entry<String, String>> headers = new ArrayList<>();
            if (s.containsKey("headers")) {
                for (var h : object(s, "headers").entrySet()) {
                    List<ConfigValue> values = h.getValue().valueType() == ConfigValueType.LIST
                            ? new ArrayList<>((ConfigList) h.getValue()) : List.of(h.getValue());
                    for (ConfigValue v : values) {
                        String text = string(v);
                        checkRefs(v, text, declared);
                        headers.add(Map.entry(h.getKey(), text));
                    }
                }
            }
            Map<String, String> capture = captures(s, Set.of("cseq", "call-id"));
            boolean follow = bool(s, "follow-redirects");
            if (follow && !method.equals("INVITE")) {
                throw error(s.get("follow-redirects"), "follow-redirects applies to INVITE only", "remove it from this " + method);
            }
            if (follow && to == null) {
                throw error(s.get("follow-redirects"), "follow-redirects needs a new call", "add to = \"{{target}}\"");
            }
            String sign = optionalString(s, "sign", null);
            if (sign != null) {
                if (!method.equals("INVITE") || to == null) {
                    throw error(s.get("sign"), "sign applies to an INVITE that starts a call", "remove it, or add to = ...");
                }
                checkRefs(s.get("sign"), sign, declared);
                if (Template.references(sign).isEmpty() && !List.of("A", "B", "C", "none").contains(sign)) {
                    throw error(s.get("sign"), "sign takes an attestation level, not \"" + sign + "\"",
                            "write sign = A, B, C, or none for an unsigned call");
                }
            }
            return new Step.Send(where, line, method, to, from, List.copyOf(headers), type, body, capture, follow, sign);
        }

        private Step.Expect expect(ConfigObject s, String where, int line) {
            checkKeys(s, EXPECT, "an expect step");
            ConfigValue what = s.get("expect");
            String text = string(what);
            String method = null;
            StatusPattern status = null;
            String of = optionalString(s, "of", null);
            if (StatusPattern.looksLike(text)) {
                status = StatusPattern.parse(text);
                if (of == null) {
                    throw error(what, "a response step must say which request it answers",
                            "add of = INVITE (or REFER, BYE, ...)");
                }
            } else if (METHOD.matcher(text).matches()) {
                method = text;
                if (of != null) {
                    throw error(what, "expect = " + text + " with of = " + of + ": \"" + text + "\" is not a status pattern",
                            "a response step takes a code or class: expect = 200, expect = 2xx or expect = \"4xx,5xx,6xx\"");
                }
            } else {
                throw error(what, "expect takes a request method or a status pattern, not \"" + text + "\"",
                        "e.g. expect = NOTIFY, expect = 200, expect = 2xx or expect = \"4xx,5xx,6xx\"");
            }
            Step.Conditions when = s.containsKey("when") ? conditions(object(s, "when"), true) : Step.Conditions.NONE;
            Step.Conditions check = conditions(s, false);
            String within = optionalString(s, "within", null);
            if (within != null) checkDuration(s.get("within"), within);
            boolean optional = bool(s, "optional");
            boolean repeat = bool(s, "repeat");
            if (repeat && !optional) {
                throw error(s.get("repeat"), "repeat needs optional = true",
                        "a repeated step matches any number of messages, none included: add optional = true");
            }
            if (optional && when.isEmpty() && method != null) {
                throw error(s, "an optional step needs a when block that tells its messages apart",
                        "e.g. when { sipfrag = 1xx } for progress NOTIFYs");
            }
            Integer respond = null;
            if (s.containsKey("respond")) {
                if (method == null) throw error(s.get("respond"), "only a request can be responded to", "remove respond");
                respond = status(s.get("respond"), "respond");
            }
            Step.Explanation meaning = explanation(s, "meaning");
            Step.Explanation fix = explanation(s, "fix");
            Map<String, String> capture = captures(s, null);
            return new Step.Expect(where, line, method, status, of, when, check, within, optional, repeat, respond, capture,
                    meaning, fix);
        }

        private Step.Check check(ConfigObject s, String where, int line) {
            checkKeys(s, CHECK, "a check step");
            String value = string(s.get("check"));
            checkRefs(s.get("check"), value, declared);
            String equals = optionalString(s, "equals", null);
            String matches = optionalString(s, "matches", null);
            if ((equals == null) == (matches == null)) {
                throw error(s, "a check step compares with exactly one of equals or matches",
                        "e.g. { check = \"{{redirect-count}}\", equals = \"1\" }");
            }
            String other = equals != null ? equals : matches;
            checkRefs(s.get(equals != null ? "equals" : "matches"), other, declared);
            if (matches != null && Template.references(matches).isEmpty()) checkRegex(s.get("matches"), matches);
            return new Step.Check(where, line, value, equals, matches, optionalString(s, "meaning", null),
                    optionalString(s, "fix", null));
        }

        private Step.ExpectNone expectNone(ConfigObject s, String where, int line) {
            checkKeys(s, EXPECT_NONE, "an expect-none step");
            String text = string(s.get("expect-none"));
            String of = optionalString(s, "of", null);
            String method = null;
            StatusPattern status = null;
            if (StatusPattern.looksLike(text)) {
                status = StatusPattern.parse(text);
                if (of == null) throw error(s.get("expect-none"), "say which request's responses", "add of = REFER");
            } else if (METHOD.matcher(text).matches()) {
                method = text;
            } else {
                throw error(s.get("expect-none"), "expect-none takes a method or a status pattern", "e.g. expect-none = NOTIFY");
            }
            String during = optionalString(s, "during", null);
            if (during == null) throw error(s, "an expect-none step needs a time window", "add during = 2s");
            checkDuration(s.get("during"), during);
            return new Step.ExpectNone(where, line, method, status, of, during, optionalString(s, "meaning", null),
                    optionalString(s, "fix", null));
        }

        private Step.Explanation explanation(ConfigObject s, String key) {
            if (!s.containsKey(key)) return Step.Explanation.NONE;
            ConfigValue v = s.get(key);
            if (v.valueType() != ConfigValueType.OBJECT) return new Step.Explanation(Map.of("default", string(v)));
            Map<String, String> byKind = new LinkedHashMap<>();
            for (var e : ((ConfigObject) v).entrySet()) {
                if (!Step.Explanation.KINDS.contains(e.getKey())) {
                    throw error(e.getValue(), "unknown failure kind \"" + e.getKey() + "\" in " + key,
                            "use " + String.join(", ", Step.Explanation.KINDS));
                }
                byKind.put(e.getKey(), string(e.getValue()));
            }
            return new Step.Explanation(Map.copyOf(byKind));
        }

        private Step.Conditions conditions(ConfigObject s, boolean onlyConditions) {
            if (onlyConditions) checkKeys(s, CONDITIONS, "a when block");
            Map<String, String> headers = new LinkedHashMap<>();
            if (s.containsKey("headers")) {
                for (var h : object(s, "headers").entrySet()) {
                    String regex = string(h.getValue());
                    checkRefs(h.getValue(), regex, declared);
                    if (Template.references(regex).isEmpty()) checkRegex(h.getValue(), regex);
                    headers.put(h.getKey(), regex);
                }
            }
            List<String> absent = new ArrayList<>();
            if (s.containsKey("absent")) {
                ConfigValue v = s.get("absent");
                if (v.valueType() != ConfigValueType.LIST) throw error(v, "absent is a list of header names", "absent = [Refer-Sub]");
                for (ConfigValue name : (ConfigList) v) absent.add(string(name));
            }
            StatusPattern sipfrag = null;
            if (s.containsKey("sipfrag")) {
                String p = string(s.get("sipfrag"));
                if (!StatusPattern.looksLike(p)) {
                    throw error(s.get("sipfrag"), "sipfrag takes a status pattern, not \"" + p + "\"", "e.g. sipfrag = 2xx");
                }
                sipfrag = StatusPattern.parse(p);
            }
            String body = optionalString(s, "body", null);
            if (body != null) checkRegex(s.get("body"), body);
            return new Step.Conditions(Map.copyOf(headers), List.copyOf(absent), sipfrag, body);
        }

        private Map<String, String> captures(ConfigObject s, Set<String> onlyThese) {
            if (!s.containsKey("capture")) return Map.of();
            Map<String, String> capture = new LinkedHashMap<>();
            for (var c : object(s, "capture").entrySet()) {
                String from = string(c.getValue());
                boolean ok = onlyThese == null ? CAPTURE.matcher(from).matches() : onlyThese.contains(from);
                if (!ok) {
                    throw error(c.getValue(), "cannot capture \"" + from + "\"", onlyThese == null
                            ? "capture one of header:NAME, status, reason, sipfrag, body, cseq, call-id"
                            : "a send step captures one of " + String.join(", ", onlyThese));
                }
                capture.put(c.getKey(), from);
                declared.add(c.getKey());
            }
            return Map.copyOf(capture);
        }

        private void checkRefs(ConfigValue at, String text, Set<String> scope) {
            for (String ref : Template.references(text)) {
                if (!scope.contains(ref)) {
                    throw error(at, "unknown variable {{" + ref + "}}",
                            "declare it under vars { " + ref + " = \"...\" } or capture it in an earlier step");
                }
            }
        }

        private void checkRegex(ConfigValue at, String regex) {
            try {
                Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                throw error(at, "not a valid regular expression: " + e.getDescription(), "escape special characters with \\\\");
            }
        }

        private void checkDuration(ConfigValue at, String text) {
            if (!Template.references(text).isEmpty()) {
                checkRefs(at, text, declared);
                return;
            }
            try {
                Durations.parse(text);
            } catch (IllegalArgumentException e) {
                throw error(at, "not a duration: \"" + text + "\"", "write it as 500ms, 2s or 1m");
            }
        }

        private void checkKeys(ConfigObject o, Set<String> allowed, String what) {
            for (String key : o.keySet()) {
                if (!allowed.contains(key)) {
                    String near = nearest(key, allowed);
                    throw error(o.get(key), "unknown key \"" + key + "\" in " + what,
                            near != null ? "did you mean " + near + "?" : "allowed: " + String.join(", ", allowed));
                }
            }
        }

        private Map<String, String> stringMap(ConfigObject o, String key) {
            if (!o.containsKey(key)) return Map.of();
            Map<String, String> out = new LinkedHashMap<>();
            for (var e : object(o, key).entrySet()) out.put(e.getKey(), string(e.getValue()));
            return java.util.Collections.unmodifiableMap(out);
        }

        private ConfigObject object(ConfigObject o, String key) {
            ConfigValue v = o.get(key);
            if (v.valueType() != ConfigValueType.OBJECT) {
                throw error(v, key + " must be an object", key + " { ... }");
            }
            return (ConfigObject) v;
        }

        private String requiredString(ConfigObject o, String key, String example) {
            if (!o.containsKey(key)) throw error(o, "missing " + key, "add " + example);
            return string(o.get(key));
        }

        private String optionalString(ConfigObject o, String key, String fallback) {
            return o.containsKey(key) ? string(o.get(key)) : fallback;
        }

        private boolean bool(ConfigObject o, String key) {
            if (!o.containsKey(key)) return false;
            ConfigValue v = o.get(key);
            if (v.valueType() != ConfigValueType.BOOLEAN) throw error(v, key + " is true or false", key + " = true");
            return (Boolean) v.unwrapped();
        }

        private int status(ConfigValue v, String what) {
            String t = string(v);
            if (!t.matches("[1-6]\\d\\d")) throw error(v, what + " must be a status code 100-699, not " + t, "e.g. 200");
            return Integer.parseInt(t);
        }

        private String string(ConfigValue v) {
            if (v.valueType() == ConfigValueType.OBJECT || v.valueType() == ConfigValueType.LIST
                    || v.valueType() == ConfigValueType.NULL) {
                throw error(v, "expected a single value here, found " + v.valueType().name().toLowerCase(), "write a string");
            }
            return String.valueOf(v.unwrapped());
        }

        private ScenarioException error(ConfigValue at, String problem, String fix) {
            int line = at == null || at.origin() == null ? 0 : Math.max(0, at.origin().lineNumber());
            String where = at == null || at.origin() == null || at.origin().filename() == null
                    && at.origin().resource() == null ? file : originFile(at);
            return new ScenarioException(where, line, problem, fix);
        }

        /** The file a value was written in: the scenario itself, or a fragment it includes. */
        private String originFile(ConfigValue at) {
            String d = at.origin().filename() != null ? at.origin().filename() : at.origin().resource();
            if (d == null || file.startsWith(d)) return file.replace(" (bundled)", "");
            return d;
        }
    }

    static String nearest(String key, Set<String> allowed) {
        String best = null;
        int bestDistance = 3;
        for (String candidate : allowed) {
            int d = distance(key, candidate);
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return best;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
