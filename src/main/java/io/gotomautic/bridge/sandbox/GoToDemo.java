package io.gotomautic.bridge.sandbox;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.gotomautic.bridge.sandbox.GoToAssistSessions.Status;
import io.gotomautic.bridge.sandbox.GoToState.RegistrantStatus;
import io.gotomautic.bridge.sandbox.GoToState.Session;
import io.gotomautic.bridge.sandbox.GoToState.TimeRange;
import io.gotomautic.bridge.sandbox.GoToWebinars.NewRegistrant;
import io.gotomautic.bridge.sandbox.GoToWebinars.Question;
import io.gotomautic.bridge.sandbox.GoToWebinars.Registrant;
import io.gotomautic.bridge.sandbox.GoToWebinars.Response;
import io.gotomautic.bridge.sandbox.GoToWebinars.Webinar;

/**
 * A believable GoTo account for the sandbox and for sync tests, relative to "now": past and upcoming webinars
 * (one recurring, one with a required question, one cancelled), attendance with no-shows, trainings with a
 * report, meetings and support sessions. People have non-ASCII names and mixed-case emails, and one person
 * registered for two webinars with differently cased emails. The same on every run but for the dates.
 */
public final class GoToDemo {

    /** The person who registered twice, once per spelling of the email. */
    public static final String TWICE_REGISTERED_EMAIL = "Zoe.Angstrom@Example.COM";
    /** The organizer {@link #addSecondOrganizer} adds; her webinars' titles begin "Grace's". */
    public static final String SECOND_ORGANIZER_EMAIL = "grace@example.com";

    private record Person(String firstName, String lastName, String email) {
    }

    private static final List<Person> PEOPLE = List.of(
            new Person("Zoë", "Ångström", TWICE_REGISTERED_EMAIL),
            new Person("Łukasz", "Żółć", "lukasz.zolc@example.pl"),
            new Person("太郎", "山田", "Taro.Yamada@example.jp"),
            new Person("José", "Núñez", "jose.nunez@example.es"),
            new Person("Søren", "Kierkegaard", "SOREN.K@example.dk"),
            new Person("Émilie", "Dubois", "emilie.dubois@example.fr"),
            new Person("Jürgen", "Müller", "juergen.mueller@Example.de"),
            new Person("Siobhán", "O'Connor", "siobhan.oconnor@example.ie"),
            new Person("Ana-María", "García López", "anamaria.garcia@example.mx"),
            new Person("Văn An", "Nguyễn", "an.nguyen@example.vn"),
            new Person("Олег", "Петров", "Oleg.Petrov@example.ru"),
            new Person("Fatma", "Yılmaz", "fatma.yilmaz@example.com.tr"),
            new Person("Αλέξανδρος", "Παπαδόπουλος", "alex.papadopoulos@example.gr"),
            new Person("Priya", "Sharma", "Priya.Sharma@example.in"),
            new Person("静", "陈", "chen.jing@example.cn"),
            new Person("Ngozi", "Okonjo", "ngozi.okonjo@example.ng"),
            new Person("Björn", "Svensson", "bjorn.svensson@example.se"),
            new Person("Chloé", "Martin", "Chloe.Martin@example.fr"),
            new Person("Håkon", "Wium Lie", "hakon@example.no"),
            new Person("Grace", "Hopper", "grace.hopper@example.com"),
            new Person("Alan", "Turing", "Alan.Turing@example.co.uk"),
            new Person("Katherine", "Johnson", "katherine.johnson@example.com"),
            new Person("Margaret", "Hamilton", "MHamilton@example.com"),
            new Person("Tim", "Berners-Lee", "timbl@example.org"),
            new Person("Hedy", "Lamarr", "hedy.lamarr@example.at"),
            new Person("Dorothy", "Vaughan", "dorothy.vaughan@example.com"),
            new Person("Radia", "Perlman", "radia.perlman@example.com"),
            new Person("Barbara", "Liskov", "Barbara.Liskov@example.edu"),
            new Person("Edsger", "Dijkstra", "e.w.dijkstra@example.nl"),
            new Person("Frances", "Allen", "fran.allen@example.com"),
            new Person("Mary", "Jackson", "mary.jackson@example.com"),
            new Person("Amélie", "Poulain", "amelie.poulain@example.fr"),
            new Person("Kwame", "Mensah", "kwame.mensah@example.gh"),
            new Person("Isabela", "Conceição", "isabela.conceicao@example.br"));

    private final GoToState state;
    private final Random random = new Random(4_242L);
    private final Instant now;

    private GoToDemo(GoToState state) {
        this.state = state;
        this.now = state.now().truncatedTo(ChronoUnit.HOURS);
    }

