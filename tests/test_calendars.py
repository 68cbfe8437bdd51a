"""import calls with calendars as Google Calendar, Outlook/Exchange, Apple iCloud, Zimbra and WordPress
write them (tests/fixtures/calendars): who is booked, who is not and why, recurrence overrides,
cancellations, Windows and unknown time zones."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from touchgen.people.store import open_store

from conftest import DATA, EPOCH, counts, stages

CALENDARS = DATA / "calendars"
SERIES = "ics:1m3v0c8tq6h2p5kfr9d7b4se0a_R20261102@google.com"


def calls_of(site, email: str) -> list[tuple[str, str, str | None]]:
    with open_store(site) as store:
        events = store.events_of(store.require(email).id)
    return [(e.kind, e.at, e.external_id) for e in events if e.source == "calls import"]


def test_a_google_invitation_imports_its_invitees_as_a_new_user_would(tmp_path):
    """`touchgen init`, then the invitation Google mailed, from the command line: the guests are
    booked; the author (organizer), the meeting room and the guest who declined are not."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}

    def touchgen(*args: str, cwd=tmp_path / "site") -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "touchgen", *args], cwd=cwd, env=env, capture_output=True,
                              text=True, timeout=120)

    assert touchgen("init", "site", cwd=tmp_path).returncode == 0
    invitation = CALENDARS / "google-invitation.ics"
    result = touchgen("import", "calls", str(invitation))
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (f"Imported {invitation}: 1 booking: 3 booked, 3 held, 0 cancelled, 0 already recorded, "
                             "3 new people (ada@example.com, grace@example.org, mary.jackson@example.net)\n"
                             "  not booked: 2 attendees: 1 declined, 1 room or resource\n")
    people = json.loads(touchgen("readers", "list", "--format", "json").stdout)
    assert {(p["email"], p["name"], p["stage"], p["subscribed"]) for p in people} == {
        ("ada@example.com", "Ada Lovelace", "conversation", False),
        ("grace@example.org", "Grace Hopper", "conversation", False),
        ("mary.jackson@example.net", "", "conversation", False)}  # Google's CN was only the address
    again = touchgen("import", "calls", str(invitation))
    assert again.stdout.startswith(f"Imported {invitation}: 1 booking: 0 booked, 0 held, 0 cancelled, "
                                   "6 already recorded, 0 new people\n")


def test_the_invitation_books_the_call_at_its_time(readers_site, run):
    invitation = CALENDARS / "google-invitation.ics"
    assert invitation.read_bytes().count(b"\r\n ") >= 10  # folded as Google folds: CRLF and a space
    result = run(readers_site, "import", "calls", str(invitation), "--today", "2026-11-23")
    assert result.stdout == (f"Imported {invitation}: 1 booking: 3 booked, 3 held, 0 cancelled, 0 already recorded, "
                             "1 new person (mary.jackson@example.net)\n"
                             "  not booked: 2 attendees: 1 declined, 1 room or resource\n")
    key = "ics:5q8j3m1c0v7f2hbd9t4k6r0n1s@google.com"
    assert calls_of(readers_site, "ada@example.com") == [("booked_call", "2026-11-12T09:34:40Z", key),
                                                         ("call_held", "2026-11-19T13:00:00Z", key)]
    assert calls_of(readers_site, "katherine@example.com") == []  # she declined
    with open_store(readers_site) as store:
        assert store.person("jane@example.com") is None
        assert not any("resource.calendar.google.com" in p.email for p in store.people())


def test_an_attendee_who_declines_later_loses_the_booking(readers_site, run, tmp_path):
    invitation = CALENDARS / "google-invitation.ics"
    run(readers_site, "import", "calls", str(invitation), "--today", "2026-11-23")
    assert stages(run, readers_site)["ada@example.com"] == "conversation"
    text = invitation.read_bytes().decode("utf-8")
    declined = text.replace("PARTSTAT=ACCEPTED;RSVP=TRUE\r\n ;CN=Ada", "PARTSTAT=DECLINED;RSVP=TRUE\r\n ;CN=Ada")
    assert declined != text
    path = tmp_path / "updated.ics"
    path.write_bytes(declined.replace("SEQUENCE:0", "SEQUENCE:1").encode("utf-8"))  # CRLF kept
    result = run(readers_site, "import", "calls", str(path), "--today", "2026-11-23")
    assert result.stdout == (f"Imported {path}: 1 booking: 0 booked, 0 held, 1 cancelled, 4 already recorded, "
                             "0 new people\n  not booked: 3 attendees: 2 declined, 1 room or resource\n")
    assert stages(run, readers_site)["ada@example.com"] == "reader"


