package io.gotomautic.bridge;

import java.time.Clock;
import java.time.Duration;

import javax.sql.DataSource;

import io.gotomautic.bridge.config.FormRules;
import io.gotomautic.bridge.connect.ConnectPages;
import io.gotomautic.bridge.connect.GoToConnect;
import io.gotomautic.bridge.console.AdminCredentials;
import io.gotomautic.bridge.console.ConsolePages;
import io.gotomautic.bridge.config.Settings;
import io.gotomautic.bridge.config.RateLimit;
import io.gotomautic.bridge.gotoapi.GoToClient;
import io.gotomautic.bridge.gotoapi.GoToConnections;
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
import io.gotomautic.bridge.gotohooks.GoToWebhookReceiver;
import io.gotomautic.bridge.gotohooks.GoToWebhookSubscriptions;
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
import io.gotomautic.bridge.store.Inbox;
import io.gotomautic.bridge.store.Outbox;
import io.gotomautic.bridge.store.PartStates;
import io.gotomautic.bridge.store.SecretBox;
import io.gotomautic.bridge.store.StoredSecrets;
import io.gotomautic.bridge.sync.EventFilter;
import io.gotomautic.bridge.sync.InboxWorker;
import io.gotomautic.bridge.sync.PollCadence;
import io.gotomautic.bridge.sync.PullCycle;
import io.gotomautic.bridge.sync.Reconciler;
import org.apache.camel.CamelContext;

/**
 * The API clients and sync beans, built from the settings: for the routes of the service and for {@code sync}. The
 * readers turn the GoTo answers the pull routes fetch into events and snapshots.
 */
public record Beans(GoToConnections goTo, PullCycle pullCycle, EventFilter eventFilter, WebinarReader webinarReader,
                    TrainingReader trainingReader, MeetingReader meetingReader, AssistReader assistReader, MauticClient mautic,
                    MauticPush mauticPush, Segments segments, LinkEmails linkEmails, EventOptions eventOptions, WebhookReceiver webhookReceiver,
                    CampaignHookReceiver campaignHookReceiver, GoToWebhookReceiver gotoWebhookReceiver,
                    GoToWebhookSubscriptions gotoWebhookSubscriptions, InboxWorker inboxWorker,
                    Operations gotoOperations, ConnectPages connectPages,
                    ConsolePages consolePages, ContactMapping contactMapping,
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
        String connectHint = "open " + connect.startUrl() + " or run `connect goto`";
        String refreshToken = settings.get("goto.refresh-token");
        String clientId = settings.get("goto.client-id");
        // each account a connection of its own: its token, and its limiter shared through the database by every instance
        GoToConnections connections = new GoToConnections(!refreshToken.isEmpty(), accounts, ds, account -> new GoToClient(
                gotoHttp.forAccount(account),
                account.equals(GoToTokens.CONFIGURED) ? GoToTokens.configured(tokenEndpoint, ds, refreshToken, Clock.systemUTC())
                        : GoToTokens.connected(tokenEndpoint, accounts, account, connectHint, Clock.systemUTC()),
                limiter(database, clientId + "/" + account, settings.rateLimit(), settings.burstLimit()), parts,
                settings.get("goto.api-url"), 5), parts, connectHint, Clock.systemUTC());
        Reconciler reconciler = new Reconciler(ds, settings.duration("bridge.settle-after"),
                settings.duration("bridge.cancel-after"));
        EventFilter filter = new EventFilter(camel, settings);
        // the registrant detail calls have a budget of their own, out of each account's limit, once a mapping needs them
        ContactMapping mapping = ContactMapping.of(settings, camel);
        PullCycle pull = new PullCycle(reconciler, ds, connections, settings.duration("bridge.window.past"),
                settings.duration("bridge.window.future"), clock, mapping::needsDetails,
                account -> limiter(database, clientId + "/" + account + "#enrich", settings.enrichBudget()), meters,
                new PollCadence(ds, settings.goToWebhooks() ? settings.optional("bridge.poll.webinar.with-webhooks")
                        .map(v -> settings.duration("bridge.poll.webinar.with-webhooks")).orElse(null) : null));

        MauticClient mautic = MauticClient.of(settings, new HttpTransport(camel, "mautic", timeout, meters));
        Naming naming = new Naming(camel, settings);
        Segments segments = new Segments(ds, naming);
        Outbox outbox = new Outbox(ds);
        MauticPush push = new MauticPush(outbox, ds, parts, settings.positive("bridge.push.batch"),
                settings.bool("bridge.timeline.utm"), settings.bool("bridge.timeline.notes"), naming, segments, mapping, meters);
        FormRules forms = FormRules.of(settings);
        Registrar registrar = new Registrar(connections, filter, Clock.systemUTC());
        SessionLinks sessions = new SessionLinks(connections, settings.optional("bridge.meeting.key"), Clock.systemUTC());
        Operations operations = new Operations(connections, registrar, sessions, Clock.systemUTC(), settings.duration("bridge.window.past"),
                settings.duration("bridge.window.future"));
        return new Beans(connections, pull, filter, new WebinarReader(), new TrainingReader(reconciler::unsettled, mapping::needsDetails), new MeetingReader(),
                new AssistReader(), mautic, push, segments, new LinkEmails(outbox), new EventOptions(ds, parts),
                new WebhookReceiver(ds, settings.get("mautic.webhook-secret"), forms, settings.duration("bridge.webhooks.contact-delay")),
                new CampaignHookReceiver(ds, settings.get("bridge.inbound-token"), settings.duration("bridge.campaign.dedupe-window")),
                new GoToWebhookReceiver(new Inbox(ds), new StoredSecrets(ds, SecretBox.of(settings)), settings, connections::knows),
                new GoToWebhookSubscriptions(connections, operations, new StoredSecrets(ds, SecretBox.of(settings)), ds, settings.publicUrl()),
                new InboxWorker(ds, registrar, reconciler, forms, settings.optional("bridge.organizer-email"),
                        () -> camel.isStopping() || camel.isStopped(), meters, connections::knows, filter),
                operations, new ConnectPages(connect),
                new ConsolePages(ds, accounts, connections, new StoredSecrets(ds, SecretBox.of(settings)),
                        forms, AdminCredentials.of(settings), clientId,
                        settings.rateLimit().calls(), settings.rateLimit().period().toSeconds()), mapping, meters);
    }

    /** A dry run's limiter writes nothing ({@link RateLimiter#readOnly}). */
    private static RateLimiter limiter(Database database, String connection, RateLimit... limits) {
        return database.isReadOnly() ? RateLimiter.readOnly(database.dataSource(), connection, limits)
                : new RateLimiter(database.dataSource(), connection, limits);
    }
}
