-- A bounce can be taken back ('unbounced'); a send is of one edition of a post (its slug and its
-- date), so a new post on an old slug is a new send; one send of a post runs at a time; an erased
-- person leaves only a one-way hash of their address.
CREATE TABLE events_new (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id),
    kind TEXT NOT NULL CHECK (kind IN ('subscribed', 'unsubscribed', 'sent', 'replied', 'booked_call',
                                       'call_held', 'call_cancelled', 'touch', 'bounced', 'unbounced')),
    at TEXT NOT NULL,
    post TEXT,
    channel TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    external_id TEXT,
    note TEXT NOT NULL DEFAULT ''
);
INSERT INTO events_new (id, person_id, kind, at, post, channel, source, external_id, note)
    SELECT id, person_id, kind, at, post, channel, source, external_id, note FROM events;
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;
CREATE UNIQUE INDEX events_once ON events (person_id, kind, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX events_by_kind ON events (kind, person_id, at, external_id);
CREATE INDEX events_by_person ON events (person_id, at);
CREATE INDEX events_by_post ON events (kind, post, at);

-- edition '' marks a send recorded before editions: it is taken as the edition whose date is
-- not after its claim (touchgen.mail.ledger.Ledger.adopt_legacy), so every existing send is kept.
CREATE TABLE sends_new (
    id INTEGER PRIMARY KEY,
    post TEXT NOT NULL,
    edition TEXT NOT NULL DEFAULT '',
    person_id INTEGER NOT NULL REFERENCES people(id),
    message_id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('claimed', 'sent', 'failed', 'bounced')),
    claimed_at TEXT NOT NULL,
    sent_at TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT '',
    UNIQUE (post, edition, person_id)
);
INSERT INTO sends_new (id, post, edition, person_id, message_id, status, claimed_at, sent_at, attempts, error)
    SELECT id, post, '', person_id, message_id, status, claimed_at, sent_at, attempts, error FROM sends;
DROP TABLE sends;
ALTER TABLE sends_new RENAME TO sends;
CREATE INDEX sends_by_post ON sends (post, edition, status, sent_at, claimed_at);

CREATE TABLE send_locks (
    post TEXT PRIMARY KEY,
    pid INTEGER NOT NULL,
    process_start TEXT NOT NULL,
    started TEXT NOT NULL
);

CREATE TABLE erased (
    address_hash TEXT PRIMARY KEY,
    at TEXT NOT NULL
);
