"""import replies: real mailbox files with replies, an out-of-office, a bounce, an unsubscribe, a forward."""

from __future__ import annotations

import mailbox
import shutil

from touchgen.people.store import open_store

from conftest import DATA, counts, stages

REPORT = """\
Imported {path}: 10 messages
  replies       3 new, 0 already recorded (small-promises-kept 2, know-the-whole-account 1)
  auto-replies  2 skipped
  bounces       1 (katherine@example.com)
  unsubscribes  1
  subscribes    0
  from you      1 ignored
  introduced    1 (hedy@example.com by ada@example.com)
  unknown       1 (stranger@example.com)
  no sender     1 ({path} message 10)
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
    assert "  replies       0 new, 3 already recorded" in again.stdout
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
    assert "  replies       3 new, 0 already recorded" in result.stdout
    first = counts(readers_site)
    result = run(readers_site, "import", "replies", str(emls))
    assert "  replies       0 new, 3 already recorded" in result.stdout
    assert counts(readers_site) == first
    single = run(readers_site, "import", "replies", str(emls / "01.eml"))
    assert single.stdout.startswith(f"Imported {emls / '01.eml'}: 1 message\n  replies       0 new, 1 already recorded")


def test_exchange_and_precedence_auto_replies_are_skipped(readers_site, run, tmp_path):
    template = ("From: Ada <ada@example.com>\nTo: jane@example.com\nSubject: {subject}\n"
                "Date: Mon, 23 Nov 2026 10:00:00 +0000\nMessage-ID: <{n}@example.com>\n{header}\n\nAway.\n")
    cases = ["X-Auto-Response-Suppress: All", "Precedence: bulk", "Precedence: auto_reply", "X-Autorespond: yes",
             "X-MS-Exchange-Inbox-Rules-Loop: ada@example.com", "Auto-Submitted: auto-generated"]
    for n, header in enumerate(cases):
        (tmp_path / f"{n}.eml").write_text(template.format(subject="Re: hi", n=n, header=header))
    (tmp_path / "ooo.eml").write_text(template.format(subject="Out of Office: Re: hi", n="ooo", header="X-Other: 1"))
    (tmp_path / "no.eml").write_text(template.format(subject="Re: hi", n="human", header="Auto-Submitted: no"))
    result = run(readers_site, "import", "replies", str(tmp_path))
    assert "  auto-replies  7 skipped" in result.stdout
    assert "  replies       1 new" in result.stdout


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
        "  replies       2 new, 0 already recorded (small-promises-kept 2)"]
