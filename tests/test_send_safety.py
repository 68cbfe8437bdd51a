"""Sends that cannot go wrong by accident: the dry run wins, a stale email is refused, nobody is mailed
without a way to leave, and an unsubscribe link works only for its reader."""

from __future__ import annotations

import email
from email import policy

import pytest

from conftest import token
from test_send import SUBSCRIBED, sends


def test_dry_run_wins_over_to(mail_site, run, smtp):
    result = run(mail_site, "send", "welcome", "--to", "me@example.com", "--dry-run")
    assert result.stdout == ("Wrote a test of 'Welcome: why I write on Mondays' for me@example.com to "
                             "data/outbox/welcome/ (dry run: nothing sent or recorded)\n")
    assert smtp.handler.received == [] and sends(mail_site) == {}
    (written,) = (mail_site / "data/outbox/welcome").iterdir()
    assert email.message_from_bytes(written.read_bytes(), policy=policy.default)["To"] == "me@example.com"


@pytest.mark.parametrize("change, stale", [
    ("content/posts/2026-11-23-welcome.md", "content/posts/2026-11-23-welcome.md"),
    ("templates/email/newsletter.txt", "the email templates"),
], ids=["post-edited", "template-edited"])
def test_a_stale_email_is_refused(mail_site, run, smtp, change, stale):
    path = mail_site / change
    path.write_text(path.read_text() + "\nOne more line.\n", encoding="utf-8")
    for args in (("--yes",), ("--dry-run",), ("--to", "me@example.com")):
        result = run(mail_site, "send", "welcome", *args, code=1)
        assert result.stderr == (f"Error: output/newsletter/welcome/ was built before the last change to {stale}; "
                                 "run touchgen build first (nothing was sent)\n")
    assert smtp.handler.received == []
    run(mail_site, "build")
    run(mail_site, "send", "welcome", "--yes")
    assert set(smtp.handler.per_recipient()) == SUBSCRIBED
    assert all("One more line." in m.get_body(("plain",)).get_content() for m in smtp.handler.messages())


def test_smtp_settings_do_not_make_an_email_stale(mail_site, run, smtp):
    config = mail_site / "touchgen.toml"
    config.write_text(config.read_text().replace("rate_per_minute = 0", "rate_per_minute = 6000"), encoding="utf-8")
    run(mail_site, "send", "welcome", "--yes")
    assert set(smtp.handler.per_recipient()) == SUBSCRIBED


def test_no_way_to_leave_is_refused_by_check_and_send(mail_site, run, smtp):
    config = mail_site / "touchgen.toml"
    config.write_text(config.read_text().replace('unsubscribe_email = "unsubscribe@example.com"',
                                                 'unsubscribe_email = ""'), encoding="utf-8")
    check = run(mail_site, "check", code=1)
    assert check.stderr == ("error: touchgen.toml: [newsletter] has neither unsubscribe_email nor unsubscribe_url; "
                            "every newsletter must offer a way to leave (set unsubscribe_email = \"unsubscribe@...\")\n"
                            "Error: 1 problem found; nothing was written\n")
    run(mail_site, "build")
    result = run(mail_site, "send", "welcome", "--yes", code=1)
    assert result.stderr == ("Error: touchgen.toml: [newsletter] has neither unsubscribe_email nor unsubscribe_url; "
                             "every newsletter must offer a way to leave (set unsubscribe_email = \"unsubscribe@...\")\n")
    assert smtp.handler.received == []


def test_an_https_unsubscribe_link_needs_its_secret(mail_site, run, smtp, monkeypatch):
    config = mail_site / "touchgen.toml"
    config.write_text(config.read_text().replace('unsubscribe_url = ""', 'unsubscribe_url = "https://example.com/u"'),
                      encoding="utf-8")
    run(mail_site, "build")
    monkeypatch.delenv("TOUCHGEN_UNSUBSCRIBE_SECRET")
    result = run(mail_site, "send", "welcome", "--yes", code=1)
    assert result.stderr == ("Error: touchgen.toml: [newsletter] unsubscribe_url is set but "
                             "$TOUCHGEN_UNSUBSCRIBE_SECRET (unsubscribe_secret_env) is unset or empty; set it to a long "
                             "random secret, which signs each reader's unsubscribe link\n")
    assert smtp.handler.received == []


def test_only_the_readers_token_unsubscribes_them(mail_site, run):
    wrong = run(mail_site, "readers", "unsubscribe", "ada@example.com", "--token", token("grace@example.org"), code=1)
    assert wrong.stderr == ("Error: the token does not belong to ada@example.com (was the link copied whole?); "
                            "nothing was changed\n")
    right = run(mail_site, "readers", "unsubscribe", "ada@example.com", "--token", token("ADA@example.com"))
    assert right.stdout == "Unsubscribed ada@example.com\n"
