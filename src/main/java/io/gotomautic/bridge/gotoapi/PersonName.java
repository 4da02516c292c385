package io.gotomautic.bridge.gotoapi;

/**
 * First and last name as the products send them: GoToTraining in two fields (givenName/surname), GoToMeeting
 * and GoToAssist as one full name that Mautic still wants as first name and last name.
 */
record PersonName(String first, String last) {

    /** The first word is the first name, the rest the last name; none when GoTo sent no name. */
    static PersonName split(String full) {
        if (full == null || full.isBlank()) {
            return new PersonName(null, null);
        }
        String[] parts = full.trim().split("\\s+", 2);
        return new PersonName(parts[0], parts.length > 1 ? parts[1] : null);
    }
}
