"""The people store under races, erasure and migration: no lost write, nobody resubscribed, no send forgotten."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from touchgen.people.store import MIGRATION_STEPS, SCHEMA_VERSION, open_store

from conftest import EPOCH, counts


def touchgen_process(site: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "touchgen", "--site", str(site), *args],
                            env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def csv_of(path: Path, numbers: range, name: str, extra: str = "") -> Path:
    path.write_text("email,name\n" + "".join(f"shared{n}@example.com,{name} {n}\n" for n in numbers) + extra,
                    encoding="utf-8")
    return path


REPLY = """From stay@example.com Mon Nov 23 10:00:00 2026
From: Stay <stay@example.com>
To: Jane Doe <jane@example.com>
Subject: Re: Welcome
Date: Mon, 23 Nov 2026 10:00:00 +0000
Message-ID: <reply-from-stay@example.com>

Thank you for this one.
"""
CALENDAR = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Google Inc//Google Calendar 70.9054//EN
METHOD:REQUEST
BEGIN:VEVENT
DTSTART:20261210T100000Z
DTEND:20261210T103000Z
DTSTAMP:20261123T090000Z
ORGANIZER;CN=Jane Doe:mailto:jane@example.com
UID:call-with-stay-and-newcall@google.com
ATTENDEE;CN=Stay;PARTSTAT=ACCEPTED:mailto:stay@example.com
ATTENDEE;CN=New Call;PARTSTAT=NEEDS-ACTION:mailto:newcall@example.com
SEQUENCE:0
STATUS:CONFIRMED
SUMMARY:30 minutes with Jane
END:VEVENT
END:VCALENDAR
"""


def test_six_mixed_writers_at_once_lose_nothing(site, run, tmp_path):
    run(site, "readers", "add", "stay@example.com", "--name", "Stay")
    first = csv_of(tmp_path / "a.csv", range(0, 2000), "A")
    second = csv_of(tmp_path / "b.csv", range(1000, 3000), "B")
    (tmp_path / "reply.mbox").write_text(REPLY)
    (tmp_path / "call.ics").write_text(CALENDAR)
    commands = [("import", "readers", str(first)), ("import", "readers", str(second)),
                ("readers", "add", "new@example.com"), ("readers", "unsubscribe", "stay@example.com"),
                ("track", "call", "shared1500@example.com", "--date", "2026-11-20"),
                ("import", "replies", str(tmp_path / "reply.mbox")),
                ("import", "calls", str(tmp_path / "call.ics"), "--today", "2026-11-23")]
    processes = [touchgen_process(site, *command) for command in commands]
    results = [(process.wait(120), process.stderr.read()) for process in processes]
    assert results == [(0, "")] * len(commands)
    with open_store(site) as store:
        people = store.people_by_email()
        assert len(people) == 3000 + 3  # shared0..2999, stay, new, newcall
        assert people["stay@example.com"].subscribed is False
        assert people["newcall@example.com"].subscribed is False
        assert all(people[f"shared{n}@example.com"].subscribed for n in range(3000))
        kinds = dict(store.db.execute("SELECT kind, COUNT(*) FROM events GROUP BY kind").fetchall())
    assert kinds == {"subscribed": 3000 + 2, "unsubscribed": 1, "replied": 1, "booked_call": 2, "call_held": 1}


def test_an_unsubscribe_during_a_long_import_stays(site, run, tmp_path):
    run(site, "readers", "add", "shared15000@example.com", "--name", "Old name")
    big = csv_of(tmp_path / "big.csv", range(30000), "New name")
    importing = touchgen_process(site, "import", "readers", str(big))
    run(site, "readers", "unsubscribe", "shared15000@example.com")
    assert importing.wait(120) == 0, importing.stderr.read()
    with open_store(site) as store:
        person = store.require("shared15000@example.com")
        assert person.subscribed is False
        assert len(store.people()) == 30000


def test_an_import_never_resubscribes(site, run, tmp_path):
    run(site, "readers", "add", "shared1@example.com")
    run(site, "readers", "unsubscribe", "shared1@example.com")
    run(site, "import", "readers", str(csv_of(tmp_path / "again.csv", range(3), "Again")))
    with open_store(site) as store:
        assert store.require("shared1@example.com").subscribed is False
    assert run(site, "readers", "resubscribe", "shared1@example.com").stdout == "Resubscribed shared1@example.com\n"
    shown = run(site, "readers", "show", "shared1@example.com").stdout
    assert "resubscribed by hand" in shown


def test_names_are_cleaned_on_the_way_in(site, run, tmp_path):
    path = tmp_path / "names.csv"
    path.write_text('email,name\nada@example.com,"Ada\r\nBcc: all@example.com"\nlong@example.com,' + "L" * 1000
                    + "\n", encoding="utf-8")
    result = run(site, "import", "readers", str(path))
    assert result.stderr == (
        f"{path}:2: warning: the name of ada@example.com had line breaks, control characters or more than 200 "
        "characters; imported as 'Ada Bcc: all@example.com'\n"
        f"{path}:4: warning: the name of long@example.com had line breaks, control characters or more than 200 "
        f"characters; imported as '{'L' * 60}'\n")
    with open_store(site) as store:
        assert store.require("ada@example.com").name == "Ada Bcc: all@example.com"
        assert store.require("long@example.com").name == "L" * 200
    assert run(site, "readers", "edit", "ada@example.com", "--name", "Ada\nLovelace").stdout == (
        "ada@example.com is now named 'Ada Lovelace'\n")


