package io.gotomautic.bridge.sync;

/**
 * Where a person stands in an event, as pushed to Mautic. The names are the segment suffixes and the
 * values of the {@code registration.state} column.
 */
public enum RegistrationState {
    REGISTERED("registered"), ATTENDED("attended"), NO_SHOW("no-show"), CANCELLED("cancelled");

    private final String label;

    RegistrationState(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static RegistrationState of(String label) {
        for (RegistrationState s : values()) {
            if (s.label.equals(label)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown registration state " + label);
    }
}