def test_who_is_not_a_person_to_book(readers_site, run, tmp_path):
    text = (CALENDARS / "google-invitation.ics").read_bytes().decode("utf-8")
    extra = "\r\n".join([
        "ATTENDEE;CUTYPE=GROUP;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;CN=Readers team:mailto:team@example.com",
        "ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=Team calendar:mailto:example.com_3bm6fh805bme9uoeliq"
        "cle1sag@group.calendar.google.com",
        "ATTENDEE;CUTYPE=ROOM;CN=Studio:mailto:studio@example.com",
        "ATTENDEE;ROLE=NON-PARTICIPANT;PARTSTAT=NEEDS-ACTION;CN=Assistant:mailto:assistant@example.com",
        "ATTENDEE;CN=Someone;PARTSTAT=ACCEPTED:urn:uuid:00000000-0000-0000-0000-000000000001",
        "ATTENDEE;CN=Old Style;PARTSTAT=ACCEPTED:old.style@example.com", ""])
    path = tmp_path / "many.ics"
    path.write_text(text.replace("X-MICROSOFT-CDO-OWNERAPPTID", extra + "X-MICROSOFT-CDO-OWNERAPPTID"),
                    encoding="utf-8")
    result = run(readers_site, "import", "calls", str(path), "--today", "2026-11-23")
    assert result.stdout == (
        f"Imported {path}: 1 booking: 4 booked, 4 held, 0 cancelled, 0 already recorded, 2 new people "
        "(mary.jackson@example.net, old.style@example.com)\n"
        "  not booked: 7 attendees: 2 groups or shared calendars, 2 rooms or resources, 1 declined, "
        "1 without an email address, 1 copied for information only\n")
    with open_store(readers_site) as store:
        for address in ("team@example.com", "studio@example.com", "assistant@example.com"):
            assert store.person(address) is None


def test_a_google_export_keeps_recurrence_overrides_once(readers_site, run):
    export = CALENDARS / "google-export.ics"
    result = run(readers_site, "import", "calls", str(export), "--today", "2026-11-23")
    assert result.stdout == (f"Imported {export}: 3 bookings: 2 booked, 2 held, 1 cancelled, 0 already recorded, "
                             "0 new people\n"
                             "  not booked: 2 events without attendees (not meetings), 1 event you declined\n")
    moved = f"{SERIES};RECURRENCE-ID=20261109T080000Z"  # the Monday 9:00 (Amsterdam) it replaces
    assert calls_of(readers_site, "ada@example.com") == [
        ("booked_call", "2026-10-28T15:12:06Z", SERIES), ("booked_call", "2026-10-28T15:12:06Z", moved),
        ("call_held", "2026-11-02T08:00:00Z", SERIES), ("call_held", "2026-11-10T15:00:00Z", moved)]
    assert calls_of(readers_site, "tim@example.com") == []  # Jane declined his panel
    first = counts(readers_site)
    again = run(readers_site, "import", "calls", str(export), "--today", "2026-11-23")
    assert again.stdout.startswith(f"Imported {export}: 3 bookings: 0 booked, 0 held, 1 cancelled, 4 already recorded")
    assert counts(readers_site) == first


SERIES_CANCEL = """BEGIN:VCALENDAR
PRODID:-//Google Inc//Google Calendar 70.9054//EN
VERSION:2.0
CALSCALE:GREGORIAN
METHOD:CANCEL
BEGIN:VEVENT
DTSTART;TZID=Europe/Amsterdam:{start}
DTSTAMP:20261124T080000Z
ORGANIZER;CN=Jane Doe:mailto:jane@example.com
UID:1m3v0c8tq6h2p5kfr9d7b4se0a_R20261102@google.com
{recurrence}ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=Ada Lovelace;X-NUM-GUESTS=0:mailt
 o:ada@example.com
SEQUENCE:2
STATUS:CANCELLED
SUMMARY:Ada / Jane weekly
END:VEVENT
END:VCALENDAR
"""