def test_erase_forgets_everything_but_a_hash(site, run, tmp_path):
    export = csv_of(tmp_path / "old-export.csv", range(3), "Someone")
    run(site, "import", "readers", str(export))
    run(site, "track", "reply", "shared1@example.com", "--note", "private words")
    run(site, "build")
    run(site, "send", "welcome", "--dry-run")
    result = run(site, "readers", "erase", "shared1@example.com", "--yes")
    assert result.stdout == "Erased shared1@example.com: only a one-way hash of the address is kept\n"
    db = sqlite3.connect(site / "data/touchgen.db")
    dump = "\n".join(db.iterdump())
    db.close()
    assert "shared1@" not in dump and "private words" not in dump and "Someone 1" not in dump
    raw = b"".join(path.read_bytes() for path in (site / "data").glob("touchgen.db*"))
    assert b"shared1@" not in raw and b"private words" not in raw  # not in free pages or the log either
    assert sorted(p.name for p in (site / "data/outbox/welcome").iterdir()) == [
        "shared0@example.com.eml", "shared2@example.com.eml"]
    again = run(site, "import", "readers", str(export))
    assert again.stdout.endswith("0 added, 0 updated, 2 unchanged, 1 skipped\n")
    assert again.stderr == f"skipped {export}:3: shared1@example.com was erased at their request; not imported\n"
    (tmp_path / "call.ics").write_text(CALENDAR.replace("newcall@example.com", "shared1@example.com"))
    run(site, "import", "calls", str(tmp_path / "call.ics"))
    with open_store(site) as store:
        assert store.person("shared1@example.com") is None
    run(site, "readers", "add", "shared1@example.com")  # by hand: the author's choice
    assert run(site, "readers", "erase", "nobody@example.com", "--yes", code=1).stderr == (
        "Error: no person with the address nobody@example.com (add them with: touchgen readers add "
        "nobody@example.com)\n")


def test_a_store_of_version_1_migrates_and_keeps_every_send(tmp_path):
    path = tmp_path / "data/touchgen.db"
    path.parent.mkdir()
    db = sqlite3.connect(path)
    for statement in MIGRATION_STEPS[0][1]:
        db.execute(statement)
    db.execute("PRAGMA user_version = 1")
    db.execute("INSERT INTO people (id, email, created) VALUES (1, 'ada@example.com', '2026-01-05T09:00:00Z')")
    db.execute("INSERT INTO events (person_id, kind, at, post) VALUES (1, 'sent', '2026-11-23T07:00:00Z', 'welcome')")
    db.execute("INSERT INTO sends (post, person_id, message_id, status, claimed_at, sent_at) VALUES "
               "('welcome', 1, 'welcome.x@example.com', 'sent', '2026-11-23T07:00:00Z', '2026-11-23T07:00:01Z')")
    db.commit()
    db.close()
    with open_store(tmp_path) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
        tables = {row[0] for row in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"accounts", "account_people"}.isdisjoint(tables) and {"send_locks", "erased"} <= tables
        assert [tuple(row) for row in store.db.execute("SELECT post, edition, status FROM sends")] == [
            ("welcome", "", "sent")]
        assert [event.kind for event in store.events_of(1)] == ["sent"]
        from touchgen.mail.ledger import Ledger
        from touchgen.mail.send import plan

        # This edition (dated 2026-11-22 23:00 UTC) was sent after that date: the old send is its.
        planned = plan(store, "welcome", edition="2026-11-22T23:00:00Z")
        assert (planned.todo, planned.report.already_sent) == ([], 1)
        # A later post on the same slug is a new edition: Ada gets it.
        assert [p.email for p, _ in plan(store, "welcome", edition="2026-12-06T23:00:00Z").todo] == ["ada@example.com"]
        assert Ledger(store).recipients("welcome")[0].status is None
    assert counts(tmp_path) == {"people": 1, "events": 1, "sends": 1}


def test_an_import_subscribes_someone_known_who_never_left(site, run, tmp_path):
    run(site, "track", "call", "shared2@example.com", "--date", "2026-11-20")
    result = run(site, "import", "readers", str(csv_of(tmp_path / "list.csv", range(3), "Listed")))
    assert result.stdout.endswith("2 added, 1 updated, 0 unchanged, 0 skipped\n")
    with open_store(site) as store:
        person = store.require("shared2@example.com")
        assert (person.subscribed, person.name) == (True, "Listed 2")
        assert [e.kind for e in store.events_of(person.id)] == ["call_held", "subscribed"]
