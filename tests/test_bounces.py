"""Delivery reports and complaints, read from real ones (tests/fixtures/bounces and notices, see
NOTICE there): DSNs and plain-text notices of many mail systems, SES notifications, feedback reports."""

from __future__ import annotations

import email
import json
import re
import sqlite3

import pytest

from touchgen.importers.bounces import Kind, read_report

from conftest import DATA, counts, stages

BOUNCED, DELAYED, REFUSED = "bounced", "delayed", "refused"

# What each report in tests/fixtures/bounces says, read by hand: the failed recipients and whether
# the failure is permanent and about the address (bounced), temporary (delayed: a 4.x.x status,
# whatever the Action), or permanent but about the sender or the message (refused: DMARC, headers).
CORPUS = {
    "deltachat-aol_ndn.eml": (["hsnaeirternaeiho@testrun.org"], BOUNCED),  # Yahoo/AOL plain text
    "deltachat-gmail_ndn.eml": (["assidhfaaspocwaeofi@gmail.com"], BOUNCED),  # Gmail DSN, German text
    "deltachat-gmx_ndn.eml": (["snaerituhaeirns@gmail.com"], BOUNCED),  # GMX plain text
    "deltachat-yahoo_ndn.eml": (["haeclirth.sinoenrat@yahoo.com"], BOUNCED),  # Yahoo plain text
    "flanker-bounce-delayed.eml": (["louisl@larry.slip.umd.edu"], DELAYED),  # Action: failed, Status: 4.0.0
    "flanker-bounce-gmail-invalid-address.eml": (["awfawfawfawfawfaw@someserverhere.com"], BOUNCED),
    "flanker-bounce-mailbox-full.eml": (["user@aol.com"], BOUNCED),  # AOL DSN, 5.2.2
    "sisimai-ced-us-amazonses-01.eml": (["bounce@simulator.amazonses.com"], BOUNCED),  # SES JSON
    "sisimai-ced-us-amazonses-02.eml": (["bounce@simulator.amazonses.com"], BOUNCED),  # SES JSON inside SNS
    "sisimai-eg-exim-03.eml": (["kijitora@example.jp", "kijitora@example.or.jp"], REFUSED),  # 5.7.0 after DATA
    "sisimai-eg-messagingserver-03.eml": (["sabineko@example.org", "mikeneko@example.org"], BOUNCED),  # PMDF
    "sisimai-eg-mfilter-02.eml": (["kijitora@example.co.jp"], BOUNCED),  # m-FILTER, ISO-2022-JP
    "sisimai-eg-notes-02.eml": (["kijitora@u1.example.co.jp"], BOUNCED),  # Lotus Notes, ISO-2022-JP
    "sisimai-eg-opensmtpd-03.eml": (["kijitora@neko.example.jp"], BOUNCED),
    "sisimai-eg-postfix-04.eml": (["kijitora@example.co.jp"], BOUNCED),  # Postfix DSN
    "sisimai-eg-qmail-06.eml": (["kijitora@example.jp"], DELAYED),  # qmail gave up on a 4.2.2
    "sisimai-eg-ru-yandex-01.eml": (["kijitora@example.jp"], BOUNCED),
    "sisimai-eg-sendmail-05.eml": (["kijitora@example.org"], BOUNCED),  # From: <MAILER-DAEMON>, no domain
    "sisimai-eg-us-outlook-02.eml": (["kijitora@example.jp"], BOUNCED),  # Outlook.com DSN
    "sisimai-eg-v5sendmail-02.eml": (["kijitora@neko.example.org"], BOUNCED),  # "554 <a@b>... Host unknown"
    "sisimai-eg-x1-02.eml": (["kijitora@example.org"], BOUNCED),  # "From: <MAILER-DAEMON>", "a@b [User unknown]"
    "sisimai-email-amazonses-03.eml": (["kijitora@example.jp"], BOUNCED),  # SES DSN, 5.0.0
    "sisimai-email-amazonses-05.eml": (["bounce@simulator.amazonses.com"], BOUNCED),
    "sisimai-email-amazonses-07.eml": (["6@neko.nyaan.example.org"], REFUSED),  # 5.7.6
    "sisimai-email-apachejames-01.eml": (["000000000000@vtext.example.com"], BOUNCED),  # "RCPT TO: a@b"
    "sisimai-email-bigfoot-01.eml": (["destinaion@example.net"], BOUNCED),  # Final-Recipient: RFC822; <a@b>
    "sisimai-email-courier-01.eml": (["kijitora@example.co.jp"], BOUNCED),
    "sisimai-email-domino-01.eml": (["kijitora@example.jp"], BOUNCED),
    "sisimai-email-einsundeins-02.eml": (["kijitora@example.org"], BOUNCED),
    "sisimai-email-exchange2003-03.eml": (["kijitora@example.jp"], BOUNCED),  # "a@b on <date>"
    "sisimai-email-exchange2003-07.eml": (["kijitora@example.org"], BOUNCED),  # with Precedence: bulk
    "sisimai-email-exim-02.eml": (["kijitora@example.jp", "sabatora@example.jp"], BOUNCED),
    "sisimai-email-exim-30.eml": (["kijitora@exmaple.ch"], BOUNCED),  # 5.7.1 "Recipient address rejected"
    "sisimai-email-gmx-02.eml": (["shironeko@example.jp"], BOUNCED),
    "sisimai-email-google-02.eml": (["aougoueioaldljgoiuiorghladkgke@example.fr"], BOUNCED),
    "sisimai-email-google-03.eml": (["kijitora@example.co.jp"], REFUSED),  # 5.7.0 Header error
    "sisimai-email-imailserver-01.eml": (["kijitora@example.com"], BOUNCED),  # "Unknown user: a@b"
    "sisimai-email-qmail-01.eml": (["kijitora@example.ne.jp"], BOUNCED),  # qmail "<a@b>:" paragraph
    "sisimai-email-zoho-01.eml": (["kijitora@example.co.jp"], BOUNCED),
    "sisimai-lhost-dragonfly-01.eml": (["pseudo-local-part@google.example.com"], REFUSED),  # MAILER-DAEMON <>, DMARC
    "sisimai-lhost-postfix-70.eml": (["kijitora@google.example.com"], REFUSED),  # 5.7.26 DMARC
}
PERMANENT = [name for name, (_, outcome) in CORPUS.items() if outcome == BOUNCED]


