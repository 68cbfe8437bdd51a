"""The people store and subscriber imports: every CSV dialect, idempotence, bad files, readers commands."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from touchgen.people.store import SCHEMA_VERSION, open_store

DATA = Path(__file__).parent / "fixtures"


def people(site):
    with open_store(site) as store:
        return {p.email: p for p in store.people()}


def readers_json(run, site, *args):
    result = run(site, "readers", "list", "--format", "json", *args)
    return {row["email"]: row for row in json.loads(result.stdout)}


@pytest.mark.parametrize("name, dialect, expected, of_these", [
    ("substack.csv", "substack", {"ada@example.com": True, "grace@example.org": True, "linus@example.net": False},
     "1 unsubscribed"),
    ("mailchimp.csv", "mailchimp", {"margaret@example.com": True, "ADA@example.com": True}, ""),
    ("mailchimp-unsubscribed.csv", "mailchimp", {"barbara@example.com": False}, "1 unsubscribed"),
    ("mailchimp-cleaned.csv", "mailchimp", {f"c{n}@example.com": True for n in range(1, 6)}, "5 bounced"),
    ("plain.csv", "plain", {"katherine@example.com": True, "edsger@example.com": True}, ""),
    ("ghost.csv", "ghost", {"alan@example.com": True, "joan@example.com": False}, "1 unsubscribed"),
    ("buttondown.csv", "buttondown", {"donald@example.com": True, "frances@example.com": False}, "1 unsubscribed"),
    ("listmonk.csv", "listmonk", {"tim@example.com": True, "spam@example.com": False}, "1 unsubscribed"),
    ("beehiiv.csv", "beehiiv", {"lorem@example.com": True, "ipsum@example.com": True, "dolor@example.com": False,
                                "simet@example.com": False, "amett@example.com": False, "elit@example.com": True,
                                "nullfirst@example.com": True, "unsublit@example.com": False,
                                "fromsubstack@example.com": True}, "3 unsubscribed, 1 unconfirmed"),
    ("kit.csv", "kit", {"ada@example.com": True, "grace@example.org": False, "linus@example.net": True,
                        "barbara@example.com": False, "alan@example.com": False, "margaret@example.com": True},
     "2 unsubscribed, 1 bounced, 1 unconfirmed"),
    ("mailerlite.csv", "mailerlite", {"ada@example.com": True, "grace@example.org": False, "linus@example.net": True,
                                      "alan@example.com": False, "joan@example.com": False},
     "2 unsubscribed, 1 bounced, 1 unconfirmed"),
    ("tinynews.csv", "tiny news", {"lorem@example.com": False, "dolor@example.com": True}, "1 unsubscribed"),
    ("tinynews-v1.csv", "tiny news", {"lorem@example.com": True, "dolor@example.com": False,
                                      "nosub@example.com": False}, "2 unsubscribed"),
], ids=lambda value: value if isinstance(value, str) and value.endswith(".csv") else None)
def test_each_export_is_detected_with_its_subscribed_flags(site, run, name, dialect, expected, of_these):
    result = run(site, "import", "readers", str(DATA / name))
    assert result.stdout == (f"Imported {DATA / name} ({dialect}): {len(expected)} added, 0 updated, 0 unchanged, "
                             "0 skipped" + (f"; of these {of_these}" if of_these else "") + "\n")
    assert result.stderr == ""
    assert {email: p.subscribed for email, p in people(site).items()} == expected
    again = run(site, "import", "readers", str(DATA / name))
    assert again.stdout == f"Imported {DATA / name} ({dialect}): 0 added, 0 updated, {len(expected)} unchanged, 0 skipped\n"


def events(site, email):
    with open_store(site) as store:
        return [(e.kind.value, e.at) for e in store.events_of(store.require(email).id)]


@pytest.mark.parametrize("name, subscribed", [
    ("beehiiv.csv", {"lorem@example.com", "ipsum@example.com", "elit@example.com", "nullfirst@example.com",
                     "fromsubstack@example.com"}),
    ("kit.csv", {"ada@example.com", "margaret@example.com", "linus@example.net"}),
])
def test_beehiiv_and_kit_keep_the_unsubscribed_unsubscribed(site, run, name, subscribed):
    run(site, "import", "readers", str(DATA / name))
    listed = readers_json(run, site)
    assert {email for email, row in listed.items() if row["subscribed"]} == subscribed
    timelines = {email: events(site, email) for email in listed}
    again = run(site, "import", "readers", str(DATA / name))
    assert again.stdout.endswith(f"0 added, 0 updated, {len(listed)} unchanged, 0 skipped\n")
    assert readers_json(run, site) == listed
    assert {email: events(site, email) for email in listed} == timelines
    # A plain list that names everyone again puts nobody back who left; the unconfirmed never left, so they join.
    (site / "again.csv").write_text("email\n" + "".join(f"{email}\n" for email in listed), encoding="utf-8")
    run(site, "import", "readers", str(site / "again.csv"))
    unconfirmed = {"amett@example.com", "alan@example.com"} & set(listed)
    assert {email for email, row in readers_json(run, site).items() if row["subscribed"]} == subscribed | unconfirmed


def test_each_standing_leaves_its_events(site, run):
    run(site, "import", "readers", str(DATA / "kit.csv"))
    assert events(site, "ada@example.com") == [("subscribed", "2023-01-15T10:30:00Z")]
    assert events(site, "grace@example.org") == [("subscribed", "2022-11-02T08:12:45Z"),
                                                 ("unsubscribed", "2026-11-23T12:00:00Z")]
    assert events(site, "linus@example.net") == [("subscribed", "2023-02-17T11:43:55Z"),
                                                 ("bounced", "2026-11-23T12:00:00Z")]
    assert events(site, "alan@example.com") == []  # never confirmed: known, on no list
    assert list(readers_json(run, site, "--bounced")) == ["linus@example.net"]
    run(site, "import", "readers", str(DATA / "beehiiv.csv"))
    assert events(site, "unsublit@example.com") == [("subscribed", "2023-04-11T14:02:46Z"),
                                                    ("unsubscribed", "2024-03-13T11:33:53Z")]
    with open_store(site) as store:
        assert store.require("unsublit@example.com").created == "2023-04-11T14:02:46Z"


def test_an_unconfirmed_reader_who_confirms_later_joins(site, run):
    run(site, "import", "readers", str(DATA / "kit.csv"))
    later = site / "later.csv"
    later.write_text("first_name,email_address,state,created_at,last_name\n"
                     "Alan,alan@example.com,active,2023-03-01 07:00:00 UTC,Turing\n"
                     "Grace,grace@example.org,active,2022-11-02 08:12:45 UTC,Hopper\n", encoding="utf-8")
    result = run(site, "import", "readers", str(later))
    assert result.stdout == f"Imported {later} (kit): 0 added, 1 updated, 1 unchanged, 0 skipped\n"
    listed = readers_json(run, site)
    assert (listed["alan@example.com"]["subscribed"], listed["grace@example.org"]["subscribed"]) == (True, False)


def test_a_bounce_in_an_export_marks_a_known_reader_once(site, run):
    run(site, "readers", "add", "linus@example.net")
    result = run(site, "import", "readers", str(DATA / "kit.csv"))
    assert result.stdout.endswith("5 added, 1 updated, 0 unchanged, 0 skipped; of these 2 unsubscribed, 1 bounced, "
                                  "1 unconfirmed\n")
    assert run(site, "readers", "unbounce", "linus@example.net").exit_code == 0
    # The author took the bounce back: the same export does not bounce them again.
    assert run(site, "import", "readers", str(DATA / "kit.csv")).stdout.endswith("6 unchanged, 0 skipped\n")
    assert readers_json(run, site, "--bounced") == {}


def test_listmonk_keeps_its_join_dates(site, run):
    result = run(site, "import", "readers", str(DATA / "listmonk.csv"))
    assert result.stderr == ""
    listed = readers_json(run, site)
    assert (listed["tim@example.com"]["created"], listed["spam@example.com"]["created"]) == (
        "2026-05-10T10:00:00Z", "2026-05-11T10:00:00Z")
    assert events(site, "spam@example.com")[-1] == ("unsubscribed", "2026-05-12T10:00:00Z")


def test_names_dates_and_sources(site, run):
    run(site, "import", "readers", str(DATA / "mailchimp.csv"))
    run(site, "import", "readers", str(DATA / "substack.csv"))
    found = people(site)
    assert found["margaret@example.com"].name == "Margaret Hamilton"
    assert found["margaret@example.com"].created == "2026-03-10T10:00:00Z"
    assert found["margaret@example.com"].source == "mailchimp import"
    # Compared case-insensitively: Substack's ada@ is Mailchimp's ADA@.
    assert "ada@example.com" not in found and found["ADA@example.com"].name == "Ada Lovelace"


def test_a_later_import_never_resubscribes(site, run):
    run(site, "import", "readers", str(DATA / "mailchimp-unsubscribed.csv"))
    (site / "again.csv").write_text("email,name\nbarbara@example.com,Barbara Liskov\n", encoding="utf-8")
    result = run(site, "import", "readers", str(site / "again.csv"))
    assert result.stdout.endswith("0 added, 0 updated, 1 unchanged, 0 skipped\n")
    assert people(site)["barbara@example.com"].subscribed is False


def test_an_unsubscribed_export_unsubscribes_known_people(site, run):
    (site / "first.csv").write_text("email\nbarbara@example.com\n", encoding="utf-8")
    run(site, "import", "readers", str(site / "first.csv"))
    result = run(site, "import", "readers", str(DATA / "mailchimp-unsubscribed.csv"))
    assert result.stdout.endswith("0 added, 1 updated, 0 unchanged, 0 skipped; of these 1 unsubscribed\n")
    person = people(site)["barbara@example.com"]
    assert person.subscribed is False and person.name == "Barbara Liskov"
    shown = run(site, "readers", "show", "barbara@example.com").stdout
    assert "unsubscribed  " in shown and "2026-06-01 12:00" in shown


def test_semicolons_bom_and_first_last_names(site, run):
    path = site / "semi.csv"
    path.write_bytes("\ufefffirst_name;last_name;email\nRosalind;Franklin;rosalind@example.com\n".encode("utf-8"))
    run(site, "import", "readers", str(path))
    assert people(site)["rosalind@example.com"].name == "Rosalind Franklin"


def test_export_reads_back_unchanged(site, run, tmp_path):
    for name in ("substack.csv", "mailchimp.csv", "ghost.csv", "listmonk.csv"):
        run(site, "import", "readers", str(DATA / name))
    exported = run(site, "readers", "export").stdout
    out = tmp_path / "readers.csv"
    result = run(site, "readers", "export", "--out", str(out))
    assert result.stdout == f"Exported 8 people to {out}\n"
    assert out.read_text() == exported
    assert run(site, "import", "readers", str(out)).stdout.endswith("0 added, 0 updated, 8 unchanged, 0 skipped\n")

    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "touchgen.toml").write_text((site / "touchgen.toml").read_text())
    assert run(fresh, "import", "readers", str(out)).stdout.endswith(
        "8 added, 0 updated, 0 unchanged, 0 skipped; of these 3 unsubscribed\n")
    assert run(fresh, "readers", "export").stdout == exported


def write_csv(site, text, name="readers.csv", encoding="utf-8"):
    path = site / name
    path.write_bytes(text.encode(encoding))
    return path


def assert_nothing_imported(site):
    assert not (site / "data/touchgen.db").exists() or people(site) == {}


def test_invalid_rows_are_all_listed_and_nothing_imported(site, run):
    path = write_csv(site, "email,name\nok@example.com,Ok\nbob@,Bob\n,Nobody\n\"x y@example.com\",X\n")
    result = run(site, "import", "readers", str(path), code=1)
    assert result.stdout == ""
    assert result.stderr == (
        f"error: {path}:3: 'bob@' is not an email address\n"
        f"error: {path}:4: no email address\n"
        f"error: {path}:5: 'x y@example.com' is not an email address\n"
        "Error: 3 invalid rows; nothing was imported (fix them, or pass --skip-invalid to import the rest)\n")
    assert_nothing_imported(site)

    result = run(site, "import", "readers", str(path), "--skip-invalid")
    assert result.stderr == (
        f"skipped {path}:3: 'bob@' is not an email address\n"
        f"skipped {path}:4: no email address\n"
        f"skipped {path}:5: 'x y@example.com' is not an email address\n")
    assert result.stdout == f"Imported {path} (plain): 1 added, 0 updated, 0 unchanged, 3 skipped\n"
    assert list(people(site)) == ["ok@example.com"]


@pytest.mark.parametrize("text, encoding, message", [
    pytest.param("name,phone\nBob,123\n", "utf-8",
                 "{path}:1: no email column in the header (found: name, phone); the first line must name the "
                 "columns, such as: email,name", id="no-email-column"),
    pytest.param("", "utf-8", "{path}: the file is empty (expected a header line such as: email,name)", id="empty"),
    pytest.param("email,name\nok@example.com,Ok\nj@example.com,José\n", "latin-1",
                 "{path}:3: is not valid UTF-8 (byte 0xe9); export or save the file as UTF-8", id="not-utf8"),
])
def test_bad_csv_files(site, run, text, encoding, message):
    path = write_csv(site, text, encoding=encoding)
    result = run(site, "import", "readers", str(path), code=1)
    assert result.stderr == "Error: " + message.format(path=path) + "\n"
    assert_nothing_imported(site)


def test_missing_file(site, run):
    result = run(site, "import", "readers", "nope.csv", code=1)
    assert result.stderr == "Error: nope.csv: no such file (check the path)\n"


def test_store_from_a_newer_touchgen_is_refused(site, run):
    run(site, "readers", "add", "ada@example.com")
    db = sqlite3.connect(site / "data/touchgen.db")
    db.execute("PRAGMA user_version = 99")
    db.close()
    result = run(site, "readers", "list", code=1)
    assert result.stderr == (
        f"Error: data/touchgen.db: was written by a newer touchgen (schema version 99; this touchgen knows up "
        f"to {SCHEMA_VERSION}). Upgrade touchgen: nothing was changed\n")
    db = sqlite3.connect(site / "data/touchgen.db")
    assert db.execute("PRAGMA user_version").fetchone()[0] == 99
    assert db.execute("SELECT COUNT(*) FROM people").fetchone()[0] == 1


def test_store_settings(site, run):
    run(site, "readers", "add", "ada@example.com")
    db = sqlite3.connect(site / "data/touchgen.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO people (email, created) VALUES ('ADA@EXAMPLE.COM', 'x')")


def test_readers_add_list_show_unsubscribe(site, run):
    assert run(site, "readers", "add", "ada@example.com", "--name", "Ada").stdout == "Added ada@example.com\n"
    again = run(site, "readers", "add", "ADA@example.com", code=1)
    assert again.stderr == "Error: ada@example.com is already in the store (subscribed); nothing was changed\n"
    bad = run(site, "readers", "add", "ada", code=2)
    assert bad.stderr.endswith("Error: Invalid value for 'EMAIL': 'ada' is not an email address\n")
    assert readers_json(run, site) == {"ada@example.com": {
        "email": "ada@example.com", "name": "Ada", "stage": "reader", "subscribed": True,
        "source": "added by hand", "created": "2026-11-23T12:00:00Z"}}
    table = run(site, "readers", "list").stdout.splitlines()
    assert table[0].split() == ["email", "name", "stage", "subscribed", "source", "created"]
    assert table[1].split() == ["ada@example.com", "Ada", "reader", "yes", "added", "by", "hand", "2026-11-23T12:00:00Z"]
    csv_out = run(site, "readers", "list", "--format", "csv").stdout
    assert csv_out == ("email,name,stage,subscribed,source,created\n"
                       "ada@example.com,Ada,reader,True,added by hand,2026-11-23T12:00:00Z\n")
    assert run(site, "readers", "unsubscribe", "ada@example.com").stdout == "Unsubscribed ada@example.com\n"
    assert run(site, "readers", "unsubscribe", "ada@example.com").stdout == "ada@example.com was already unsubscribed\n"
    assert readers_json(run, site)["ada@example.com"]["subscribed"] is False
    missing = run(site, "readers", "show", "bob@example.com", code=1)
    assert missing.stderr == ("Error: no person with the address bob@example.com "
                              "(add them with: touchgen readers add bob@example.com)\n")


def test_a_file_that_is_not_a_store_is_refused(site, run):
    (site / "data").mkdir()
    (site / "data/touchgen.db").write_text("not a database at all, just text " * 100)
    result = run(site, "readers", "list", code=1)
    assert result.stderr == ("Error: data/touchgen.db: cannot be opened as a touchgen store (file is not a "
                             "database); restore it from a backup or move it away\n")
