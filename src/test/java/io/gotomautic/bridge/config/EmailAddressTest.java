package io.gotomautic.bridge.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EmailAddressTest {

    @Test
    void everyAddressInALogLineIsMaskedAndTheRestKept() {
        assertThat(EmailAddress.masked("jane@example.com")).isEqualTo("j***@example.com");
        assertThat(EmailAddress.masked("webinar 42 for Jane.Doe+x@mail.example.org, and \"bob@b.io\" (form 3)"))
                .isEqualTo("webinar 42 for J***@mail.example.org, and \"b***@b.io\" (form 3)");
        assertThat(EmailAddress.masked("GET /api/contacts?where=email&value=sam%40example.com failed"))
                .isEqualTo("GET /api/contacts?where=email&value=s***@example.com failed");
        assertThat(EmailAddress.masked("no address here")).isEqualTo("no address here");
        assertThat(EmailAddress.masked(null)).isNull();
    }
}
