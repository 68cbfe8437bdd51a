"""import calls (ICS and Calendly CSV), track, and the timeline that explains each stage."""

from __future__ import annotations

from touchgen.people.store import open_store

from conftest import DATA, counts, stages


def test_ics_moves_exactly_the_bookers(readers_site, run):
    site = readers_site
    result = run(site, "import", "calls", str(DATA / "bookings.ics"), "--today", "2026-11-23")
    assert result.stdout == (f"Imported {DATA / 'bookings.ics'}: 3 bookings: 2 booked, 1 held, 1 cancelled, "
                             "0 already recorded, 1 new person (radia@example.com)\n")
    moved = {email for email, stage in stages(run, site).items() if stage != "reader"}
    # Ada booked and held a call; Radia booked one for December; Donald's was cancelled; Jane is the author.
    assert moved == {"ada@example.com", "radia@example.com"}
    with open_store(site) as store:
        assert store.person("jane@example.com") is None
        ada = store.events_of(store.require("ada@example.com").id)
        assert [(e.kind, e.at, e.post) for e in ada if e.source == "calls import"] == [
            ("booked_call", "2026-11-10T09:00:00Z", "start-before-you-need-it"),
            ("call_held", "2026-11-18T10:00:00Z", "start-before-you-need-it")]
        radia = store.require("radia@example.com")
        assert (radia.name, radia.subscribed) == ("Radia Perlman", False)
        assert [e.kind for e in store.events_of(radia.id)] == ["booked_call"]
    first = counts(site)
    again = run(site, "import", "calls", str(DATA / "bookings.ics"), "--today", "2026-11-23")
    assert "0 booked, 0 held" in again.stdout and "3 already recorded" in again.stdout
    assert counts(site) == first


def test_calendly_csv_moves_exactly_the_bookers(readers_site, run):
    site = readers_site
    result = run(site, "import", "calls", str(DATA / "calendly.csv"), "--today", "2026-11-23")
    assert result.stdout == (f"Imported {DATA / 'calendly.csv'}: 2 bookings: 1 booked, 1 held, 1 cancelled, "
                             "0 already recorded, 0 new people\n")
    moved = {email for email, stage in stages(run, site).items() if stage != "reader"}
    assert moved == {"tim@example.com"}
    with open_store(site) as store:
        tim = store.events_of(store.require("tim@example.com").id)
        assert [(e.kind, e.at, e.post) for e in tim if e.source == "calls import"] == [
            ("booked_call", "2026-11-10T08:00:00Z", "small-promises-kept"),
            ("call_held", "2026-11-17T13:00:00Z", "small-promises-kept")]
    first = counts(site)
    run(site, "import", "calls", str(DATA / "calendly.csv"), "--today", "2026-11-23")
    assert counts(site) == first


def test_a_later_cancellation_undoes_a_booking(readers_site, run, tmp_path):
    site = readers_site
    booking = (DATA / "bookings.ics").read_text()
    run(site, "import", "calls", str(DATA / "bookings.ics"), "--today", "2026-11-23")
    assert stages(run, site)["radia@example.com"] == "conversation"
    cancel = booking.replace("METHOD:PUBLISH", "METHOD:CANCEL").replace(
        "UID:call-new-1@calendly.com\nSEQUENCE:0", "UID:call-new-1@calendly.com\nSEQUENCE:1")
    (tmp_path / "cancel.ics").write_text(cancel)
    result = run(site, "import", "calls", str(tmp_path / "cancel.ics"), "--today", "2026-11-23")
    assert stages(run, site)["radia@example.com"] == "reader"
    shown = run(site, "readers", "show", "radia@example.com").stdout
    assert "call_cancelled" in shown and "stage       reader: no reply, booked call or held call yet" in shown


def test_ics_with_a_broken_line(readers_site, run, tmp_path):
    text = (DATA / "bookings.ics").read_text().replace("DTSTART:20261118T100000Z", "DTSTART20261118T100000Z")
    (tmp_path / "broken.ics").write_text(text)
    before = counts(readers_site)
    result = run(readers_site, "import", "calls", str(tmp_path / "broken.ics"), code=1)
    assert result.stderr == (f"Error: {tmp_path / 'broken.ics'}:10: not a calendar line: 'DTSTART20261118T100000Z' "
                             "(each line must read NAME:VALUE; export the calendar again)\n")
    assert counts(readers_site) == before


def test_calendly_csv_with_bad_rows(readers_site, run, tmp_path):
    header = (DATA / "calendly.csv").read_text().splitlines()[0]
    (tmp_path / "bad.csv").write_text(header + "\nX,x@,,call,2026-11-17 02:00 pm,,,,false,,,,,u1\n"
                                      "Y,y@example.com,,call,someday,,,,false,,,,,u2\n")
    result = run(readers_site, "import", "calls", str(tmp_path / "bad.csv"), code=1)
    assert result.stderr == (
        f"error: {tmp_path / 'bad.csv'}:2: 'x@' is not an email address\n"
        f"error: {tmp_path / 'bad.csv'}:3: Start Date & Time 'someday' is not a date and time "
        "(such as 2026-11-20 10:00 am)\n"
        "Error: 2 invalid rows; nothing was imported\n")


def test_calls_path_that_does_not_exist(readers_site, run):
    result = run(readers_site, "import", "calls", "none.ics", code=1)
    assert result.stderr == "Error: none.ics: no such file or folder (check the path)\n"


def test_track_and_the_timeline_that_explains_a_relationship(site, run):
    run(site, "readers", "add", "ada@example.com", "--name", "Ada")
    result = run(site, "track", "reply", "ada@example.com", "--date", "2026-06-01", "--post", "welcome")
    assert result.stdout == "Recorded a reply from ada@example.com on 2026-06-01\n"
    run(site, "track", "call", "ada@example.com", "--date", "2026-07-15", "--note", "talked about Q3")
    run(site, "track", "touch", "ada@example.com", "--date", "2026-08-01")
    assert stages(run, site)["ada@example.com"] == "conversation"
    run(site, "track", "reply", "ada@example.com", "--date", "2026-08-20")
    assert stages(run, site)["ada@example.com"] == "relationship"
    shown = run(site, "readers", "show", "ada@example.com").stdout
    assert shown.splitlines()[:2] == [
        "Ada <ada@example.com>",
        "  stage       relationship: two-way contact on 3 days over 80 days (at least 3 days over 60)"]
    lines = shown.splitlines()[9:]
    assert lines[0].split() == ["date", "event", "post", "source", "note", "stage"]
    assert [line.split()[2] for line in lines[1:]] == ["replied", "call_held", "touch", "replied", "subscribed"]
    assert [line.split()[-1] for line in lines[1:]] == [
        "conversation", "conversation", "conversation", "relationship", "relationship"]
    assert "talked about Q3" in shown

    new = run(site, "track", "call", "newcomer@example.com", "--date", "2026-11-20")
    assert new.stdout == "Recorded a call with newcomer@example.com on 2026-11-20 (new person)\n"
    bad = run(site, "track", "call", "nobody", "--date", "2026-11-20", code=2)
    assert bad.stderr.endswith("Error: Invalid value for 'EMAIL': 'nobody' is not an email address\n")
