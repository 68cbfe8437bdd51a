"""touchgen send when the server, the settings or one reader's data is wrong: nobody wrongly bounced,
nothing sent twice, the run stops or goes on as it should (a real SMTP server on 127.0.0.1)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from conftest import EPOCH, post

from test_send import SUBSCRIBED, TITLE, sends, summary


def bounced_people(site) -> set[str]:
    db = sqlite3.connect(site / "data/touchgen.db")
    try:
        return {row[0] for row in db.execute(
            "SELECT DISTINCT p.email FROM events e JOIN people p ON p.id = e.person_id WHERE e.kind = 'bounced'")}
    finally:
        db.close()


def set_smtp(site, **values: str) -> None:
    config = site / "touchgen.toml"
    text = config.read_text()
    for key, value in values.items():
        line = next(line for line in text.splitlines() if line.startswith(f"{key} = "))
        text = text.replace(line, f"{key} = {value}")
    config.write_text(text, encoding="utf-8")


def test_a_relay_refusal_for_everyone_stops_the_run_and_bounces_nobody(mail_site, run, smtp):
    smtp.handler.rcpt_reply_all = "554 5.7.1 <ada@example.com>: Relay access denied"
    result = run(mail_site, "send", "welcome", "--yes", code=1)
    assert result.stderr == (
        "Error: the SMTP server refused to send: 554 5.7.1 <ada@example.com>: Relay access denied (at RCPT); "
        "nobody was marked bounced; the server refused to relay this mail or to accept this sender: check the "
        "login ([smtp] username and the password in $TOUCHGEN_SMTP_PASSWORD) and that [newsletter] from is an "
        "address the server lets you send from, then run touchgen send welcome again\n")
    assert bounced_people(mail_site) == set()
    assert {status for status, _ in sends(mail_site).values()} == {"failed"}  # the claim is released
    smtp.handler.rcpt_reply_all = None  # the login is fixed
    again = run(mail_site, "send", "welcome", "--yes")
    assert again.stdout == summary(sent=5)
    assert smtp.handler.per_recipient() == {address: 1 for address in SUBSCRIBED}


def test_a_message_too_large_stops_the_run(mail_site, run, smtp):
    smtp.handler.data_reply = "552 5.3.4 Message size exceeds fixed limit"
    result = run(mail_site, "send", "welcome", "--yes", code=1)
    assert result.stderr == (
        "Error: the SMTP server refused to send: 552 5.3.4 Message size exceeds fixed limit (at BODY); nobody was "
        "marked bounced; the server refused the message's size: make the post or its images smaller, then run "
        "touchgen send welcome again\n")
    assert bounced_people(mail_site) == set()


@pytest.mark.parametrize("reply", ["554 Transaction failed: content rejected", "500 Line too long"],
                         ids=["content", "line-too-long"])
def test_a_refusal_of_the_message_without_an_enhanced_code_bounces_nobody(mail_site, run, smtp, reply):
    smtp.handler.data_reply = reply
    result = run(mail_site, "send", "welcome", "--yes", code=1)
    assert result.stderr.startswith(f"Error: the SMTP server refused to send: {reply} (at BODY); nobody was marked")
    assert bounced_people(mail_site) == set()


def test_an_unknown_address_is_the_only_bounce(mail_site, run, smtp):
    smtp.handler.rcpt_replies["grace@example.org"] = "550 5.1.1 <grace@example.org>: Recipient address rejected"
    result = run(mail_site, "send", "welcome", "--yes")
    assert result.stdout == summary(sent=4, bounced=1)
    assert result.stderr == "bounced: grace@example.org\n"
    assert bounced_people(mail_site) == {"grace@example.org"}


def test_the_same_refusal_for_five_readers_in_a_row_stops_the_run(mail_site, run, smtp):
    for address in SUBSCRIBED:
        smtp.handler.rcpt_replies[address] = f"550 5.1.1 <{address}>: Recipient address rejected: user unknown"
    result = run(mail_site, "send", "welcome", "--yes", code=1)
    assert result.stderr.startswith("Error: the SMTP server gave the same refusal for 5 readers in a row (")
    assert "nobody was marked bounced" in result.stderr
    assert bounced_people(mail_site) == set()


def test_unbounce_takes_a_wrong_bounce_back(mail_site, run, smtp):
    smtp.handler.rcpt_replies["grace@example.org"] = "550 5.1.1 No such user"
    run(mail_site, "send", "welcome", "--yes")
    listed = run(mail_site, "readers", "list", "--bounced", "--format", "csv").stdout
    assert listed.splitlines()[1:] == ["grace@example.org,Grace Hopper,reader,True,plain import,2026-11-23T12:00:00Z"]
    assert run(mail_site, "readers", "unbounce", "grace@example.org").stdout == (
        "grace@example.org will be mailed again (the bounce is taken back)\n")
    assert run(mail_site, "readers", "list", "--bounced", "--format", "csv").stdout.count("\n") == 1
    smtp.handler.rcpt_replies.clear()
    again = run(mail_site, "send", "welcome", "--yes")
    assert again.stdout == summary(sent=1, already=4)
    assert smtp.handler.per_recipient()["grace@example.org"] == 1
    assert run(mail_site, "readers", "unbounce", "grace@example.org", code=1).stderr == (
        "Error: grace@example.org has no bounce to take back\n")


def test_a_name_with_a_line_break_fails_that_reader_only(mail_site, run, smtp):
    db = sqlite3.connect(mail_site / "data/touchgen.db")
    db.execute("UPDATE people SET name = 'Linus\r\nBcc: all@example.com' WHERE email = 'linus@example.net'")
    db.execute("UPDATE people SET name = ? WHERE email = 'zoe@example.com'", ("Z" * 1000,))
    db.commit()
    db.close()
    result = run(mail_site, "send", "welcome", "--yes", code=1)
    assert result.stdout == summary(sent=3, failed=2)
    assert "2 messages could not be sent (" in result.stderr
    assert "zoe@example.com: the To header would be longer than 998 characters (shorten the name)" in result.stderr
    assert "linus@example.net: the To header would contain a line break" in result.stderr
    assert set(smtp.handler.per_recipient()) == SUBSCRIBED - {"linus@example.net", "zoe@example.com"}
    assert {address: status for address, (status, _) in sends(mail_site).items()
            if status != "sent"} == {"linus@example.net": "failed", "zoe@example.com": "failed"}
    assert bounced_people(mail_site) == set()
    run(mail_site, "readers", "edit", "linus@example.net", "--name", "Linus Torvalds")
    run(mail_site, "readers", "edit", "zoe@example.com", "--name", "Zoë")
    assert run(mail_site, "send", "welcome", "--yes").stdout == summary(sent=2, already=3)


def test_a_new_post_on_an_old_slug_is_a_new_send(mail_site, run, smtp, monkeypatch):
    run(mail_site, "send", "welcome", "--yes")
    old = mail_site / "content/posts/2026-11-23-welcome.md"
    old.unlink()
    post(mail_site, "2026-11-30-welcome.md", "title: Welcome again\ndate: 2026-11-30\n")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(EPOCH) + 7 * 86400))
    run(mail_site, "build")
    result = run(mail_site, "send", "welcome", "--yes")
    assert result.stdout == ("Sent 'Welcome again': 5 sent, 0 skipped as already sent, 0 uncertain, 0 retried, "
                             "0 bounced, 0 failed\n")
    assert smtp.handler.per_recipient() == {address: 2 for address in SUBSCRIBED}


@pytest.mark.parametrize("settings, password, message", [
    pytest.param({"username": '"jane"'}, None,
                 "Error: touchgen.toml: [smtp] username is 'jane' but the environment variable $TOUCHGEN_SMTP_PASSWORD "
                 "(password_env) is unset or empty; set it to the SMTP password, such as: export "
                 "TOUCHGEN_SMTP_PASSWORD=...\n", id="password-unset"),
    pytest.param({"username": '"jane"'}, "s3cret",
                 "Error: touchgen.toml: [smtp] security = \"none\" would send the password of jane unencrypted; use "
                 "security = \"starttls\" or \"ssl\" (or set allow_plain_login = true for a server on this "
                 "machine)\n", id="plain-login"),
    pytest.param({"password_env": '"hunter2 secret!"'}, None,
                 "Error: touchgen.toml:30: [smtp] password_env must be the name of an environment variable that holds "
                 "the password (such as TOUCHGEN_SMTP_PASSWORD), never the password itself\n", id="password-in-file"),
])
def test_credentials(mail_site, run, smtp, monkeypatch, settings, password, message):
    monkeypatch.delenv("TOUCHGEN_SMTP_PASSWORD", raising=False)
    if password:
        monkeypatch.setenv("TOUCHGEN_SMTP_PASSWORD", password)
    set_smtp(mail_site, **settings)
    result = run(mail_site, "send", "welcome", "--yes", code=1)
    assert result.stderr == message
    assert "hunter2" not in result.stderr and "s3cret" not in result.stderr
    assert smtp.handler.received == [] and sends(mail_site) == {}


def test_a_plain_login_can_be_allowed(mail_site, run, smtp, monkeypatch):
    monkeypatch.setenv("TOUCHGEN_SMTP_PASSWORD", "s3cret")
    set_smtp(mail_site, username='"jane"', allow_plain_login="true")
    result = run(mail_site, "send", "welcome", "--yes", code=1)
    # The test server offers no AUTH: the login is attempted, and refused by the server, not by touchgen.
    assert result.stderr.startswith("Error: cannot connect to the SMTP server 127.0.0.1:")


def touchgen_send(site, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "touchgen", "--site", str(site), "send", "welcome", "--yes", *args],
                            env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_retry_uncertain_during_a_running_send_sends_nothing_twice(mail_site, smtp):
    smtp.handler.pause = ("DATA", 2)
    first = touchgen_send(mail_site)
    assert smtp.handler.paused.wait(30), first.communicate()
    second = touchgen_send(mail_site, "--retry-uncertain")
    out, err = second.communicate(timeout=60)
    assert second.returncode == 1
    assert err.startswith("Error: another touchgen send of 'welcome' is running (process ")
    smtp.handler.release.set()
    out, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    assert smtp.handler.per_recipient() == {address: 1 for address in SUBSCRIBED}


def test_a_killed_run_leaves_a_lock_the_next_run_takes_over(mail_site, smtp):
    smtp.handler.pause = ("RCPT", 2)
    first = touchgen_send(mail_site)
    assert smtp.handler.paused.wait(30), first.communicate()
    first.send_signal(signal.SIGKILL)
    first.wait(30)
    smtp.handler.release.set()
    time.sleep(0.1)
    smtp.handler.pause = None
    rerun = touchgen_send(mail_site, "--retry-uncertain")
    out, err = rerun.communicate(timeout=60)
    assert rerun.returncode == 0, err
    assert smtp.handler.per_recipient() == {address: 1 for address in SUBSCRIBED}


def test_sends_started_together_deliver_each_message_once(mail_site, smtp):
    runs = [touchgen_send(mail_site) for _ in range(4)]
    outcomes = [(process.wait(60), process.stderr.read()) for process in runs]
    assert smtp.handler.per_recipient() == {address: 1 for address in SUBSCRIBED}
    for code, err in outcomes:
        assert (code, err) == (0, "") or (code == 1 and err.startswith(
            "Error: another touchgen send of 'welcome' is running (process ")), (code, err)
    assert "uncertain" not in "".join(err for _, err in outcomes)