def test_the_corpus_is_what_the_table_says():
    assert sorted(path.name for path in (DATA / "bounces").glob("*.eml")) == sorted(CORPUS)
    assert len(PERMANENT) == 34


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_each_report_is_read_as_it_reads(name):
    report = read_report(email.message_from_bytes((DATA / "bounces" / name).read_bytes()))
    addresses, outcome = CORPUS[name]
    assert report is not None and report.kind is Kind.DELIVERY
    assert [(f.address.lower(), f.outcome.value) for f in report.failures] == [(a, outcome) for a in addresses]


def summary(stdout: str) -> tuple[int, dict[str, int]]:
    """(messages read, the count on each category line) of an import's report."""
    first, *rows = stdout.splitlines()
    read = int(re.search(r": (\d+) messages?$", first).group(1))
    found = {}
    for row in rows:
        label, numbers = re.match(r"  (\D+?)\s+(\d+(?: new, \d+)?)", row).groups()
        found[label] = sum(int(n) for n in re.findall(r"\d+", numbers))
    return read, found


def add_readers(run, site, tmp_path, addresses):
    csv = tmp_path / "readers.csv"
    csv.write_text("email\n" + "".join(f"{a}\n" for a in sorted(set(addresses))))
    run(site, "import", "readers", str(csv))