    public static void seed(GoToSimulator sim) {
        GoToDemo demo = new GoToDemo(sim.state());
        demo.webinars();
        demo.trainings();
        demo.meetings();
        demo.assistSessions();
    }

    /**
     * Adds a second organizer with a small world of her own — two upcoming webinars with registrants — whose titles
     * tell them apart from the first organizer's at a glance.
     */
    public static GoToAccount addSecondOrganizer(GoToSimulator sim) {
        GoToAccount grace = sim.addOrganizer(SECOND_ORGANIZER_EMAIL, "Grace", "Hopper");
        new GoToDemo(grace.state()).secondOrganizersWebinars();
        return grace;
    }

    private void secondOrganizersWebinars() {
        GoToWebinars webinars = state.webinars();
        register(webinars.add(GoToWebinars.webinar("Grace's debugging clinic").timeZone("America/New_York")
                .times(hour(4, 15))), others(null, 6));
        register(webinars.add(GoToWebinars.webinar("Grace's compilers for marketers").timeZone("America/New_York")
                .times(hour(9, 17))), others(null, 8));
    }

    private void webinars() {
        GoToWebinars webinars = state.webinars();
        Person zoe = PEOPLE.get(0);

        Webinar series = webinars.add(GoToWebinars.webinar("Mautic onboarding series")
                .description("Three weekly sessions: setup, segments, campaigns").timeZone("Europe/Berlin")
                .times(hour(-14, 16), hour(-7, 16), hour(7, 16)).recurrence(GoToWebinars.SERIES));
        List<Registrant> seriesPeople = register(series, others(zoe, 17));
        seriesPeople.add(register(series, zoe, series.start().minus(Duration.ofDays(3))));
        for (TimeRange past : series.times().subList(0, 2)) {
            attend(webinars.addSession(series.key(), past), seriesPeople);
        }

        Webinar roadmap = webinars.add(GoToWebinars.webinar("Product roadmap 2026").timeZone("America/New_York")
                .times(hour(-10, 17)));
        attend(webinars.addSession(roadmap.key(), roadmap.times().get(0)), register(roadmap, others(zoe, 15)));

        Webinar gdpr = webinars.add(GoToWebinars.webinar("Ask the experts: GDPR and consent").timeZone("Europe/Warsaw")
                .times(hour(5, 10))
                .question("Which company do you work for?", true)
                .question("How did you hear about us?", false, "Newsletter", "LinkedIn", "A colleague", "Other"));
        Question company = gdpr.questions().get(0);
        Question channel = gdpr.questions().get(1);
        List<Person> gdprPeople = others(zoe, 7);
        gdprPeople.add(new Person(zoe.firstName(), zoe.lastName(), zoe.email().toLowerCase()));
        for (Person p : gdprPeople) {
            List<Response> answers = List.of(new Response(company.questionKey(), p.lastName() + " GmbH"),
                    new Response(channel.questionKey(), channel.answers().get(random.nextInt(4)).answer()));
            webinars.register(gdpr.key(), new NewRegistrant(p.firstName(), p.lastName(), p.email(), registeredBefore(gdpr),
                    Map.of("organization", p.lastName() + " GmbH", "country", "Germany"), answers));
        }

        Webinar stories = webinars.add(GoToWebinars.webinar("Customer success stories").timeZone("Asia/Tokyo")
                .times(hour(21, 8)).manualApproval());
        List<Registrant> storyPeople = register(stories, others(null, 25));
        for (int i = 0; i < storyPeople.size(); i++) {
            if (i % 3 != 0) {
                webinars.setStatus(storyPeople.get(i).key(), i == 4 ? RegistrantStatus.DENIED : RegistrantStatus.APPROVED);
            }
        }

        Webinar review = webinars.add(GoToWebinars.webinar("Quarterly business review").timeZone("UTC").times(hour(3, 14)));
        webinars.cancelRegistrant(register(review, others(null, 6)).get(2).key());

        Webinar cancelled = webinars.add(GoToWebinars.webinar("Spring campaign kickoff (cancelled)").times(hour(12, 15)));
        register(cancelled, others(null, 5));
        webinars.cancel(cancelled.key());
    }

