"""touchgen.mail.ledger.Ledger and touchgen.mail.send.plan on a fresh real SQLite store: claims, statuses, events."""

from __future__ import annotations

import pytest

from touchgen.mail.ledger import Ledger, Recipient
from touchgen.mail.send import plan
from touchgen.people.model import Event, EventKind, NewPerson, Person, SendStatus

POST = "welcome"
JOINED = "2026-11-01T09:00:00Z"
AT = "2026-11-23T07:00:00Z"
LATER = "2026-11-23T08:00:00Z"


def add(store, email: str, subscribed: bool = True) -> Person:
    return store.add_person(NewPerson(email, email.split("@")[0].title(), subscribed, "test", JOINED))


def send_row(store, person: Person, post: str = POST) -> tuple | None:
    row = store.db.execute("SELECT message_id, status, claimed_at, sent_at, attempts, error FROM sends "
                           "WHERE post = ? AND person_id = ?", (post, person.id)).fetchone()
    return tuple(row) if row else None


def kinds(store, person: Person) -> list[EventKind]:
    return [event.kind for event in store.events_of(person.id)]


def statuses(ledger: Ledger, post: str = POST) -> dict[str, tuple[SendStatus | None, str | None]]:
    return {r.person.email: (r.status, r.message_id) for r in ledger.recipients(post)}


def test_a_send_is_claimed_once(store):
    ada = add(store, "ada@example.com")
    ledger = Ledger(store)
    assert ledger.claim(POST, ada.id, "welcome.1@example.com", AT) is True
    assert ledger.claim(POST, ada.id, "welcome.2@example.com", LATER) is False
    assert send_row(store, ada) == ("welcome.1@example.com", "claimed", AT, None, 1, "")
    assert ledger.recipients(POST) == [Recipient(ada, SendStatus.CLAIMED, "welcome.1@example.com")]


def test_a_claim_is_per_post(store):
    ada = add(store, "ada@example.com")
    ledger = Ledger(store)
    assert ledger.claim(POST, ada.id, "welcome.1@example.com", AT) is True
    assert ledger.claim("next-post", ada.id, "next-post.1@example.com", AT) is True
    assert statuses(ledger, "next-post") == {"ada@example.com": (SendStatus.CLAIMED, "next-post.1@example.com")}
    assert statuses(ledger, "never-sent") == {"ada@example.com": (None, None)}


def test_mark_sent_records_the_send_and_a_sent_event(store):
    ada = add(store, "ada@example.com")
    ledger = Ledger(store)
    ledger.claim(POST, ada.id, "welcome.1@example.com", AT)
    ledger.mark_sent(POST, ada.id, LATER)
    assert send_row(store, ada) == ("welcome.1@example.com", "sent", AT, LATER, 1, "")
    assert statuses(ledger) == {"ada@example.com": (SendStatus.SENT, "welcome.1@example.com")}
    assert store.events_of(ada.id) == [
        Event(EventKind.SUBSCRIBED, JOINED, source="test"),
        Event(EventKind.SENT, LATER, post=POST, channel="email", source="send", external_id="welcome.1@example.com"),
    ]
    assert store.last_sent_before(ada.id, LATER) == POST
    assert ledger.claim(POST, ada.id, "welcome.2@example.com", LATER) is False


def test_a_failed_send_is_claimed_again_under_the_new_message_id(store):
    ada = add(store, "ada@example.com")
    ledger = Ledger(store)
    ledger.claim(POST, ada.id, "welcome.1@example.com", AT)
    ledger.mark_failed(POST, ada.id, "451 try again later")
    assert send_row(store, ada) == ("welcome.1@example.com", "failed", AT, None, 1, "451 try again later")
    assert kinds(store, ada) == [EventKind.SUBSCRIBED]
    assert ledger.claim(POST, ada.id, "welcome.2@example.com", LATER) is True
    assert send_row(store, ada)[:3] == ("welcome.2@example.com", "claimed", LATER)
    assert send_row(store, ada)[4] == 2
    assert ledger.claim(POST, ada.id, "welcome.3@example.com", LATER) is False
    ledger.mark_sent(POST, ada.id, LATER)
    [sent] = [e for e in store.events_of(ada.id) if e.kind is EventKind.SENT]
    assert sent.external_id == "welcome.2@example.com"
    assert send_row(store, ada) == ("welcome.2@example.com", "sent", LATER, LATER, 2, "")


