package io.gotomautic.bridge.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The shape GoTo accepts for an email address: something, one @, a domain with a dot, no spaces. */
public final class EmailAddress {

    private static final Pattern SHAPE = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
    /** An address inside other text (also URL-encoded, in a logged URL): stops at what delimits one in a sentence, JSON or a URL. */
    private static final Pattern IN_TEXT = Pattern.compile("([^@\\s\"'<>(),;:/\\[\\]{}=&?]+)(?:@|%40)([^@\\s\"'<>(),;:/\\[\\]{}=&?]+)");

    private EmailAddress() {
    }

    public static boolean valid(String text) {
        return text != null && SHAPE.matcher(text).matches();
    }

    /**
     * The text with every email address in it masked, {@code jane@example.com} → {@code j***@example.com}: for log
     * lines, which must not carry personal data, yet still tell an operator which domain a problem is about.
     */
    public static String masked(String text) {
        if (text == null || (text.indexOf('@') < 0 && !text.contains("%40"))) {
            return text;
        }
        Matcher m = IN_TEXT.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1).charAt(0) + "***@" + m.group(2)));
        }
        m.appendTail(out);
        return out.toString();
    }
}