def test_cancelling_a_series_cancels_its_occurrences(readers_site, run, tmp_path):
    run(readers_site, "import", "calls", str(CALENDARS / "google-export.ics"), "--today", "2026-11-23")
    path = tmp_path / "invite.ics"
    path.write_text(SERIES_CANCEL.format(start="20261102T090000", recurrence=""), encoding="utf-8")
    result = run(readers_site, "import", "calls", str(path), "--today", "2026-11-24")
    assert result.stdout == (f"Imported {path}: 1 booking: 0 booked, 0 held, 2 cancelled, 0 already recorded, "
                             "0 new people\n")
    cancelled = [(at, key) for kind, at, key in calls_of(readers_site, "ada@example.com") if kind == "call_cancelled"]
    assert cancelled == [("2026-11-24T11:00:00Z", SERIES),  # noon of --today in Amsterdam
                         ("2026-11-24T11:00:00Z", f"{SERIES};RECURRENCE-ID=20261109T080000Z")]
    assert stages(run, readers_site)["ada@example.com"] == "reader"


def test_a_series_cancelled_in_the_same_import_books_none_of_its_occurrences(readers_site, run, tmp_path):
    folder = tmp_path / "calendar"
    folder.mkdir()
    (folder / "export.ics").write_bytes((CALENDARS / "google-export.ics").read_bytes())
    (folder / "invite.ics").write_text(SERIES_CANCEL.format(start="20261102T090000", recurrence=""), encoding="utf-8")
    result = run(readers_site, "import", "calls", str(folder), "--today", "2026-11-24")
    assert result.stdout.startswith(f"Imported {folder}: 3 bookings: 0 booked, 0 held, 3 cancelled, 0 already recorded")
    assert calls_of(readers_site, "ada@example.com") == []


def test_cancelling_one_occurrence_keeps_the_others(readers_site, run, tmp_path):
    run(readers_site, "import", "calls", str(CALENDARS / "google-export.ics"), "--today", "2026-11-23")
    path = tmp_path / "invite.ics"
    path.write_text(SERIES_CANCEL.format(start="20261110T160000",
                                         recurrence="RECURRENCE-ID;TZID=Europe/Amsterdam:20261109T090000\n"),
                    encoding="utf-8")
    result = run(readers_site, "import", "calls", str(path), "--today", "2026-11-24")
    assert result.stdout.startswith(f"Imported {path}: 1 booking: 0 booked, 0 held, 1 cancelled, 0 already recorded")
    cancelled = [key for kind, _, key in calls_of(readers_site, "ada@example.com") if kind == "call_cancelled"]
    assert cancelled == [f"{SERIES};RECURRENCE-ID=20261109T080000Z"]
    assert stages(run, readers_site)["ada@example.com"] == "conversation"  # the first Monday was held


def test_an_invitation_you_decline_later_is_no_call(readers_site, run, tmp_path):
    invitation = CALENDARS / "zimbra-invitation.ics"
    result = run(readers_site, "import", "calls", str(invitation), "--today", "2026-11-23")
    assert result.stdout == (f"Imported {invitation}: 1 booking: 1 booked, 0 held, 0 cancelled, 0 already recorded, "
                             "0 new people\n")
    text = invitation.read_bytes().decode("utf-8")
    path = tmp_path / "declined.ics"
    path.write_text(text.replace("PARTSTAT=NEEDS-ACTION", "PARTSTAT=DECLINED"), encoding="utf-8")
    result = run(readers_site, "import", "calls", str(path), "--today", "2026-11-23")
    assert result.stdout == (f"Imported {path}: 0 bookings: 0 booked, 0 held, 1 cancelled, 0 already recorded, "
                             "0 new people\n  not booked: 1 event you declined\n")
    assert [kind for kind, _, _ in calls_of(readers_site, "grace@example.org")] == ["booked_call", "call_cancelled"]


def test_zimbra_books_the_organizer_who_invited_you(readers_site, run):
    invitation = CALENDARS / "zimbra-invitation.ics"
    run(readers_site, "import", "calls", str(invitation), "--today", "2026-11-30")
    key = "ics:2e7c5b1a-93d4-4f6e-b8a0-5c1d7e9f3a26"
    assert calls_of(readers_site, "grace@example.org") == [("booked_call", "2026-11-18T14:12:07Z", key),
                                                           ("call_held", "2026-11-25T09:00:00Z", key)]
    with open_store(readers_site) as store:
        grace = store.events_of(store.require("grace@example.org").id)
    assert {e.post for e in grace if e.source == "calls import"} == {"know-the-whole-account"}  # sent before booking