def bounced_messages(site) -> set[str]:
    """The reports that recorded a bounce: one external id each."""
    db = sqlite3.connect(site / "data/touchgen.db")
    try:
        return {row[0] for row in db.execute("SELECT DISTINCT external_id FROM events WHERE kind = 'bounced'")}
    finally:
        db.close()


def test_nine_in_ten_permanent_bounces_of_the_corpus_are_recorded(site, run, tmp_path):
    add_readers(run, site, tmp_path, [a for addresses, _ in CORPUS.values() for a in addresses])
    result = run(site, "import", "replies", str(DATA / "bounces"))
    read, found = summary(result.stdout)
    assert read == len(CORPUS)
    assert sum(n for label, n in found.items() if label != "introduced") == read
    recorded = len(bounced_messages(site))
    assert recorded >= 0.9 * len(PERMANENT)
    assert recorded == found["bounces"] == len(PERMANENT)
    assert found["not bounces"] == len(CORPUS) - len(PERMANENT)
    first = counts(site)
    again = run(site, "import", "replies", str(DATA / "bounces"))
    assert counts(site) == first and again.stdout == result.stdout


@pytest.mark.parametrize("folder", ["bounces", "notices", "inbox.mbox"])
def test_the_summary_accounts_for_every_message(readers_site, run, folder):
    read, found = summary(run(readers_site, "import", "replies", str(DATA / folder)).stdout)
    assert read > 0
    assert sum(n for label, n in found.items() if label != "introduced") == read


NOTICES = """\
Imported {path}: 9 messages
  replies         0 new, 0 already recorded
  introduced      0
  auto-replies    5 skipped
  bounces         0
  not bounces     0
  complaints      3 unsubscribed (margaret@example.com, user@yahoo.com, complaint@simulator.amazonses.com)
  unsubscribes    0
  subscribes      0
  from you        0 ignored
  unknown         0
  no sender       0
  not understood  1 ({path}/sisimai-arf-03.eml: a spam complaint that names no reader)
"""


def test_spam_complaints_unsubscribe_and_are_never_replies(readers_site, run, tmp_path):
    """A feedback report (RFC 5965) unsubscribes the reader the newsletter it quotes was sent to
    (margaret: the ISP redacted the address, the Message-ID is ours) or the one it names
    (Original-Rcpt-To); an SES complaint the one it lists. None of them is a reply."""
    add_readers(run, readers_site, tmp_path, ["user@yahoo.com", "complaint@simulator.amazonses.com"])
    result = run(readers_site, "import", "replies", str(DATA / "notices"))
    assert result.stdout == NOTICES.format(path=DATA / "notices")
    people = {row["email"]: row for row in json.loads(run(readers_site, "readers", "list", "--format", "json").stdout)}
    for address in ("margaret@example.com", "user@yahoo.com", "complaint@simulator.amazonses.com"):
        assert people[address]["subscribed"] is False
        assert people[address]["stage"] == "reader"
    shown = run(readers_site, "readers", "show", "margaret@example.com").stdout
    assert "unsubscribed" in shown and "spam complaint (feedback report: abuse)" in shown
    assert "spam complaint (Amazon SES: abuse)" in run(
        readers_site, "readers", "show", "complaint@simulator.amazonses.com").stdout


def test_a_temporary_failure_never_suppresses(site, run, tmp_path):
    """Action: failed with Status 4.0.0 (RFC 3464's own example) and qmail giving up on a 4.2.2."""
    add_readers(run, site, tmp_path, ["louisl@larry.slip.umd.edu", "kijitora@example.jp"])
    for name in ("flanker-bounce-delayed.eml", "sisimai-eg-qmail-06.eml"):
        result = run(site, "import", "replies", str(DATA / "bounces" / name))
        assert "  bounces         0\n" in result.stdout
    assert "  not bounces     1 (kijitora@example.jp 4.2.2 delayed)" in result.stdout
    assert run(site, "readers", "list", "--bounced", "--format", "json").stdout.strip() == "[]"
    assert bounced_messages(site) == set()


