package io.gotomautic.bridge.gotoapi;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import javax.sql.DataSource;

import io.gotomautic.bridge.config.EmailAddress;
import io.gotomautic.bridge.store.GoToAccounts;
import io.gotomautic.bridge.store.PartStates;

/**
 * The GoTo accounts the bridge acts for, each with its own client: goto.refresh-token's ({@code default}) when it is
 * set, and every account connected in the browser or with a Personal Access Token. GoTo limits each connection on its
 * own, so each client has its own token and rate limiter. An account connected or disconnected meanwhile (console,
 * CLI, another instance) is seen within seconds.
 */
public class GoToConnections {

    private static final Duration RECHECK = Duration.ofSeconds(5);

    private final boolean configured;
    private final GoToAccounts accounts;
    private final DataSource dataSource;
    private final Function<String, GoToClient> factory;
    private final PartStates parts;
    private final String connectHint;
    private final Clock clock;
    private final Map<String, GoToClient> clients = new ConcurrentHashMap<>();

    private List<String> names = List.of();
    private Instant checkedAt = Instant.MIN;

    /**
     * @param configured  whether goto.refresh-token is set: the account {@code default}
     * @param factory     the client of an account, by name
     * @param connectHint where an operator connects an account, for the line that says none is
     */
    public GoToConnections(boolean configured, GoToAccounts accounts, DataSource dataSource, Function<String, GoToClient> factory,
                           PartStates parts, String connectHint, Clock clock) {
        this.configured = configured;
        this.accounts = accounts;
        this.dataSource = dataSource;
        this.factory = factory;
        this.parts = parts;
        this.connectHint = connectHint;
        this.clock = clock;
    }

    /** The accounts to poll and register through, {@code default} first, then in the order they were connected. */
    public synchronized List<String> names() {
        if (clock.instant().isAfter(checkedAt.plus(RECHECK))) {
            List<String> now = new ArrayList<>();
            if (configured) {
                now.add(GoToTokens.CONFIGURED);
            }
            try {
                accounts.connected().forEach(c -> now.add(c.name()));
            } catch (SQLException e) {
                throw new GoToException(0, "database", "cannot read the GoTo accounts: " + e.getMessage(), true, e);
            }
            names = List.copyOf(now);
            checkedAt = clock.instant();
            if (names.isEmpty()) {
                parts.held(PartStates.GOTO, fixNone(), "no GoTo account is connected");
            } else {
                parts.succeeded(PartStates.GOTO);
            }
        }
        return names;
    }

    /** The client of a connected account; an account not (or no longer) connected holds its work with what to do. */
    public GoToClient client(String account) {
        if (!names().contains(account)) {
            throw new GoToException(0, "no_account", "no GoTo account " + EmailAddress.masked(account) + " is connected"
                    + (names.isEmpty() ? "" : " (connected: " + shown(names) + ")"), false, null, null,
                    names.isEmpty() ? fixNone() : "connect the GoTo account " + EmailAddress.masked(account)
                    + " again, or name one of " + shown(names) + ": " + connectHint);
        }
        return clients.computeIfAbsent(account, factory);
    }

    /**
     * The client of the account a call names, or of the only one there is; with several and none named, which to name.
     *
     * @param asking how the refusal begins, for the caller to say who asks (e.g. "needs the account")
     */
    public GoToClient client(String account, String asking) {
        if (account != null && !account.isBlank()) {
            return client(account);
        }
        List<String> all = names();
        if (all.size() == 1) {
            return client(all.get(0));
        }
        if (all.isEmpty()) {
            throw none();
        }
        throw new IllegalArgumentException(asking + ": several GoTo accounts are connected ("
                + shown(all) + "); name one in the option or header account");
    }

    /**
     * The call as the account the event belongs to: the one it is stored under (one disconnected since holds the work,
     * saying to connect it again), else each account in turn while GoTo answers that it has no such event (404): event
     * keys are unique across GoTo, so only its own organizer's account knows it.
     */
    public <T> T onEvent(String product, String eventKey, Function<GoToClient, T> call) {
        List<GoToClient> candidates = candidates(product, eventKey);
        for (int i = 0; ; i++) {
            try {
                return call.apply(candidates.get(i));
            } catch (GoToException e) {
                if (e.status() != 404 || i == candidates.size() - 1) {
                    throw e;
                }
            }
        }
    }

    private List<GoToClient> candidates(String product, String eventKey) {
        List<String> all = names();
        if (all.isEmpty()) {
            throw none();
        }
        String owner = owner(product, eventKey);
        if (owner != null) {
            return List.of(client(owner));
        }
        return all.stream().map(this::client).toList();
    }

    /** Whether the bridge has an account of that name, connected now or once (its history stays). */
    public boolean knows(String account) {
        if (names().contains(account)) {
            return true;
        }
        try {
            return accounts.list().stream().anyMatch(a -> a.name().equals(account));
        } catch (SQLException e) {
            throw new GoToException(0, "database", "cannot read the GoTo accounts: " + e.getMessage(), true, e);
        }
    }

    /** The first account (meetings and assist sessions are created by it). */
    public GoToClient first() {
        List<String> all = names();
        if (all.isEmpty()) {
            throw none();
        }
        return client(all.get(0));
    }

    /** Calls sent to GoTo by every account so far. */
    public long calls() {
        return clients.values().stream().mapToLong(GoToClient::calls).sum();
    }

    private String owner(String product, String eventKey) {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "SELECT account FROM event WHERE product = ? AND event_key = ?")) {
            st.setString(1, product);
            st.setString(2, eventKey);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new GoToException(0, "database", "cannot read the account of " + product + " " + eventKey + ": " + e.getMessage(),
                    true, e);
        }
    }

    private static String shown(List<String> names) {
        return EmailAddress.masked(String.join(", ", names));
    }

    private GoToException none() {
        return new GoToException(0, "no_account", "no GoTo account is connected", false, null, null, fixNone());
    }

    private String fixNone() {
        return "connect a GoTo account: " + connectHint;
    }
}