def test_icloud_attendees_by_mailto_and_by_email_parameter(readers_site, run):
    invitation = CALENDARS / "icloud-invitation.ics"
    result = run(readers_site, "import", "calls", str(invitation), "--today", "2026-11-23")
    assert result.stdout == (f"Imported {invitation}: 1 booking: 2 booked, 2 held, 0 cancelled, 0 already recorded, "
                             "1 new person (hedy@example.org)\n")
    key = "ics:6E2D9A41-7C3B-4F58-9B1E-0A8D5C3F2E71"
    assert calls_of(readers_site, "hedy@example.org") == [("booked_call", "2026-11-16T09:44:12Z", key),
                                                          ("call_held", "2026-11-20T09:30:00Z", key)]
    with open_store(readers_site) as store:
        assert store.require("hedy@example.org").name == "Hedy Lamarr"
        assert store.require("margaret@example.com").name == "Margaret Hamilton"


def test_an_outlook_invitation_with_a_windows_time_zone(readers_site, run):
    invitation = CALENDARS / "outlook-invitation.ics"
    assert b"\r\nX-MICROSOFT-CDO-BUSYSTATUS:TENTATIVE\r\n" in invitation.read_bytes()
    result = run(readers_site, "import", "calls", str(invitation), "--today", "2026-11-30")
    assert result.stdout == (f"Imported {invitation}: 1 booking: 2 booked, 2 held, 0 cancelled, 0 already recorded, "
                             "1 new person (dorothy.vaughan@example.net)\n"
                             "  not booked: 1 attendee: 1 room or resource\n")
    held = [at for kind, at, _ in calls_of(readers_site, "katherine@example.com") if kind == "call_held"]
    assert held == ["2026-11-24T14:00:00Z"]  # 15:00 in W. Europe Standard Time (CET)
    with open_store(readers_site) as store:
        assert store.person("room.langley@example.com") is None


def outlook_without_vtimezone(tzid: str) -> str:
    text = (CALENDARS / "outlook-invitation.ics").read_bytes().decode("utf-8")
    text = re.sub(r"BEGIN:VTIMEZONE.*?END:VTIMEZONE\r\n", "", text, flags=re.S)
    return text.replace("TZID=W. Europe Standard Time", f'TZID="{tzid}"')


@pytest.mark.parametrize("tzid, held", [
    ("W. Europe Standard Time", "2026-11-24T14:00:00Z"),
    ("Pacific Standard Time", "2026-11-24T23:00:00Z"),
    ("Tokyo Standard Time", "2026-11-24T06:00:00Z"),
    ("E. South America Standard Time", "2026-11-24T18:00:00Z"),
])
def test_windows_time_zone_names_without_a_vtimezone(readers_site, run, tmp_path, tzid, held):
    path = tmp_path / "invite.ics"
    path.write_text(outlook_without_vtimezone(tzid), encoding="utf-8")
    result = run(readers_site, "import", "calls", str(path), "--today", "2026-11-30")
    assert result.stderr == ""
    assert [at for kind, at, _ in calls_of(readers_site, "katherine@example.com") if kind == "call_held"] == [held]


@pytest.mark.parametrize("tzid, extra, held, how", [
    ("Mars/Olympus Mons", "", "2026-11-24T14:00:00Z", "read in Europe/Amsterdam, the site's time zone"),
    ("Mars/Olympus Mons", "X-WR-TIMEZONE:America/New_York\r\n", "2026-11-24T20:00:00Z",
     "read in America/New_York, the calendar's X-WR-TIMEZONE"),
    ("(UTC-05:00) Eastern Time (US & Canada)", "", "2026-11-24T20:00:00Z",
     "read as UTC-05:00, the offset its name gives (without summer time)"),
    ("(GMT+10.00) Canberra, Melbourne, Sydney", "", "2026-11-24T05:00:00Z",
     "read as UTC+10:00, the offset its name gives (without summer time)"),
], ids=["site-zone", "x-wr-timezone", "utc-offset-in-name", "gmt-offset-in-name"])
def test_an_unknown_time_zone_is_a_located_warning(readers_site, run, tmp_path, tzid, extra, held, how):
    path = tmp_path / "invite.ics"
    path.write_text(outlook_without_vtimezone(tzid).replace("VERSION:2.0\r\n", "VERSION:2.0\r\n" + extra),
                    encoding="utf-8")
    result = run(readers_site, "import", "calls", str(path), "--today", "2026-11-30")
    line = 18 + bool(extra)
    assert result.stderr == (f"{path}:{line}: warning: time zone {tzid!r} is not known (1 event); times in it are "
                             f"{how}\n")
    assert result.stdout.startswith(f"Imported {path}: 1 booking: 2 booked, 2 held")
    assert [at for kind, at, _ in calls_of(readers_site, "katherine@example.com") if kind == "call_held"] == [held]


