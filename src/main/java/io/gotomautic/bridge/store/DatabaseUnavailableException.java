package io.gotomautic.bridge.store;

/** The database cannot be reached or migrated; the message says which one and why, in one line. */
public class DatabaseUnavailableException extends RuntimeException {

    public DatabaseUnavailableException(String database, String reason, Throwable cause) {
        super("database " + database + " is not usable: " + reason, cause);
    }
}