def test_a_bounce_keeps_the_subscriber_off_every_later_send(store):
    ada, grace = add(store, "ada@example.com"), add(store, "grace@example.org")
    ledger = Ledger(store)
    ledger.claim(POST, ada.id, "welcome.1@example.com", AT)
    ledger.mark_bounced(POST, ada.id, LATER, "550 no such user")
    assert send_row(store, ada) == ("welcome.1@example.com", "bounced", AT, None, 1, "550 no such user")
    assert store.events_of(ada.id)[-1] == Event(EventKind.BOUNCED, LATER, post=POST, channel="email", source="send",
                                                external_id="welcome.1@example.com", note="550 no such user")
    assert [r.person.email for r in ledger.recipients(POST)] == ["grace@example.org"]
    assert [r.person.email for r in ledger.recipients("next-post")] == ["grace@example.org"]
    assert store.person("ada@example.com").subscribed is True
    assert ledger.count_bounced_subscribers() == 1
    assert ledger.claim(POST, grace.id, "welcome.2@example.com", AT) is True
    assert ledger.count_bounced_subscribers() == 1


def test_a_bounced_person_who_unsubscribes_is_no_longer_counted(store):
    ada = add(store, "ada@example.com")
    ledger = Ledger(store)
    ledger.claim(POST, ada.id, "welcome.1@example.com", AT)
    ledger.mark_bounced(POST, ada.id, LATER, "550 gone")
    assert store.unsubscribe(ada, LATER, "test") is True
    assert ledger.count_bounced_subscribers() == 0
    assert ledger.recipients(POST) == []


def test_the_bounce_reply_kept_in_the_event_is_cut_to_200_characters(store):
    ada = add(store, "ada@example.com")
    ledger = Ledger(store)
    ledger.claim(POST, ada.id, "welcome.1@example.com", AT)
    ledger.mark_bounced(POST, ada.id, LATER, "550 " + "x" * 300)
    assert store.events_of(ada.id)[-1].note == "550 " + "x" * 196
    assert send_row(store, ada)[5] == "550 " + "x" * 300


@pytest.mark.parametrize("unsubscribe_after_adding", [False, True], ids=["added-unsubscribed", "unsubscribed-later"])
def test_an_unsubscribed_person_cannot_be_claimed(store, unsubscribe_after_adding):
    person = add(store, "gone@example.com", subscribed=unsubscribe_after_adding)
    if unsubscribe_after_adding:
        store.unsubscribe(person, AT, "test")
    ledger = Ledger(store)
    assert ledger.claim(POST, person.id, "welcome.1@example.com", LATER) is False
    assert send_row(store, person) is None
    assert ledger.recipients(POST) == []


def test_a_failed_send_of_someone_who_then_unsubscribed_is_not_claimed_again(store):
    ada = add(store, "ada@example.com")
    ledger = Ledger(store)
    ledger.claim(POST, ada.id, "welcome.1@example.com", AT)
    ledger.mark_failed(POST, ada.id, "451 later")
    store.unsubscribe(ada, AT, "test")
    assert ledger.claim(POST, ada.id, "welcome.2@example.com", LATER) is False
    assert send_row(store, ada)[:2] == ("welcome.1@example.com", "failed")


def test_reclaim_uncertain_counts_another_attempt(store):
    ada = add(store, "ada@example.com")
    ledger = Ledger(store)
    ledger.claim(POST, ada.id, "welcome.1@example.com", AT)
    ledger.reclaim_uncertain(POST, ada.id, LATER)
    ledger.reclaim_uncertain(POST, ada.id, "2026-11-23T09:00:00Z")
    assert [tuple(row) for row in store.db.execute("SELECT attempts FROM sends")] == [(3,)]
    assert send_row(store, ada) == ("welcome.1@example.com", "claimed", "2026-11-23T09:00:00Z", None, 3, "")