@pytest.mark.parametrize("name, events", [
    ("wordpress-events.ics", "3 events without attendees (not meetings)"),
    ("icalendar-google-alarms.ics", "1 event without attendees (not a meeting)"),  # its ATTENDEE is an alarm's
    ("icalendar-outlook-alarm.ics", "3 events without attendees (not meetings)"),
])
def test_calendars_without_meetings_import_nothing(readers_site, run, name, events):
    path = CALENDARS / name
    before = counts(readers_site)
    result = run(readers_site, "import", "calls", str(path), "--today", "2026-11-23")
    assert (result.stdout, result.stderr) == (
        f"Imported {path}: 0 bookings: 0 booked, 0 held, 0 cancelled, 0 already recorded, 0 new people\n"
        f"  not booked: {events}\n", "")
    assert counts(readers_site) == before


def test_a_calendar_without_events(readers_site, run, tmp_path):
    path = tmp_path / "empty.ics"
    path.write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Apple Inc.//macOS 15.1//EN\r\nEND:VCALENDAR\r\n")
    result = run(readers_site, "import", "calls", str(path))
    assert result.stdout == (f"Imported {path}: 0 bookings: 0 booked, 0 held, 0 cancelled, 0 already recorded, "
                             "0 new people\n  not booked: the calendar has no events\n")


def test_a_folder_with_an_invitation_and_its_cancellation(readers_site, run, tmp_path):
    folder = tmp_path / "invites"
    folder.mkdir()
    text = (CALENDARS / "google-invitation.ics").read_bytes().decode("utf-8")
    (folder / "invite.ics").write_text(text, encoding="utf-8")
    (folder / "CANCEL.ICS").write_text(text.replace("METHOD:REQUEST", "METHOD:CANCEL").replace(
        "SEQUENCE:0", "SEQUENCE:1").replace("STATUS:CONFIRMED", "STATUS:CANCELLED"), encoding="utf-8")
    (folder / "notes.txt").write_text("not a calendar")
    before = counts(readers_site)
    result = run(readers_site, "import", "calls", str(folder), "--today", "2026-11-23")
    assert result.stdout == (f"Imported {folder}: 1 booking: 0 booked, 0 held, 3 cancelled, 0 already recorded, "
                             "0 new people\n  not booked: 2 attendees: 1 declined, 1 room or resource\n")
    assert counts(readers_site) == before


def test_an_event_without_dtstart_is_skipped_with_a_warning(readers_site, run, tmp_path):
    path = tmp_path / "no-start.ics"
    path.write_text((DATA / "bookings.ics").read_text().replace("DTSTART:20261201T150000Z\n", ""))
    result = run(readers_site, "import", "calls", str(path), "--today", "2026-11-23")
    assert result.stderr == (f"{path}:19: warning: event 2 (call-new-1@calendly.com) has no DTSTART: skipped (if it "
                             "is a call, give it a start and export the calendar again)\n")
    assert result.stdout == (f"Imported {path}: 2 bookings: 1 booked, 1 held, 1 cancelled, 0 already recorded, "
                             "0 new people\n  not booked: 1 event without DTSTART\n")


def test_a_cancellation_without_dtstart_still_cancels(readers_site, run, tmp_path):
    run(readers_site, "import", "calls", str(DATA / "bookings.ics"), "--today", "2026-11-23")
    assert stages(run, readers_site)["radia@example.com"] == "conversation"
    path = tmp_path / "cancel.ics"
    path.write_text("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Calendly//EN\nMETHOD:CANCEL\nBEGIN:VEVENT\n"
                    "UID:call-new-1@calendly.com\nSEQUENCE:1\nDTSTAMP:20261121T090000Z\n"
                    "ORGANIZER;CN=Jane Doe:mailto:jane@example.com\n"
                    "ATTENDEE;CN=Radia Perlman:mailto:radia@example.com\nEND:VEVENT\nEND:VCALENDAR\n")
    result = run(readers_site, "import", "calls", str(path), "--today", "2026-11-23")
    assert (result.stdout, result.stderr) == (
        f"Imported {path}: 1 booking: 0 booked, 0 held, 1 cancelled, 0 already recorded, 0 new people\n", "")
    assert stages(run, readers_site)["radia@example.com"] == "reader"
