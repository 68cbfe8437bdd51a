"""Subscribing without a server: a subscribe box on every page, and a "subscribe" message recorded by the replies import."""

from __future__ import annotations

from touchgen.people.store import open_store

from conftest import counts

SUBSCRIBE = """From {address} Mon Nov 23 10:00:00 2026
From: {name} <{address}>
To: Jane Doe <jane@example.com>
Subject: subscribe
Date: Mon, 23 Nov 2026 10:00:00 +0000
Message-ID: <subscribe-{number}@example.net>

"""


def test_every_page_offers_a_way_in(sample_site, run):
    run(sample_site, "build")
    out = sample_site / "output/site"
    for page in ("index.html", "posts/small-promises-kept/index.html", "about/index.html", "tags/index.html"):
        text = (out / page).read_text(encoding="utf-8")
        assert '<a class="button" href="mailto:jane@example.com?subject=subscribe">Subscribe by email</a>' in text, page
        assert "<form" not in text
    config = sample_site / "touchgen.toml"
    config.write_text(config.read_text().replace('subscribe_url = ""', 'subscribe_url = "https://forms.example.com/s"'),
                      encoding="utf-8")
    run(sample_site, "build")
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<form method="post" action="https://forms.example.com/s">' in index
    assert '<input id="subscribe-email" type="email" name="email" required autocomplete="email">' in index


def test_a_subscribe_message_subscribes_its_sender(site, run, tmp_path):
    run(site, "readers", "add", "back@example.com", "--name", "Back")
    run(site, "readers", "unsubscribe", "back@example.com")
    mbox = tmp_path / "in.mbox"
    mbox.write_text(SUBSCRIBE.format(address="new@example.net", name="Nora New", number=1)
                    + SUBSCRIBE.format(address="back@example.com", name="Back", number=2))
    result = run(site, "import", "replies", str(mbox))
    assert "  subscribes      2\n" in result.stdout
    with open_store(site) as store:
        new = store.require("new@example.net")
        assert (new.subscribed, new.name, new.source) == (True, "Nora New", "subscribed by email")
        assert store.require("back@example.com").subscribed is True
    again = run(site, "import", "replies", str(mbox))
    assert "  subscribes      2\n" in again.stdout
    with open_store(site) as store:
        assert [e.kind for e in store.events_of(store.require("new@example.net").id)] == ["subscribed"]


def test_a_mailbox_that_subscribes_someone_after_their_other_mail_is_imported_once(site, run, tmp_path):
    """Messages of one mailbox are not in the order they were written: a newcomer's unsubscribe and
    reply count whether they come before or after the message that subscribes them."""
    mbox = tmp_path / "inbox.mbox"
    mbox.write_text(
        SUBSCRIBE.replace("Subject: subscribe", "Subject: unsubscribe").format(name="Bo", address="bo@example.com",
                                                                               number=1)
        + SUBSCRIBE.replace("Subject: subscribe", "Subject: Loved it").format(name="Bo", address="bo@example.com",
                                                                              number=2)
        + SUBSCRIBE.format(name="Bo", address="bo@example.com", number=3), encoding="utf-8")
    first = run(site, "import", "replies", str(mbox)).stdout
    assert "  replies         1 new, 0 already recorded ((no post) 1)" in first
    assert "  unsubscribes    1\n  subscribes      1\n" in first and "  unknown         0\n" in first
    recorded = counts(site)
    assert recorded["events"] == 3
    second = run(site, "import", "replies", str(mbox)).stdout
    assert "  replies         0 new, 1 already recorded ((no post) 1)" in second
    assert counts(site) == recorded
