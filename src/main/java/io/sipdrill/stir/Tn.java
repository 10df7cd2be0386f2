package io.sipdrill.stir;

/**
 * Telephone numbers as PASSporTs compare them (RFC 8224 section 8.3): visual separators and a
 * leading + removed, only digits left. Not a number: null.
 */
public final class Tn {
    private Tn() { }

    public static String canonical(String text) {
        if (text == null) return null;
        String t = text.trim();
        int semicolon = t.indexOf(';'); // tel: parameters, user=phone etc.
        if (semicolon >= 0) t = t.substring(0, semicolon);
        StringBuilder digits = new StringBuilder();
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (Character.isDigit(c)) {
                digits.append(c);
            } else if (c == '+' && i == 0 || c == '-' || c == '.' || c == '(' || c == ')' || c == ' ') {
                continue;
            } else {
                return null;
            }
        }
        return digits.length() == 0 ? null : digits.toString();
    }
}
