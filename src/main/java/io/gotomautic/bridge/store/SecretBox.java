package io.gotomautic.bridge.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Secrets at rest (GoTo refresh tokens): sealed with AES-256-GCM under a key derived from {@code bridge.secret-key}
 * when it is set ({@code gcm:} + base64 of a random 12-byte IV and the ciphertext with its tag), else kept as
 * {@code plain:} + the secret. A sealed value opens only with the key it was sealed with.
 */
public final class SecretBox {

    private static final String SEALED = "gcm:";
    private static final String PLAIN = "plain:";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    /** The box of bridge.secret-key (none when it is empty). */
    public static SecretBox of(io.gotomautic.bridge.config.Settings settings) {
        return new SecretBox(settings.optional("bridge.secret-key").orElse(null));
    }

    /** @param secretKey bridge.secret-key, or null/blank for none */
    public SecretBox(String secretKey) {
        this.key = secretKey == null || secretKey.isBlank() ? null : new SecretKeySpec(sha256(secretKey), "AES");
    }

    public String seal(String secret) {
        if (key == null) {
            return PLAIN + secret;
        }
        try {
            byte[] iv = new byte[12];
            RANDOM.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
            byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
            return SEALED + Base64.getEncoder().encodeToString(ByteBuffer.allocate(iv.length + sealed.length).put(iv).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot seal a secret: " + e.getMessage(), e);
        }
    }

    /** @throws IllegalStateException naming bridge.secret-key when the value cannot be opened with this key */
    public String open(String stored) {
        if (stored.startsWith(PLAIN)) {
            return stored.substring(PLAIN.length());
        }
        if (!stored.startsWith(SEALED)) {
            throw new IllegalStateException("a stored secret is neither sealed nor plain");
        }
        if (key == null) {
            throw new IllegalStateException("a stored GoTo token is encrypted, but bridge.secret-key is empty: set the key it"
                    + " was stored with");
        }
        try {
            byte[] all = Base64.getDecoder().decode(stored.substring(SEALED.length()));
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, all, 0, 12));
            return new String(cipher.doFinal(all, 12, all.length - 12), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("a stored GoTo token does not open with bridge.secret-key: set the key it was"
                    + " stored with, or connect the account again", e);
        }
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
