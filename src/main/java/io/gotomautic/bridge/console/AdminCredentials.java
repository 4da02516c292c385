package io.gotomautic.bridge.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

import io.gotomautic.bridge.config.Settings;

/**
 * bridge.admin.username / bridge.admin.password, which the console and Jolokia both ask for: one check of an HTTP
 * basic {@code Authorization} header, in constant time.
 */
public final class AdminCredentials {

    /** what a 401 asks for */
    public static final String CHALLENGE = "Basic realm=\"goto-mautic-bridge admin\", charset=\"UTF-8\"";

    private final byte[] username;
    private final byte[] password;

    public AdminCredentials(String username, String password) {
        this.username = username.getBytes(StandardCharsets.UTF_8);
        this.password = password.getBytes(StandardCharsets.UTF_8);
    }

    public static AdminCredentials of(Settings settings) {
        return new AdminCredentials(settings.get("bridge.admin.username"), settings.get("bridge.admin.password"));
    }

    /** Both set: without them what they guard stays closed. */
    public boolean set() {
        return username.length > 0 && password.length > 0;
    }

    public boolean accept(String authorization) {
        if (!set() || authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        try {
            String pair = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = pair.indexOf(':');
            // both compared, whatever the first gives: the time taken tells nothing
            return colon > 0 & MessageDigest.isEqual(pair.substring(0, Math.max(colon, 0)).getBytes(StandardCharsets.UTF_8), username)
                    & MessageDigest.isEqual(pair.substring(colon + 1).getBytes(StandardCharsets.UTF_8), password);
        } catch (IllegalArgumentException e) {
            // not base64: as wrong as a wrong password
            return false;
        }
    }

    /** The user name, which keys what the console derives per operator (its CSRF token). */
    byte[] username() {
        return username.clone();
    }
}