    private void trainings() {
        GoToTrainings trainings = state.trainings();
        GoToTrainings.Training admin = trainings.add("Mautic administration training",
                "Two mornings on users, roles, plugins and cron jobs", "Europe/Berlin", hours(-20, 9, 3), hours(-19, 9, 3));
        List<GoToTrainings.Registrant> adminPeople = new ArrayList<>();
        for (Person p : others(null, 9)) {
            adminPeople.add(trainings.register(admin.key(), p.firstName(), p.lastName(), p.email(),
                    admin.times().get(0).start().minus(Duration.ofDays(1 + random.nextInt(10)))).registrant());
        }
        for (TimeRange time : admin.times()) {
            Session s = trainings.addSession(admin.key(), time);
            // The last registrant never shows up, so each report ends with a no-show.
            adminPeople.subList(0, adminPeople.size() - 1).stream().filter(r -> random.nextInt(4) != 0)
                    .forEach(r -> trainings.recordAttendance(s.key(), r.key(), segments(time)));
        }

        GoToTrainings.Training workshop = trainings.add("Advanced segmentation workshop",
                "Dynamic segments, filters and scoring", "Europe/London", hours(10, 13, 2));
        for (Person p : others(null, 6)) {
            trainings.register(workshop.key(), p.firstName(), p.lastName(), p.email(), now.minus(Duration.ofHours(1 + random.nextInt(200))));
        }
    }

    private void meetings() {
        GoToMeetings meetings = state.meetings();
        String[] subjects = {"Partner sync", "Onboarding call with ACME", "Weekly marketing stand-up"};
        int[] daysAgo = {6, 3, 1};
        int[] attendees = {4, 2, 6};
        for (int i = 0; i < subjects.length; i++) {
            TimeRange time = hours(-daysAgo[i], 11, 1);
            GoToMeetings.Meeting m = meetings.add(subjects[i], time);
            for (Person p : others(null, attendees[i])) {
                meetings.addAttendee(m.meetingId(), p.firstName() + " " + p.lastName(), p.email(), segments(time)[0]);
            }
            if (i == 1) {
                meetings.record(m.meetingId());
            }
        }
        meetings.add("Campaign review", hours(2, 15, 1));
    }

    private void assistSessions() {
        GoToAssistSessions assist = state.assistSessions();
        supported(assist, PEOPLE.get(0), Duration.ofDays(4), 25, Status.COMPLETE, "Fixed the form embed on the landing page");
        supported(assist, PEOPLE.get(1), Duration.ofDays(2), 3, Status.ABANDONED, null);
        supported(assist, PEOPLE.get(2), Duration.ofHours(20), 48, Status.COMPLETE, "Walked through the SMTP settings");
    }

    private void supported(GoToAssistSessions assist, Person p, Duration ago, int minutes, Status status, String notes) {
        assist.addPast(p.firstName() + " " + p.lastName(), p.email(),
                TimeRange.of(now.minus(ago), Duration.ofMinutes(minutes)), status, notes);
    }

    /** {@code count} people picked at random, never {@code except}. */
    private List<Person> others(Person except, int count) {
        List<Person> pool = new ArrayList<>(PEOPLE);
        pool.remove(except);
        Collections.shuffle(pool, random);
        return new ArrayList<>(pool.subList(0, count));
    }

    private List<Registrant> register(Webinar w, List<Person> people) {
        List<Registrant> out = new ArrayList<>();
        people.forEach(p -> out.add(register(w, p, registeredBefore(w))));
        return out;
    }

    private Registrant register(Webinar w, Person p, Instant at) {
        return state.webinars().register(w.key(), NewRegistrant.of(p.firstName(), p.lastName(), p.email(), at)).registrant();
    }

    /** Some people join every session, some drop in and out, about a third never come. */
    private void attend(Session session, List<Registrant> registrants) {
        for (Registrant r : registrants) {
            if (random.nextInt(3) != 0) {
                state.webinars().recordAttendance(session.key(), r.key(), segments(session.time()));
            }
        }
    }

    /** One or two join/leave segments inside a session. */
    private TimeRange[] segments(TimeRange session) {
        Instant join = session.start().plus(Duration.ofSeconds(random.nextInt(600)));
        Instant leave = session.end().minus(Duration.ofSeconds(random.nextInt(900)));
        if (random.nextInt(5) != 0) {
            return new TimeRange[] {new TimeRange(join, leave)};
        }
        Instant drop = join.plus(Duration.between(join, leave).dividedBy(2));
        return new TimeRange[] {new TimeRange(join, drop), new TimeRange(drop.plus(Duration.ofMinutes(4)), leave)};
    }

    private Instant registeredBefore(Webinar w) {
        Instant latest = w.start().isBefore(now) ? w.start() : now;
        return latest.minus(Duration.ofMinutes(30 + random.nextInt(14 * 24 * 60)));
    }

    /** A one-hour slot {@code days} from today at {@code hourOfDay} UTC. */
    private TimeRange hour(int days, int hourOfDay) {
        return hours(days, hourOfDay, 1);
    }

    private TimeRange hours(int days, int hourOfDay, int length) {
        Instant start = now.truncatedTo(ChronoUnit.DAYS).plus(Duration.ofDays(days)).plus(Duration.ofHours(hourOfDay));
        return TimeRange.of(start, Duration.ofHours(length));
    }
}
