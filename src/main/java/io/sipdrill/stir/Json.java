package io.sipdrill.stir;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON a PASSporT needs: written deterministically (object keys sorted, no white space, as
 * RFC 8225 section 9 requires for signing) and read leniently enough for tokens from any signer.
 */
final class Json {
    private Json() { }

    static String write(Object value) {
        StringBuilder b = new StringBuilder();
        write(value, b);
        return b.toString();
    }

    private static void write(Object v, StringBuilder b) {
        if (v instanceof Map<?, ?> map) {
            b.append('{');
            boolean first = true;
            for (var e : new TreeMap<>(map).entrySet()) {
                if (!first) b.append(',');
                first = false;
                string(String.valueOf(e.getKey()), b);
                b.append(':');
                write(e.getValue(), b);
            }
            b.append('}');
        } else if (v instanceof List<?> list) {
            b.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) b.append(',');
                write(list.get(i), b);
            }
            b.append(']');
        } else if (v instanceof String s) {
            string(s, b);
        } else if (v == null) {
            b.append("null");
        } else {
            b.append(v); // numbers and booleans
        }
    }

    private static void string(String s, StringBuilder b) {
        b.append('"');
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        b.append('"');
    }

    /** Parses a JSON text; throws IllegalArgumentException saying where it went wrong. */
    static Object parse(String text) {
        Reader r = new Reader(text);
        Object v = r.value();
        r.space();
        if (r.at < text.length()) throw r.error("unexpected text after the value");
        return v;
    }

    private static final class Reader {
        final String s;
        int at;

        Reader(String s) {
            this.s = s;
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException("bad JSON at character " + at + ": " + what);
        }

        void space() {
            while (at < s.length() && Character.isWhitespace(s.charAt(at))) at++;
        }

        Object value() {
            space();
            if (at >= s.length()) throw error("value expected");
            char c = s.charAt(at);
            if (c == '{') return object();
            if (c == '[') return array();
            if (c == '"') return string();
            if (s.startsWith("true", at)) { at += 4; return Boolean.TRUE; }
            if (s.startsWith("false", at)) { at += 5; return Boolean.FALSE; }
            if (s.startsWith("null", at)) { at += 4; return null; }
            return number();
        }

        Map<String, Object> object() {
            Map<String, Object> m = new LinkedHashMap<>();
            at++;
            space();
            if (at < s.length() && s.charAt(at) == '}') { at++; return m; }
            while (true) {
                space();
                if (at >= s.length() || s.charAt(at) != '"') throw error("member name expected");
                String key = string();
                space();
                if (at >= s.length() || s.charAt(at) != ':') throw error("':' expected");
                at++;
                if (m.put(key, value()) != null) throw error("member \"" + key + "\" appears twice");
                space();
                if (at < s.length() && s.charAt(at) == ',') { at++; continue; }
                if (at < s.length() && s.charAt(at) == '}') { at++; return m; }
                throw error("',' or '}' expected");
            }
        }

        List<Object> array() {
            List<Object> l = new ArrayList<>();
            at++;
            space();
            if (at < s.length() && s.charAt(at) == ']') { at++; return l; }
            while (true) {
                l.add(value());
                space();
                if (at < s.length() && s.charAt(at) == ',') { at++; continue; }
                if (at < s.length() && s.charAt(at) == ']') { at++; return l; }
                throw error("',' or ']' expected");
            }
        }

        String string() {
            StringBuilder b = new StringBuilder();
            at++;
            while (at < s.length()) {
                char c = s.charAt(at++);
                if (c == '"') return b.toString();
                if (c != '\\') { b.append(c); continue; }
                if (at >= s.length()) break;
                char e = s.charAt(at++);
                switch (e) {
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case 'r' -> b.append('\r');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'u' -> {
                        if (at + 4 > s.length()) throw error("bad \\u escape");
                        b.append((char) Integer.parseInt(s.substring(at, at + 4), 16));
                        at += 4;
                    }
                    default -> b.append(e);
                }
            }
            throw error("unterminated string");
        }

        Object number() {
            int start = at;
            while (at < s.length() && "+-0123456789.eE".indexOf(s.charAt(at)) >= 0) at++;
            String n = s.substring(start, at);
            if (n.isEmpty()) throw error("value expected");
            try {
                return n.contains(".") || n.contains("e") || n.contains("E") ? (Object) Double.parseDouble(n) : (Object) Long.parseLong(n);
            } catch (NumberFormatException e) {
                throw error("bad number " + n);
            }
        }
    }
}
