package io.gotomautic.bridge.sandbox;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import io.gotomautic.bridge.config.EmailAddress;
import io.gotomautic.bridge.sandbox.GoToState.Registration;
import io.gotomautic.bridge.sandbox.GoToWebinars.NewRegistrant;
import io.gotomautic.bridge.sandbox.GoToWebinars.Webinar;

/**
 * The page a person registers for a webinar on, as on GoTo's own registration page, so that a registration the
 * bridge did not make (and hears of by webhook or polling) can be made by hand: {@code GET /sim/register/{webinarKey}}
 * shows a form, {@code POST /sim/register/{webinarKey}} with {@code firstName}, {@code lastName} and {@code email}
 * registers and shows a confirmation. No sign-in: the webinar key is enough, as on GoTo's public page, and finds the
 * webinar in whichever organizer's world it is.
 */
final class GoToRegistrationPage {

    static final String PATH = "/sim/register/";

    private final Supplier<List<GoToAccount>> organizers;

    GoToRegistrationPage(Supplier<List<GoToAccount>> organizers) {
        this.organizers = organizers;
    }

    void routes(SimServer server) {
        server.route("GET", PATH + "{webinarKey}", this::showForm)
                .route("POST", PATH + "{webinarKey}", this::register);
    }

    private SimResponse showForm(SimRequest req) {
        return webinar(req).map(found -> page(200, found.webinar(), form(found.webinar(), "")))
                .orElseGet(GoToRegistrationPage::notFound);
    }

    private SimResponse register(SimRequest req) {
        Optional<Found> found = webinar(req);
        if (found.isEmpty()) {
            return notFound();
        }
        Webinar w = found.get().webinar();
        Map<String, String> fields = req.form();
        String firstName = fields.getOrDefault("firstName", "").trim();
        String lastName = fields.getOrDefault("lastName", "").trim();
        String email = fields.getOrDefault("email", "").trim();
        if (firstName.isEmpty() || lastName.isEmpty() || !EmailAddress.valid(email)) {
            return page(400, w, form(w, "<p id=\"error\">First name, last name and a valid email address, please.</p>"));
        }
        GoToState world = found.get().world();
        Registration<GoToWebinars.Registrant> r = world.webinars().register(w.key(),
                NewRegistrant.of(firstName, lastName, email, world.now()));
        if (!r.created()) {
            return page(409, w, "<p id=\"error\">This email address is already registered for this webinar.</p>");
        }
        return page(200, w, "<p id=\"confirmation\">You are registered, " + SimResponse.escapeHtml(firstName)
                + ". Join with <a id=\"join\" href=\"" + SimResponse.escapeHtml(r.registrant().joinUrl()) + "\">your link</a>.</p>");
    }

    private record Found(GoToState world, Webinar webinar) {
    }

    private Optional<Found> webinar(SimRequest req) {
        long key;
        try {
            key = Long.parseLong(req.param("webinarKey"));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        for (GoToAccount organizer : organizers.get()) {
            Optional<Webinar> w = organizer.state().webinars().webinar(key).filter(x -> !x.cancelled());
            if (w.isPresent()) {
                return Optional.of(new Found(organizer.state(), w.get()));
            }
        }
        return Optional.empty();
    }

    private static String form(Webinar w, String error) {
        return error + "<form method=\"post\" action=\"" + PATH + w.key() + "\">"
                + "<label>First name <input name=\"firstName\" id=\"firstName\" required></label>"
                + "<label>Last name <input name=\"lastName\" id=\"lastName\" required></label>"
                + "<label>Email <input name=\"email\" id=\"email\" type=\"email\" required></label>"
                + "<button id=\"register\">Register</button></form>";
    }

    private static SimResponse page(int status, Webinar w, String content) {
        return SimResponse.html(status, "<!doctype html><html><head><title>Register: "
                + SimResponse.escapeHtml(w.subject()) + "</title></head><body><h1>" + SimResponse.escapeHtml(w.subject())
                + "</h1><p>Starts " + GoToWire.time(w.start()) + "</p>" + content + "</body></html>");
    }

    private static SimResponse notFound() {
        return SimResponse.html(404, "<!doctype html><title>GoTo Webinar</title><h1>Webinar not found</h1>");
    }
}
