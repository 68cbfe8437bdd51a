"""import replies: real mailbox files with replies, an out-of-office, a bounce, an unsubscribe, a forward."""

from __future__ import annotations

import mailbox
import shutil

import pytest

from touchgen.people.store import open_store

from conftest import DATA, counts, stages

REPORT = """\
Imported {path}: 10 messages
  replies         3 new, 0 already recorded (small-promises-kept 2, know-the-whole-account 1)
  introduced      1 (hedy@example.com by ada@example.com)
  auto-replies    2 skipped
  bounces         1 (katherine@example.com)
  not bounces     0
  complaints      0 unsubscribed
  unsubscribes    1
  subscribes      0
  from you        1 ignored
  unknown         1 (stranger@example.com)
  no sender       1 ({path} message 10)
  not understood  0
"""


def test_mbox_moves_exactly_the_repliers(readers_site, run):
    site = readers_site
    before = stages(run, site)
    assert set(before.values()) == {"reader"}
    result = run(site, "import", "replies", str(DATA / "inbox.mbox"))
    assert result.stdout == REPORT.format(path=DATA / "inbox.mbox")
    after = stages(run, site)
    moved = {email for email, stage in after.items() if stage != "reader"}
    assert moved == {"ada@example.com", "grace@example.org", "hedy@example.com"}
    assert after["hedy@example.com"] == "conversation"

    with open_store(site) as store:
        hedy = store.require("hedy@example.com")
        assert hedy.subscribed is False and hedy.introduced_by == store.require("ada@example.com").id
        grace = store.events_of(store.require("grace@example.org").id)
        # No In-Reply-To: the reply counts for the last post sent before it.
        assert [(e.kind, e.post) for e in grace if e.kind == "replied"] == [("replied", "know-the-whole-account")]
        assert store.require("alan@example.com").subscribed is False
        katherine = store.require("katherine@example.com")
        assert "bounced" in [e.kind for e in store.events_of(katherine.id)]
        status = store.db.execute("SELECT status FROM sends WHERE message_id = ?",
                                  ("small-promises-kept.t3@example.com",)).fetchone()[0]
        assert status == "bounced"
        margaret = store.events_of(store.require("margaret@example.com").id)
        assert "replied" not in [e.kind for e in margaret]

    first = counts(site)
    again = run(site, "import", "replies", str(DATA / "inbox.mbox"))
    assert "  replies         0 new, 3 already recorded" in again.stdout
    assert counts(site) == first


def test_maildir_and_eml_folder_give_the_same_result(readers_site, run, tmp_path):
    source = mailbox.mbox(DATA / "inbox.mbox")
    maildir = mailbox.Maildir(tmp_path / "Maildir", create=True)
    emls = tmp_path / "emls"
    emls.mkdir()
    for number, message in enumerate(source, start=1):
        maildir.add(message)
        (emls / f"{number:02d}.eml").write_bytes(message.as_bytes())
    result = run(readers_site, "import", "replies", str(tmp_path / "Maildir"))
    assert "  replies         3 new, 0 already recorded" in result.stdout
    first = counts(readers_site)
    result = run(readers_site, "import", "replies", str(emls))
    assert "  replies         0 new, 3 already recorded" in result.stdout
    assert counts(readers_site) == first
    single = run(readers_site, "import", "replies", str(emls / "01.eml"))
    assert single.stdout.startswith(f"Imported {emls / '01.eml'}: 1 message\n  replies         0 new, 1 already recorded")


AUTO = ("From: Ada <ada@example.com>\nTo: jane@example.com\nSubject: {subject}\n"
        "Date: Mon, 23 Nov 2026 10:00:00 +0000\nMessage-ID: <{n}@example.com>\n"
        "In-Reply-To: <small-promises-kept.t1@example.com>\n{header}\n\nAway.\n")


@pytest.mark.parametrize("subject,header", [
    ("Re: hi", "Precedence: bulk"),
    ("Re: hi", "Precedence: auto_reply"),
    ("Re: hi", "X-Autorespond: yes"),
    ("Re: hi", "X-Autoreply: yes"),
    ("Re: hi", "X-MS-Exchange-Inbox-Rules-Loop: ada@example.com"),
    ("Re: hi", "Auto-Submitted: auto-generated"),
    ("Re: hi", "Auto-Submitted: auto-replied (zimbra; vacation)"),
    ("Re: hi", "X-Apple-Action: VACATION"),
    ("Auto reply: hi", "X-Other: 1"),
    ("Automatic reply: hi", "X-Other: 1"),
    ("Out of Office: Re: hi", "X-Other: 1"),
    ("Automatische Antwort: hi", "X-Other: 1"),
    ("=?utf-8?q?R=C3=A9ponse_automatique_:?= hi", "X-Other: 1"),
], ids=["bulk", "auto_reply", "x-autorespond", "x-autoreply", "exchange-rules-loop", "auto-generated", "zimbra",
        "icloud-header", "icloud-subject", "outlook-subject", "exchange-2007-subject", "german", "french"])
