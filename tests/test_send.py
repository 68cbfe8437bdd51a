"""touchgen send against a real SMTP server on 127.0.0.1: every message once, whatever goes wrong."""

from __future__ import annotations

import datetime as dt
import email
import hashlib
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from email import policy
from pathlib import Path

import pytest

from touchgen.config import load_settings
from touchgen.errors import SendError
from touchgen.mail.compose import Letter, build_message

from conftest import EPOCH, post, token

SUBSCRIBED = {"ada@example.com", "grace@example.org", "noname@example.com", "zoe@example.com", "linus@example.net"}
TITLE = "Welcome: why I write on Mondays"


def summary(sent=0, already=0, uncertain=0, retried=0, bounced=0, failed=0):
    return (f"Sent '{TITLE}': {sent} sent, {already} skipped as already sent, {uncertain} uncertain, "
            f"{retried} retried, {bounced} bounced, {failed} failed\n")


def sends(site):
    db = sqlite3.connect(site / "data/touchgen.db")
    try:
        return {row[0]: (row[1], row[2]) for row in db.execute(
            "SELECT p.email, s.status, s.message_id FROM sends s JOIN people p ON p.id = s.person_id")}
    finally:
        db.close()


def test_every_message_arrives_once_with_its_headers(mail_site, run, smtp):
    result = run(mail_site, "send", "welcome", "--yes")
    assert result.stdout == summary(sent=5)
    assert smtp.handler.per_recipient() == {address: 1 for address in SUBSCRIBED}
    ledger = sends(mail_site)
    for message in smtp.handler.messages():
        address = message["To"].addresses[0].addr_spec
        assert message["From"] == "Jane Doe <jane@example.com>"
        assert message["Reply-To"] == "jane@example.com"
        assert message["Subject"] == TITLE
        assert message["Date"] == "Mon, 23 Nov 2026 12:00:00 +0000"
        assert re.fullmatch(r"<welcome\.[0-9a-f]{16}@example\.com>", message["Message-ID"])
        assert ledger[address] == ("sent", message["Message-ID"][1:-1])
        assert message["List-Id"] == "My Monday Letter <monday.example.com>"
        assert message["List-Unsubscribe"] == "<mailto:unsubscribe@example.com?subject=unsubscribe>"
        assert message["List-Unsubscribe-Post"] is None
        assert message.get_content_type() == "multipart/alternative"
        assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
        assert not message.defects and not any(part.defects for part in message.walk())
    ids = [m["Message-ID"] for m in smtp.handler.messages()]
    assert len(set(ids)) == 5

    again = run(mail_site, "send", "welcome", "--yes")
    assert again.stdout == "Nobody left to send 'Welcome: why I write on Mondays' to\n" + summary(already=5)
    assert len(smtp.handler.received) == 5


def test_personalisation(mail_site, run, smtp):
    run(mail_site, "send", "welcome", "--yes")
    by_address = {m["To"].addresses[0].addr_spec: m for m in smtp.handler.messages()}
    greetings = {address: m.get_body(("plain",)).get_content().splitlines()[3] for address, m in by_address.items()}
    assert greetings == {"ada@example.com": "Hi Ada,", "grace@example.org": "Hi Grace,",
                         "noname@example.com": "Hi there,", "zoe@example.com": "Hi Zoë,",
                         "linus@example.net": "Hi Linus,"}
    html = by_address["zoe@example.com"].get_body(("html",)).get_content()
    assert "Hi Zoë," in html and "%%" not in html
    assert str(by_address["zoe@example.com"]["To"]) == "Zoë Ünïcode <zoe@example.com>"
    assert ('href="https://cal.com/jane/30min?utm_source=newsletter&amp;utm_medium=email&amp;'
            'utm_campaign=welcome"') in html
    text = by_address["ada@example.com"].get_body(("plain",)).get_content()
    assert "Book a call with me: https://cal.com/jane/30min?utm_source=newsletter&utm_medium=email&utm_campaign=welcome" in text
    assert "Read this on the web: https://example.com/posts/welcome/" in text
    assert "ada@example.com" not in text  # no address handed to the booking tool unless asked


