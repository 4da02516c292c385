package io.gotomautic.bridge.config;

/** A configuration value that cannot be used; the message names the key and what is wrong, in one line. */
public class SettingsException extends RuntimeException {

    private final String key;

    public SettingsException(String key, String problem) {
        super(key + ": " + problem);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
