package io.gotomautic.bridge.config;

import java.util.regex.Pattern;

/** The shape GoTo accepts for an email address: something, one @, a domain with a dot, no spaces. */
public final class EmailAddress {

    private static final Pattern SHAPE = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");

    private EmailAddress() {
    }

    public static boolean valid(String text) {
        return text != null && SHAPE.matcher(text).matches();
    }
}
