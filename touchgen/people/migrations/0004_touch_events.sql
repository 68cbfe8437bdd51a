-- The daily touch: a snooze (until a date), do-not-contact and its undo are events; a touch
-- carries which of the three tests of a good relationship investment it passed.
CREATE TABLE events_new (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id),
    kind TEXT NOT NULL CHECK (kind IN ('subscribed', 'unsubscribed', 'sent', 'replied', 'booked_call',
                                       'call_held', 'call_cancelled', 'touch', 'bounced', 'unbounced',
                                       'snoozed', 'do_not_contact', 'do_not_contact_undone')),
    at TEXT NOT NULL,
    post TEXT,
    channel TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    external_id TEXT,
    note TEXT NOT NULL DEFAULT '',
    until TEXT,
    tests TEXT NOT NULL DEFAULT ''
);
INSERT INTO events_new (id, person_id, kind, at, post, channel, source, external_id, note)
    SELECT id, person_id, kind, at, post, channel, source, external_id, note FROM events;
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;
CREATE UNIQUE INDEX events_once ON events (person_id, kind, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX events_by_kind ON events (kind, person_id, at, external_id);
CREATE INDEX events_by_person ON events (person_id, at);
CREATE INDEX events_by_post ON events (kind, post, at);
