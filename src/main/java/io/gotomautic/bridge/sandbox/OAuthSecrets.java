package io.gotomautic.bridge.sandbox;

import java.security.SecureRandom;
import java.util.Base64;

/** Unguessable OAuth secrets — codes, refresh, access and personal tokens — unlike the world's seeded tokens. */
final class OAuthSecrets {

    private static final SecureRandom RANDOM = new SecureRandom();

    private OAuthSecrets() {
    }

    static String newSecret() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