def test_reclaim_uncertain_leaves_a_finished_send_alone(store):
    ada = add(store, "ada@example.com")
    ledger = Ledger(store)
    ledger.claim(POST, ada.id, "welcome.1@example.com", AT)
    ledger.mark_sent(POST, ada.id, AT)
    ledger.reclaim_uncertain(POST, ada.id, LATER)
    assert [tuple(row) for row in store.db.execute("SELECT attempts, status, claimed_at FROM sends")] == [
        (1, "sent", AT)]


@pytest.fixture
def planned_store(store):
    """Six subscribers of POST: sent, uncertain (claimed), failed, two never tried, and one who bounced
    on an earlier post; plus someone unsubscribed."""
    people = {name: add(store, f"{name}@example.com") for name in ("sent", "uncertain", "failed", "new1", "new2",
                                                                    "bounced")}
    add(store, "gone@example.com", subscribed=False)
    ledger = Ledger(store)
    for name in ("sent", "uncertain", "failed"):
        assert ledger.claim(POST, people[name].id, f"welcome.{name}@example.com", AT)
    ledger.mark_sent(POST, people["sent"].id, AT)
    ledger.mark_failed(POST, people["failed"].id, "451 later")
    assert ledger.claim("earlier", people["bounced"].id, "earlier.bounced@example.com", AT)
    ledger.mark_bounced("earlier", people["bounced"].id, AT, "550 gone")
    return store


def test_plan_skips_the_sent_and_holds_back_the_uncertain(planned_store):
    planned = plan(planned_store, POST)
    assert [(person.email, uncertain) for person, uncertain in planned.todo] == [
        ("failed@example.com", None), ("new1@example.com", None), ("new2@example.com", None)]
    report = planned.report
    assert (report.recipients, report.already_sent, report.uncertain, report.bounced_before, report.not_reached) == (
        5, 1, ["uncertain@example.com"], 1, 0)
    assert report.summary("Welcome") == ("Sent 'Welcome': 0 sent, 1 skipped as already sent, 1 uncertain, 0 retried, "
                                         "0 bounced, 0 failed, 1 not sent (bounced before)")


def test_plan_with_retry_uncertain_repeats_the_uncertain_message_id(planned_store):
    planned = plan(planned_store, POST, retry_uncertain=True)
    assert [(person.email, uncertain) for person, uncertain in planned.todo] == [
        ("uncertain@example.com", "welcome.uncertain@example.com"), ("failed@example.com", None),
        ("new1@example.com", None), ("new2@example.com", None)]
    assert (planned.report.already_sent, planned.report.uncertain, planned.report.not_reached) == (1, [], 0)


@pytest.mark.parametrize("retry_uncertain, limit, todo, not_reached", [
    (False, 2, ["failed@example.com", "new1@example.com"], 1),
    (False, 3, ["failed@example.com", "new1@example.com", "new2@example.com"], 0),
    (False, 10, ["failed@example.com", "new1@example.com", "new2@example.com"], 0),
    (False, 0, [], 3),
    (True, 1, ["uncertain@example.com"], 3),
], ids=["limit-2", "limit-exact", "limit-above", "limit-0", "retry-limit-1"])
def test_plan_with_a_limit_counts_who_is_not_reached(planned_store, retry_uncertain, limit, todo, not_reached):
    planned = plan(planned_store, POST, retry_uncertain, limit)
    assert [person.email for person, _ in planned.todo] == todo
    assert planned.report.not_reached == not_reached
    assert planned.report.already_sent == 1
    assert planned.report.summary("W").endswith(
        f", 1 not sent (bounced before), {not_reached} left for a later run (--limit)" if not_reached
        else ", 1 not sent (bounced before)")


def test_plan_of_an_empty_store(store):
    planned = plan(store, POST)
    assert planned.todo == []
    assert (planned.report.recipients, planned.report.already_sent, planned.report.bounced_before) == (0, 0, 0)
    assert planned.report.summary("W") == ("Sent 'W': 0 sent, 0 skipped as already sent, 0 uncertain, 0 retried, "
                                           "0 bounced, 0 failed")