def test_https_unsubscribe_and_prefilled_booking(mail_site, run, smtp):
    config = mail_site / "touchgen.toml"
    config.write_text(config.read_text().replace('unsubscribe_url = ""', 'unsubscribe_url = "https://example.com/u"')
                      .replace("prefill_email = false", "prefill_email = true"), encoding="utf-8")
    stale = run(mail_site, "send", "welcome", "--yes", code=1)
    assert stale.stderr == ("Error: output/newsletter/welcome/ was built before the last change to touchgen.toml "
                            "([site] or [newsletter]); run touchgen build first (nothing was sent)\n")
    run(mail_site, "build")
    run(mail_site, "send", "welcome", "--yes")
    message = next(m for m in smtp.handler.messages() if "ada@" in str(m["To"]))
    link = f"https://example.com/u?email=ada%40example.com&token={token('ada@example.com')}"
    assert message["List-Unsubscribe"] == f"<mailto:unsubscribe@example.com?subject=unsubscribe>, <{link}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(("plain",)).get_content()
    assert "utm_campaign=welcome&email=ada%40example.com" in text
    assert f"Unsubscribe: {link}" in text


def test_temporary_failures_are_retried(mail_site, run, smtp, pauses):
    smtp.handler.temporary["ada@example.com"] = 2
    result = run(mail_site, "send", "welcome", "--yes")
    assert result.stdout == summary(sent=5)
    assert smtp.handler.per_recipient()["ada@example.com"] == 1
    assert pauses == [0.5, 1.0]  # backoff before each new try


def test_temporary_failures_that_last_leave_a_retryable_send(mail_site, run, smtp, pauses):
    smtp.handler.temporary["ada@example.com"] = 5
    result = run(mail_site, "send", "welcome", "--yes", code=1)
    assert result.stdout == summary(sent=4, failed=1)
    assert result.stderr == ("Error: 1 message not accepted for now (ada@example.com); "
                             "run touchgen send welcome again later\n")
    assert sends(mail_site)["ada@example.com"][0] == "failed"
    assert pauses == [0.5, 1.0, 2.0, 4.0]  # then it gives up for this run
    again = run(mail_site, "send", "welcome", "--yes")
    assert again.stdout == summary(sent=1, already=4)
    assert smtp.handler.per_recipient() == {address: 1 for address in SUBSCRIBED}
    delivered = next(m for m in smtp.handler.messages() if "ada@" in str(m["To"]))
    assert sends(mail_site)["ada@example.com"] == ("sent", delivered["Message-ID"][1:-1])


def test_permanent_failure_is_a_bounce(mail_site, run, smtp):
    smtp.handler.refuse.add("linus@example.net")
    result = run(mail_site, "send", "welcome", "--yes")
    assert result.stdout == summary(sent=4, bounced=1)
    assert result.stderr == "bounced: linus@example.net\n"
    assert set(smtp.handler.per_recipient()) == SUBSCRIBED - {"linus@example.net"}
    assert sends(mail_site)["linus@example.net"][0] == "bounced"
    shown = run(mail_site, "readers", "show", "linus@example.net").stdout
    assert "bounced" in shown and "550 5.1.1 No such user" in shown
    again = run(mail_site, "send", "welcome", "--yes")
    assert again.stdout.endswith(summary(already=4)[:-1] + ", 1 not sent (bounced before)\n")


def test_dropped_connection_is_reopened(mail_site, run, smtp):
    smtp.handler.drop_at_mail = {3}
    result = run(mail_site, "send", "welcome", "--yes")
    assert result.stdout == summary(sent=5)
    assert smtp.handler.per_recipient() == {address: 1 for address in SUBSCRIBED}


def test_no_server_no_claims(mail_site, run, smtp):
    smtp.stop()
    result = run(mail_site, "send", "welcome", "--yes", code=1)
    assert result.stderr.startswith("Error: cannot connect to the SMTP server 127.0.0.1:")
    assert sends(mail_site) == {}


def test_unsubscribed_readers_receive_nothing(mail_site, run, smtp):
    run(mail_site, "readers", "unsubscribe", "ada@example.com")
    result = run(mail_site, "send", "welcome", "--yes")
    assert result.stdout == summary(sent=4)
    assert "ada@example.com" not in smtp.handler.per_recipient()
    assert "gone@example.com" not in smtp.handler.per_recipient()


