-- The "new item" triggers of the goto: component (goto:training/onNewRegistration, …): what each has already
-- delivered, so every new item goes once, across restarts and instances. A trigger's row says it has taken its
-- first look (the items there then are not new, unless it starts from=beginning).
CREATE TABLE goto_trigger (
    name       text        PRIMARY KEY,
    started_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE goto_trigger_item (
    name     text        NOT NULL REFERENCES goto_trigger (name) ON DELETE CASCADE,
    item     text        NOT NULL,
    seen_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (name, item)
);
