package io.gotomautic.bridge.store.migration;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Statement;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Quartz's clustered JDBC job store tables ({@code qrtz_*}), from the DDL that the Quartz jar on the classpath
 * ships for PostgreSQL, so the schema always matches the Quartz version that uses it. The script's own DROP
 * and COMMIT lines are left out: Flyway owns the transaction and never drops.
 */
public class V2__Quartz_tables extends BaseJavaMigration {

    static final String SCRIPT = "/org/quartz/impl/jdbcjobstore/tables_postgres.sql";

    @Override
    public void migrate(Context context) throws Exception {
        try (Statement st = context.getConnection().createStatement()) {
            for (String sql : statements(script())) {
                st.execute(sql);
            }
        }
    }

    private static String script() throws IOException {
        try (InputStream in = V2__Quartz_tables.class.getResourceAsStream(SCRIPT)) {
            if (in == null) {
                throw new IllegalStateException("the Quartz jar has no " + SCRIPT);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static java.util.List<String> statements(String script) {
        StringBuilder kept = new StringBuilder();
        for (String line : script.split("\n")) {
            String t = line.trim();
            if (t.startsWith("#") || t.startsWith("--") || t.regionMatches(true, 0, "drop ", 0, 5)
                    || t.regionMatches(true, 0, "commit", 0, 6)) {
                continue;
            }
            kept.append(line).append('\n');
        }
        return java.util.Arrays.stream(kept.toString().split(";"))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
    }
}