def test_limit_and_confirmation(mail_site, run, smtp):
    from click.testing import CliRunner

    from touchgen.cli import cli

    refused = CliRunner().invoke(cli, ["--site", str(mail_site), "send", "welcome"], input="n\n")
    assert refused.exit_code == 1
    assert "Send 'Welcome: why I write on Mondays' (welcome) to 5 readers now? [y/N]: n" in refused.output
    assert smtp.handler.received == []
    result = run(mail_site, "send", "welcome", "--yes", "--limit", "2")
    assert result.stdout == summary(sent=2)[:-1] + ", 3 left for a later run (--limit)\n"
    confirmed = CliRunner().invoke(cli, ["--site", str(mail_site), "send", "welcome"], input="y\n")
    assert confirmed.exit_code == 0
    assert "to 3 readers now?" in confirmed.output
    assert smtp.handler.per_recipient() == {address: 1 for address in SUBSCRIBED}


def test_rate_limit(mail_site, run, smtp, pauses):
    config = mail_site / "touchgen.toml"
    config.write_text(config.read_text().replace("rate_per_minute = 0", "rate_per_minute = 300"), encoding="utf-8")
    run(mail_site, "send", "welcome", "--yes")
    assert len(smtp.handler.received) == 5
    # 300 a minute is one every 0.2 s: the first goes at once, each later one waits its turn.
    assert pauses == pytest.approx([0.0, 0.2, 0.2, 0.2, 0.2])


def test_dry_run_writes_eml_files_and_opens_no_connection(mail_site, run, smtp):
    smtp.stop()
    result = run(mail_site, "send", "welcome", "--dry-run")
    assert result.stdout == ("Wrote 5 messages of 'Welcome: why I write on Mondays' to data/outbox/welcome/ "
                             "(dry run: nothing sent or recorded); 0 already sent, 0 uncertain\n")
    files = sorted((mail_site / "data/outbox/welcome").iterdir())
    assert [f.name for f in files] == sorted(f"{address}.eml" for address in SUBSCRIBED)
    message = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert message["Subject"] == TITLE and message.get_body(("html",)) is not None
    assert sends(mail_site) == {}
    assert not (mail_site / "output/newsletter/welcome/outbox").exists()


def test_test_send_is_not_recorded(mail_site, run, smtp):
    result = run(mail_site, "send", "welcome", "--to", "me@example.com")
    assert re.fullmatch(r"Sent a test of 'Welcome: why I write on Mondays' to me@example\.com "
                        r"\(welcome\.test\.[0-9a-f]{16}@example\.com\); not recorded as a send\n", result.stdout)
    assert list(smtp.handler.per_recipient()) == ["me@example.com"]
    assert sends(mail_site) == {}
    assert run(mail_site, "send", "welcome", "--yes").stdout == summary(sent=5)


def test_refuses_drafts_scheduled_unbuilt_and_unknown_posts(mail_site, run, smtp):
    post(mail_site, "2026-11-16-draft.md", "title: Draft\ndate: 2026-11-16\ndraft: true\n")
    post(mail_site, "2026-11-30-later.md", "title: Later\ndate: 2026-11-30\n")
    post(mail_site, "2026-11-09-unbuilt.md", "title: Unbuilt\ndate: 2026-11-09\n")
    cases = {
        "draft": "Error: content/posts/2026-11-16-draft.md: 'draft' is a draft; set draft: false and run "
                 "touchgen build first\n",
        "later": "Error: content/posts/2026-11-30-later.md: 'later' is scheduled for 2026-11-30; send it on or "
                 "after that day\n",
        "unbuilt": "Error: output/newsletter/unbuilt/email.html is missing; run touchgen build first\n",
        "nope": "Error: no post with the slug 'nope' (newest: later, welcome, draft, unbuilt)\n",
    }
    for slug, message in cases.items():
        result = run(mail_site, "send", slug, "--yes", code=1)
        assert result.stderr == message
    assert smtp.handler.received == []


