package io.gotomautic.bridge;

import java.time.Clock;
import java.time.Duration;

import javax.sql.DataSource;

import io.gotomautic.bridge.config.FormRules;
import io.gotomautic.bridge.connect.ConnectPages;
import io.gotomautic.bridge.connect.GoToConnect;
import io.gotomautic.bridge.console.ConsolePages;
import io.gotomautic.bridge.config.Settings;
import io.gotomautic.bridge.gotoapi.GoToClient;
import io.gotomautic.bridge.gotoapi.GoToTokens;
import io.gotomautic.bridge.gotoapi.RateLimiter;
import io.gotomautic.bridge.gotoapi.AssistReader;
import io.gotomautic.bridge.gotoapi.MeetingReader;
import io.gotomautic.bridge.gotoapi.Operations;
import io.gotomautic.bridge.gotoapi.Registrar;
import io.gotomautic.bridge.gotoapi.SessionLinks;
import io.gotomautic.bridge.gotoapi.TokenEndpoint;
import io.gotomautic.bridge.gotoapi.TrainingReader;
import io.gotomautic.bridge.gotoapi.WebinarReader;
import io.gotomautic.bridge.http.HttpTransport;
import io.gotomautic.bridge.mautic.CampaignHookReceiver;
import io.gotomautic.bridge.mautic.ContactMapping;
import io.gotomautic.bridge.mautic.EventOptions;
import io.gotomautic.bridge.mautic.LinkEmails;
import io.gotomautic.bridge.mautic.MauticClient;
import io.gotomautic.bridge.mautic.MauticPush;
import io.gotomautic.bridge.mautic.Naming;
import io.gotomautic.bridge.mautic.Segments;
import io.gotomautic.bridge.mautic.WebhookReceiver;
import io.gotomautic.bridge.ops.Meters;
import io.gotomautic.bridge.store.Database;
import io.gotomautic.bridge.store.GoToAccounts;
import io.gotomautic.bridge.store.Outbox;
import io.gotomautic.bridge.store.PartStates;
import io.gotomautic.bridge.store.SecretBox;
import io.gotomautic.bridge.store.StoredSecrets;
import io.gotomautic.bridge.sync.EventFilter;
import io.gotomautic.bridge.sync.InboxWorker;
import io.gotomautic.bridge.sync.PullCycle;
import io.gotomautic.bridge.sync.Reconciler;
import org.apache.camel.CamelContext;

/**
 * The API clients and sync beans, built from the settings: for the routes of the service and for {@code sync}. The
 * readers turn the GoTo answers the pull routes fetch into events and snapshots.
 */
public record Beans(GoToClient goTo, PullCycle pullCycle, EventFilter eventFilter, WebinarReader webinarReader,
                    TrainingReader trainingReader, MeetingReader meetingReader, AssistReader assistReader, MauticClient mautic,
                    MauticPush mauticPush, Segments segments, LinkEmails linkEmails, EventOptions eventOptions, WebhookReceiver webhookReceiver,
                    CampaignHookReceiver campaignHookReceiver, InboxWorker inboxWorker, Operations gotoOperations, ConnectPages connectPages,
                    ConsolePages consolePages,
                    Meters meters) {

    /** @param clock what the pull takes as now: the system's, but for tests that move GoTo's clock */
    public static Beans create(Settings settings, Database database, CamelContext camel, Clock clock) {
        DataSource ds = database.dataSource();
        Duration timeout = settings.duration("bridge.http.timeout");
        Meters meters = new Meters();
        HttpTransport gotoHttp = new HttpTransport(camel, "goto", timeout, meters);
        PartStates parts = new PartStates(ds, !database.isReadOnly());
        TokenEndpoint tokenEndpoint = GoToConnect.tokenEndpoint(settings, gotoHttp);
        GoToAccounts accounts = GoToConnect.accounts(settings, ds);
        GoToConnect connect = GoToConnect.of(settings, ds, tokenEndpoint, gotoHttp, accounts);
        GoToTokens tokens = new GoToTokens(tokenEndpoint, ds, settings.get("goto.refresh-token"), accounts,
                "open " + connect.startUrl() + " or run `connect goto`", Clock.systemUTC());
        // one limiter per GoTo connection (OAuth client), shared through the database by every instance
        RateLimiter limiter = database.isReadOnly()
                ? RateLimiter.readOnly(ds, settings.get("goto.client-id"), settings.rateLimit(), settings.burstLimit())
                : new RateLimiter(ds, settings.get("goto.client-id"), settings.rateLimit(), settings.burstLimit());
        GoToClient goTo = new GoToClient(gotoHttp, tokens, limiter, parts, settings.get("goto.api-url"), 5);
        Reconciler reconciler = new Reconciler(ds, settings.duration("bridge.settle-after"),
                settings.duration("bridge.cancel-after"));
        EventFilter filter = new EventFilter(camel, settings, () -> goTo.organizer().key());
        // the registrant detail calls have a budget of their own, out of the connection's limit
        ContactMapping mapping = ContactMapping.of(settings, camel);
        RateLimiter enrich = !mapping.needsDetails() ? null : database.isReadOnly()
                ? RateLimiter.readOnly(ds, settings.get("goto.client-id") + "#enrich", settings.enrichBudget())
                : new RateLimiter(ds, settings.get("goto.client-id") + "#enrich", settings.enrichBudget());
        PullCycle pull = new PullCycle(reconciler, ds, () -> goTo.organizer().key(), settings.duration("bridge.window.past"),
                settings.duration("bridge.window.future"), clock, enrich, meters);

        MauticClient mautic = MauticClient.of(settings, new HttpTransport(camel, "mautic", timeout, meters));
        Naming naming = new Naming(camel, settings);
        Segments segments = new Segments(ds, naming);
        Outbox outbox = new Outbox(ds);
        MauticPush push = new MauticPush(outbox, ds, parts, settings.positive("bridge.push.batch"),
                settings.bool("bridge.timeline.utm"), settings.bool("bridge.timeline.notes"), naming, segments, mapping, meters);
        FormRules forms = FormRules.of(settings);
        Registrar registrar = new Registrar(goTo, filter, Clock.systemUTC());
        return new Beans(goTo, pull, filter, new WebinarReader(), new TrainingReader(reconciler::unsettled), new MeetingReader(),
                new AssistReader(), mautic, push, segments, new LinkEmails(outbox), new EventOptions(ds, parts),
                new WebhookReceiver(ds, settings.get("mautic.webhook-secret"), forms),
                new CampaignHookReceiver(ds, settings.get("bridge.inbound-token"), settings.duration("bridge.campaign.dedupe-window")),
                new InboxWorker(ds, registrar,
                        new SessionLinks(goTo, settings.optional("bridge.meeting.key"), Clock.systemUTC()), reconciler,
                        forms, settings.optional("bridge.organizer-email"),
                        () -> camel.isStopping() || camel.isStopped(), meters),
                new Operations(goTo, registrar, Clock.systemUTC(), settings.duration("bridge.window.past"),
                        settings.duration("bridge.window.future")), new ConnectPages(connect),
                new ConsolePages(ds, accounts, new StoredSecrets(ds, SecretBox.of(settings)),
                        forms, settings.get("bridge.admin.username"), settings.get("bridge.admin.password"), settings.get("goto.client-id"),
                        settings.rateLimit().calls(), settings.rateLimit().period().toSeconds()), meters);
    }
}
