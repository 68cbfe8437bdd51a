-- The first schema of data/touchgen.db.
CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name TEXT NOT NULL DEFAULT '',
    subscribed INTEGER NOT NULL DEFAULT 1 CHECK (subscribed IN (0, 1)),
    source TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL,
    introduced_by INTEGER REFERENCES people(id)
);

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id),
    kind TEXT NOT NULL CHECK (kind IN ('subscribed', 'unsubscribed', 'sent', 'replied', 'booked_call',
                                       'call_held', 'call_cancelled', 'touch', 'bounced')),
    at TEXT NOT NULL,
    post TEXT,
    channel TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    external_id TEXT,
    note TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX events_once ON events (person_id, kind, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX events_by_kind ON events (kind, person_id, at, external_id);
CREATE INDEX events_by_person ON events (person_id, at);
CREATE INDEX events_by_post ON events (kind, post, at);

CREATE TABLE sends (
    id INTEGER PRIMARY KEY,
    post TEXT NOT NULL,
    person_id INTEGER NOT NULL REFERENCES people(id),
    message_id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('claimed', 'sent', 'failed', 'bounced')),
    claimed_at TEXT NOT NULL,
    sent_at TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT '',
    UNIQUE (post, person_id)
);
CREATE INDEX sends_by_post ON sends (post, status, sent_at, claimed_at);

CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    tier TEXT NOT NULL DEFAULT '',
    health TEXT NOT NULL DEFAULT 'healthy' CHECK (health IN ('healthy', 'fix', 'walk-away')),
    created TEXT NOT NULL
);
CREATE TABLE account_people (
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    role TEXT NOT NULL CHECK (role IN ('key', 'delivery', 'support')),
    PRIMARY KEY (account_id, person_id)
);