def test_a_title_with_a_line_break_cannot_add_a_header(mail_site):
    settings = load_settings(mail_site)
    letter = Letter("welcome", "Hello", "Hello\r\nBcc: everyone@example.com", "<p>Hi</p>", "Hi")
    with pytest.raises(SendError) as caught:
        build_message(settings, letter, "Ada", "ada@example.com", "x@example.com",
                      dt.datetime(2026, 11, 23, tzinfo=dt.timezone.utc))
    assert str(caught.value) == ("the Subject header would contain a line break: "
                                 "'Hello\\r\\nBcc: everyone@example.com' (remove it)")
    with pytest.raises(SendError):
        build_message(settings, Letter("welcome", "Hi", "Hi", "", ""), "Ada\nBcc: x@example.com", "ada@example.com",
                      "x@example.com", dt.datetime(2026, 11, 23, tzinfo=dt.timezone.utc))


def test_sending_never_loads_a_renderer(mail_site):
    """send reads what the build wrote (email.html, email.txt, email.json): no MJML, Jinja2, Markdown or Pygments."""
    code = ("import sys\nfrom touchgen.cli import cli\n"
            "try:\n    cli(['--site', sys.argv[1], 'send', 'welcome', '--dry-run'], prog_name='touchgen')\n"
            "except SystemExit as exc:\n    assert exc.code in (0, None), exc.code\n"
            "print('LOADED', sorted({m.split('.')[0] for m in sys.modules} & {'mjml', 'jinja2', 'markdown', 'pygments'}))\n")
    result = subprocess.run([sys.executable, "-c", code, str(mail_site)], capture_output=True, text=True,
                            env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("LOADED []\n")


def test_send_takes_the_subject_from_what_the_build_wrote(mail_site, run, smtp):
    meta = json.loads((mail_site / "output/newsletter/welcome/email.json").read_text())
    assert meta["slug"] == "welcome" and meta["subject"] == TITLE and meta["draft"] is False
    assert meta["source"] == "content/posts/2026-11-23-welcome.md"
    source = (mail_site / meta["source"]).read_bytes()
    assert meta["source_sha256"] == hashlib.sha256(source).hexdigest()
    meta["subject"] = "A subject the build chose"
    (mail_site / "output/newsletter/welcome/email.json").write_text(json.dumps(meta))
    run(mail_site, "send", "welcome", "--yes")
    assert {m["Subject"] for m in smtp.handler.messages()} == {"A subject the build chose"}


def touchgen_process(site: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "touchgen", "--site", str(site), "send", "welcome", "--yes",
                             *args], env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("phase, count, delivered_before_rerun", [
    pytest.param("RCPT", 1, 0, id="killed-at-the-first-message"),
    pytest.param("RCPT", 3, 2, id="killed-before-the-server-had-the-third"),
    pytest.param("DATA", 3, 3, id="killed-after-the-server-had-the-third"),
    pytest.param("DATA", 5, 5, id="killed-after-the-server-had-the-last"),
])
def test_killed_midway_a_rerun_sends_everyone_else_once(mail_site, smtp, phase, count, delivered_before_rerun):
    smtp.handler.pause = (phase, count)
    process = touchgen_process(mail_site)
    assert smtp.handler.paused.wait(30), process.communicate()
    process.send_signal(signal.SIGKILL)
    process.wait(30)
    smtp.handler.release.set()
    time.sleep(0.2)
    assert len(smtp.handler.received) == delivered_before_rerun
    uncertain = [address for address, (status, _) in sends(mail_site).items() if status == "claimed"]
    assert len(uncertain) == 1

    smtp.handler.pause = None
    rerun = touchgen_process(mail_site)
    out, err = rerun.communicate(timeout=60)
    assert rerun.returncode == 1
    assert out.endswith(summary(sent=5 - count, already=count - 1, uncertain=1))
    assert err == (f"Error: 1 message uncertain ({uncertain[0]}): the server never confirmed them (a run was "
                   "stopped, or the connection dropped); they may have arrived. To send them again: "
                   "touchgen send welcome --retry-uncertain\n")
    counts = smtp.handler.per_recipient()
    assert max(counts.values()) == 1
    assert set(counts) == SUBSCRIBED - ({uncertain[0]} if phase == "RCPT" else set())

    if phase == "RCPT":  # the server never had it: sending it again is right
        retry = touchgen_process(mail_site, "--retry-uncertain")
        out, err = retry.communicate(timeout=60)
        assert retry.returncode == 0, err
        assert out == summary(sent=1, already=4, retried=1)
        assert smtp.handler.per_recipient() == {address: 1 for address in SUBSCRIBED}