def test_each_auto_reply_sign_is_skipped(readers_site, run, tmp_path, subject, header):
    (tmp_path / "auto.eml").write_text(AUTO.format(subject=subject, n="auto", header=header), encoding="utf-8")
    result = run(readers_site, "import", "replies", str(tmp_path / "auto.eml"))
    assert "  auto-replies    1 skipped" in result.stdout
    assert "  replies         0 new, 0 already recorded" in result.stdout
    assert stages(run, readers_site)["ada@example.com"] == "reader"


def test_vendor_auto_replies_do_not_start_a_conversation(readers_site, run):
    """iCloud (X-Apple-Action: VACATION, 'Auto reply:'), Outlook ('Automatic reply:', inbox-rules loop),
    Gmail's vacation responder (Auto-Submitted: auto-replied), Zimbra and Exchange 2007: all answer a
    newsletter by its Message-ID, so each would count as a reply if it were not recognised."""
    result = run(readers_site, "import", "replies", str(DATA / "notices"))
    assert "  auto-replies    5 skipped" in result.stdout
    assert "  replies         0 new, 0 already recorded" in result.stdout
    after = stages(run, readers_site)
    assert {after[email] for email in ("ada@example.com", "grace@example.org", "tim@example.com")} == {"reader"}


def test_a_person_who_writes_from_outlook_is_not_an_auto_reply(readers_site, run, tmp_path):
    """X-Auto-Response-Suppress asks others not to auto-reply; Outlook and Exchange also set it on
    mail people write, so on its own it does not make a message an auto-reply."""
    for n, header in enumerate(["X-Auto-Response-Suppress: All", "X-Auto-Response-Suppress: DR, OOF, AutoReply",
                                "Auto-Submitted: no"]):
        (tmp_path / f"{n}.eml").write_text(AUTO.format(subject="Re: hi", n=n, header=header))
    result = run(readers_site, "import", "replies", str(tmp_path))
    assert "  replies         3 new, 0 already recorded" in result.stdout
    assert "  auto-replies    0 skipped" in result.stdout


EMPTY = """\
Imported {path}: 0 messages
  replies         0 new, 0 already recorded
  introduced      0
  auto-replies    0 skipped
  bounces         0
  not bounces     0
  complaints      0 unsubscribed
  unsubscribes    0
  subscribes      0
  from you        0 ignored
  unknown         0
  no sender       0
  not understood  0
"""


@pytest.mark.parametrize("make", [
    lambda p: p.write_bytes(b""),
    lambda p: p.write_bytes(b"\n\n  \r\n"),
    lambda p: [p.mkdir(), *((p / sub).mkdir() for sub in ("cur", "new", "tmp"))],
    lambda p: [p.mkdir(), (p / "empty.eml").write_bytes(b"")],
], ids=["0-byte mbox", "blank file", "empty Maildir", "folder of empty .eml"])
def test_an_empty_mailbox_is_zero_messages(readers_site, run, tmp_path, make):
    path = tmp_path / "inbox"
    make(path)
    before = counts(readers_site)
    result = run(readers_site, "import", "replies", str(path))
    assert result.stdout == EMPTY.format(path=path)
    assert result.stderr == ""
    assert counts(readers_site) == before


def test_folder_without_mail_is_an_error(readers_site, run, tmp_path):
    (tmp_path / "notes.txt").write_text("not mail\n")
    result = run(readers_site, "import", "replies", str(tmp_path), code=1)
    assert result.stderr == (f"Error: {tmp_path}: no .eml files and not a Maildir (expected cur/ and new/ folders)\n")


def test_eml_that_is_not_mail_is_an_error(readers_site, run, tmp_path):
    shutil.copy(DATA / "inbox.mbox", tmp_path / "ok.eml")
    (tmp_path / "notes.eml").write_text("just some notes\nnothing else\n")
    before = counts(readers_site)
    result = run(readers_site, "import", "replies", str(tmp_path), code=1)
    assert result.stderr == (
        f"error: {tmp_path / 'notes.eml'}: is not an email message (no From, To, Subject, Date or Message-ID "
        "header); remove it or export the mail again\n"
        "Error: 1 file not mail; nothing was imported\n")
    assert counts(readers_site) == before


def test_missing_path(readers_site, run):
    result = run(readers_site, "import", "replies", "nowhere.mbox", code=1)
    assert result.stderr == "Error: nowhere.mbox: no such file or folder (check the path)\n"


def test_truncated_mbox_reports_and_keeps_the_rest(readers_site, run, tmp_path):
    data = (DATA / "inbox.mbox").read_bytes()
    cut = data[: data.index(b"From grace@example.org") + 120]
    (tmp_path / "cut.mbox").write_bytes(cut)
    result = run(readers_site, "import", "replies", str(tmp_path / "cut.mbox"))
    assert result.stdout.splitlines()[:2] == [
        f"Imported {tmp_path / 'cut.mbox'}: 2 messages",
        # Grace's message lost its Date: it counts at import time, for the last post sent before then.
        "  replies         2 new, 0 already recorded (small-promises-kept 2)"]