def test_a_bounce_stays_taken_back_and_a_later_one_counts(readers_site, run, tmp_path):
    """Consistent with `readers unbounce`: importing the same mailbox again does not undo it, a
    newer bounce of the address does."""
    run(readers_site, "import", "replies", str(DATA / "inbox.mbox"))
    bounced = lambda: [p["email"] for p in json.loads(  # noqa: E731
        run(readers_site, "readers", "list", "--bounced", "--format", "json").stdout)]
    assert bounced() == ["katherine@example.com"]
    run(readers_site, "readers", "unbounce", "katherine@example.com")
    run(readers_site, "import", "replies", str(DATA / "inbox.mbox"))
    assert bounced() == []
    later = (DATA / "bounces" / "sisimai-email-qmail-01.eml").read_bytes().replace(
        b"kijitora@example.ne.jp", b"katherine@example.com").replace(b"24 Apr 2013", b"30 Nov 2099")
    (tmp_path / "later.eml").write_bytes(later)
    assert "  bounces         1 (katherine@example.com)" in run(readers_site, "import", "replies",
                                                                  str(tmp_path / "later.eml")).stdout
    assert bounced() == ["katherine@example.com"]


def test_a_notice_that_names_nobody_is_matched_by_our_message_id(readers_site, run, tmp_path):
    """An IMail notice with the address cut off still quotes the newsletter it returns: its
    Message-ID says who it was for, and that send is marked bounced."""
    raw = (DATA / "bounces" / "sisimai-email-imailserver-01.eml").read_bytes()
    raw = raw.replace(b"Unknown user: kijitora@example.com", b"Unknown user").replace(
        b"<00000000.ffffffff@example.org>", b"<small-promises-kept.t3@example.com>")
    (tmp_path / "imail.eml").write_bytes(raw)
    assert "  bounces         1 (katherine@example.com)" in run(readers_site, "import", "replies",
                                                                  str(tmp_path / "imail.eml")).stdout
    db = sqlite3.connect(readers_site / "data/touchgen.db")
    status = db.execute("SELECT status FROM sends WHERE message_id = 'small-promises-kept.t3@example.com'").fetchone()
    db.close()
    assert status == ("bounced",)


def test_a_null_sender_notice_is_a_bounce_not_a_message_without_sender(readers_site, run, tmp_path):
    """DragonFly's "From: MAILER-DAEMON <>" with a permanent failure of the address."""
    raw = (DATA / "bounces" / "sisimai-lhost-dragonfly-01.eml").read_bytes()
    raw = re.sub(rb"5\.7\.26[^\r\n]*", b"5.1.1 The email account that you tried to reach does not exist.", raw)
    (tmp_path / "dma.eml").write_bytes(raw.replace(b"pseudo-local-part@google.example.com", b"tim@example.com"))
    result = run(readers_site, "import", "replies", str(tmp_path / "dma.eml"))
    assert "  bounces         1 (tim@example.com)" in result.stdout
    assert "  no sender       0" in result.stdout


def test_a_report_without_a_recipient_is_not_understood(readers_site, run, tmp_path):
    (tmp_path / "odd.eml").write_text("From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\n"
                                      "To: jane@example.com\nSubject: Undelivered Mail Returned to Sender\n"
                                      "Date: Mon, 23 Nov 2026 10:00:00 +0000\nMessage-ID: <odd@mx.example.net>\n\n"
                                      "Something went wrong.\n")
    result = run(readers_site, "import", "replies", str(tmp_path / "odd.eml"))
    assert result.stdout.endswith(
        f"  not understood  1 ({tmp_path / 'odd.eml'}: a delivery report that names no recipient)\n")
    assert stages(run, readers_site)["ada@example.com"] == "reader"
