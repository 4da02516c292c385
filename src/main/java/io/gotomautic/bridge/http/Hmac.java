package io.gotomautic.bridge.http;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** The signatures of signed webhook deliveries (Mautic's, GoTo's): base64 of an HMAC, compared in constant time. */
public final class Hmac {

    private Hmac() {
    }

    /** @param algorithm a JCA MAC name, e.g. {@code HmacSHA256} */
    public static String base64(String algorithm, byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key, algorithm));
            return Base64.getEncoder().encodeToString(mac.doFinal(message));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalArgumentException(algorithm + " cannot sign: " + e.getMessage(), e);
        }
    }

    /** Whether the signature given is the expected one, in time that does not depend on where they differ. */
    public static boolean matches(String expected, String given) {
        return given != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                given.trim().getBytes(StandardCharsets.US_ASCII));
    }
}
