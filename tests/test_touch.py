"""The daily touch and key accounts, on a store built with track at known dates and plan files:
who is proposed and why, exclusions, the week, stats, capacity, and every bad input."""

from __future__ import annotations

import json

import pytest

from conftest import write

MONDAY, SATURDAY = "2026-11-23", "2026-11-28"
ACME = """name = "Acme Corp"
tier = "top"
health = "healthy"
goals = ["Renew the support contract in Q2"]

[[people]]
email = "ceo@acme.example"
role = "key"

[[people]]
email = "gone-key@example.com"
role = "support"

[[activities]]
date = 2026-12-01
what = "Quarterly review"
"""
WALKED = """name = "Walked Ltd"
tier = "other"
health = "walk-away"

[[people]]
email = "walk@example.com"
role = "key"
"""


@pytest.fixture
def touch_site(site, run):
    for args in [("reply", "ada@example.com", "--date", "2026-11-20", "--post", "welcome"),
                 ("call", "grace@example.org", "--date", "2026-08-01"),
                 ("reply", "grace@example.org", "--date", "2026-09-10"),
                 ("reply", "alan@example.com", "--date", "2026-10-01"),
                 ("reply", "tim@example.com", "--date", "2026-06-01"),
                 ("touch", "tim@example.com", "--date", "2026-11-18"),
                 ("reply", "walk@example.com", "--date", "2026-06-01"),
                 ("reply", "dnc@example.com", "--date", "2026-06-01"),
                 ("reply", "snoozed@example.com", "--date", "2026-06-01"),
                 ("reply", "gone@example.com", "--date", "2026-06-01"),
                 ("reply", "gone-key@example.com", "--date", "2026-06-01")]:
        run(site, "track", *args)
    for address in ("gone@example.com", "gone-key@example.com"):
        run(site, "readers", "add", address.replace("@", "+x@"))  # unrelated readers, never proposed
        run(site, "readers", "resubscribe", address)
        run(site, "readers", "unsubscribe", address)
    run(site, "touch", "never", "dnc@example.com")
    run(site, "touch", "snooze", "snoozed@example.com", "--until", "2026-12-01", "--today", MONDAY)
    write(site / "data/accounts/acme-corp.toml", ACME)
    write(site / "data/accounts/walked-ltd.toml", WALKED)
    return site


def proposed(run, site, day: str = MONDAY) -> dict:
    return json.loads(run(site, "touch", "today", "--today", day, "--format", "json").stdout)


def week(run, site, day: str = MONDAY) -> list[str]:
    return [entry.get("email") for entry in json.loads(run(site, "touch", "week", "--today", day, "--format",
                                                           "json").stdout)]


def test_an_unanswered_reply_comes_first_and_says_why(touch_site, run):
    result = run(touch_site, "touch", "today", "--today", MONDAY)
    lines = result.stdout.splitlines()
    assert lines[:4] == [
        "Monday 23 November 2026: ada@example.com <ada@example.com>",
        "  why  replied on 2026-11-20 to 'welcome' and has had no answer (3 days)",
        "       3 days of silence since the last contact, against a cadence of 60 (stage conversation): 0.05",
        "       stage conversation"]
    assert 'I wrote this with people like you in mind: "Welcome: why I write on Mondays" ' in result.stdout
    assert lines[-1] == "When it is done: touchgen touch done ada@example.com --tests invested,learned,illustrated"


def test_the_week_follows_the_rules(touch_site, run):
    # ada: unanswered reply. grace: 74 days / 60. ceo: the review on 1 December is within lead_days (due
    # now, 1.00). alan: 53 / 60. gone-key (unsubscribed, but a support contact of Acme): 175 / 60 is
    # more overdue than grace. Never: tim (touched 5 days ago), walk (walked-away account), dnc
    # (do-not-contact), snoozed (until 1 December), gone (unsubscribed, no role).
    assert week(run, touch_site) == ["ada@example.com", "gone-key@example.com", "grace@example.org",
                                     "ceo@acme.example", "alan@example.com"]


def test_done_then_today_picks_someone_else(touch_site, run):
    assert proposed(run, touch_site)["proposal"]["email"] == "ada@example.com"
    run(touch_site, "touch", "done", "ada@example.com", "--date", MONDAY, "--tests", "invested,learned")
    assert proposed(run, touch_site)["proposal"]["email"] == "gone-key@example.com"


def test_a_day_that_is_not_a_working_day(touch_site, run):
    result = run(touch_site, "touch", "today", "--today", SATURDAY)
    # Ada's reply of 20 November is still unanswered on the 30th (10 days, within answer_within_days).
    assert result.stdout.splitlines()[:2] == ["Saturday 28 November 2026 is not a working day.",
                                              "Monday 30 November 2026: ada@example.com <ada@example.com>"]
    data = proposed(run, touch_site, SATURDAY)
    assert (data["working_day"], data["proposal"]["day"]) == (False, "2026-11-30")


def test_exclusions_end_when_their_reason_does(touch_site, run):
    # From 1 December the snooze is over: snoozed@ (183 days / 60) ties with gone-key@ on ratio and
    # silence and follows it by address; the review of 1 December no longer makes ceo@ due after it.
    # tim@ is out of quiet_days from the 25th, but his silence (5 days since the touch) is short.
    assert week(run, touch_site, "2026-11-30") == ["ada@example.com", "gone-key@example.com", "snoozed@example.com",
                                                  "grace@example.org", "alan@example.com"]
    run(touch_site, "touch", "never", "dnc@example.com", "--undo")
    assert week(run, touch_site)[:3] == ["ada@example.com", "dnc@example.com", "gone-key@example.com"]
    assert "walk@example.com" not in week(run, touch_site, "2026-12-07")


def test_stats_count_exactly_what_was_recorded(touch_site, run):
    for day, tests in [("2026-11-19", "invested,learned,illustrated"), ("2026-11-20", "invested"),
                       ("2026-11-23", "illustrated,learned,invested"), ("2026-10-05", "")]:
        args = ["--tests", tests] if tests else []
        run(touch_site, "touch", "done", "ada@example.com", "--date", day, *args)
    data = json.loads(run(touch_site, "touch", "stats", "--today", MONDAY, "--format", "json").stdout)
    # Plus tim@'s touch of 18 November from the fixture: five touches, two passing all three tests.
    assert {k: data[k] for k in ("year", "touches", "target", "all_three_tests", "share_all_three", "streak")} == {
        "year": 2026, "touches": 5, "target": 260, "all_three_tests": 2, "share_all_three": 0.4, "streak": 4}
    assert data["per_month"]["November"] == 4 and data["per_month"]["October"] == 1
    # 2026 has 261 weekdays (no holidays in this site); up to Monday 23 November, 233 of them:
    # 260 × 233 / 261 = 232.1.
    assert data["pace"] == 232
    text = run(touch_site, "touch", "stats", "--today", MONDAY).stdout
    assert text.splitlines()[:3] == ["Touches in 2026: 5 of 260 (the pace for the working days so far: 232)",
                                     "streak: 4 working days in a row with a touch",
                                     "all three tests: 2 of 5 (40%)"]


def test_the_capacity_warning(touch_site, run):
    result = run(touch_site, "touch", "stats", "--today", MONDAY)
    assert "warning" not in result.stderr
    config = touch_site / "touchgen.toml"
    config.write_text(config.read_text().replace("yearly_target = 260", "yearly_target = 20"), encoding="utf-8")
    data = json.loads(run(touch_site, "touch", "stats", "--today", MONDAY, "--format", "json").stdout)
    # ada, grace, alan, tim, snoozed (conversation: 365/60 each), ceo (key of a top account: 365/21),
    # gone-key (support: 365/60): walk@ (walked away), dnc@ and gone@ (left the list) do not count.
    assert data["capacity"] == round(6 * 365 / 60 + 365 / 21, 1) and data["over_capacity"] is True
    result = run(touch_site, "touch", "stats", "--today", MONDAY)
    assert result.stderr == ("warning: the cadences ask for more touches than the target of 20; lengthen "
                             "[touches.cadence], or walk away from an account\n")


def test_an_account_to_fix_halves_its_cadences(touch_site, run):
    plan = touch_site / "data/accounts/acme-corp.toml"
    plan.write_text(plan.read_text().replace('health = "healthy"', 'health = "fix"'), encoding="utf-8")
    shown = run(touch_site, "readers", "show", "ceo@acme.example").stdout
    assert "  cadence     10 days (key contact of Acme Corp (top account), halved: the account is to be fixed)\n" in shown
    assert "  roles       key at Acme Corp\n" in shown


def test_accounts_add_list_and_show(touch_site, run):
    assert run(touch_site, "accounts", "add", "Globex", "--today", MONDAY).stdout == (
        "Created data/accounts/globex.toml: add its people and activities there\n")
    assert 'tier = "other"' in (touch_site / "data/accounts/globex.toml").read_text()
    run(touch_site, "accounts", "add", "Globex", code=1)
    listed = json.loads(run(touch_site, "accounts", "list", "--today", MONDAY, "--format", "json").stdout)
    assert [(a["slug"], a["tier"], a["health"], a["key"], a["support"], a["last_support"], a["overdue"])
            for a in listed] == [("acme-corp", "top", "healthy", 1, 1, "2026-06-01", ["gone-key@example.com"]),
                                 ("globex", "other", "healthy", 0, 0, "", []),
                                 ("walked-ltd", "other", "walk-away", 1, 0, "", ["walk@example.com"])]
    shown = run(touch_site, "accounts", "show", "acme-corp", "--today", MONDAY).stdout
    assert shown.startswith("Acme Corp (top, healthy): data/accounts/acme-corp.toml\n"
                            "  goal  Renew the support contract in Q2\n")
    assert shown.rstrip().endswith("2026-12-01  Quarterly review")


@pytest.mark.parametrize("plan, message", [
    ('name = "Bad\ntier = "top"\n', "data/accounts/bad.toml:1: invalid TOML: Illegal character '\\n' "
                                   "(check quotes, brackets and '=' on this line)"),
    ('name = "Bad"\ntier = "gold"\n', "data/accounts/bad.toml:2: tier 'gold' is not one of top | other"),
    ('name = "Bad"\nhealth = "poor"\n', "data/accounts/bad.toml:2: health 'poor' is not one of healthy | fix | walk-away"),
    ('name = "Bad"\n[[people]]\nemail = "a@example.com"\nrole = "boss"\n',
     "data/accounts/bad.toml:4: the role of a@example.com 'boss' is not one of key | delivery | support"),
    ('name = "Bad"\n[[people]]\nemail = "a@example.com"\nrole = "key"\n[[people]]\nemail = "A@example.com"\n'
     'role = "support"\n', "data/accounts/bad.toml:6: A@example.com is listed twice in this plan (keep one, with one "
                           "role)"),
    ('name = "Bad"\n[[activities]]\nwhat = "Review"\n',
     "data/accounts/bad.toml:2: activity 1 has no date (add: date = 2027-01-15)"),
], ids=["not-toml", "tier", "health", "role", "listed-twice", "no-date"])
def test_a_bad_plan_is_a_located_error(touch_site, run, plan, message):
    write(touch_site / "data/accounts/bad.toml", plan)
    before = run(touch_site, "readers", "list", "--format", "json").stdout
    result = run(touch_site, "touch", "today", "--today", MONDAY, code=1)
    assert result.stderr == f"error: {message}\nError: 1 account plan cannot be read; fix it first\n"
    assert run(touch_site, "readers", "list", "--format", "json").stdout == before  # nothing written


@pytest.mark.parametrize("args, message", [
    (("touch", "done", "ada@example.com", "--tests", "invested,kind"),
     "--tests has 'kind', which is not a test (use any of: invested,learned,illustrated)"),
    (("touch", "snooze", "ada@example.com", "--until", "2026-11-01", "--today", MONDAY),
     "--until 2026-11-01 is not after today (2026-11-23); give a later date"),
    (("touch", "done", "nobody@example.com"),
     "no person with the address nobody@example.com (add them with: touchgen readers add nobody@example.com)"),
], ids=["unknown-test", "until-in-the-past", "unknown-person"])
def test_bad_touch_commands(touch_site, run, args, message):
    before = run(touch_site, "touch", "stats", "--today", MONDAY, "--format", "json").stdout
    assert run(touch_site, *args, code=1).stderr == f"Error: {message}\n"
    assert run(touch_site, "touch", "stats", "--today", MONDAY, "--format", "json").stdout == before


@pytest.mark.parametrize("change, message", [
    ('working_days = ["mon", "tue", "wed", "thu", "fri"]', 'working_days = ["mon", "tues"]'),
    ('holidays = []', 'holidays = ["Christmas"]'),
    ("reader = 0", "reader = -1"),
], ids=["weekday", "holiday", "negative-cadence"])
def test_bad_touch_settings(touch_site, run, change, message):
    config = touch_site / "touchgen.toml"
    text = config.read_text()
    assert change in text
    config.write_text(text.replace(change, message), encoding="utf-8")
    line = next(n for n, l in enumerate(config.read_text().splitlines(), start=1) if l.startswith(message.split()[0]))
    expected = {"weekday": "[touches] working_days has 'tues', which is not a day (use mon, tue, wed, thu, fri, sat, sun)",
                "holiday": "[touches] holidays has 'Christmas', which is not a date (use YYYY-MM-DD)",
                "negative-cadence": "[touches.cadence] reader must be 0 (never proposed) or a number of days, not -1"}
    key = {"working_days": "weekday", "holidays": "holiday", "reader": "negative-cadence"}[message.split()[0]]
    assert run(touch_site, "touch", "today", code=1).stderr == f"Error: touchgen.toml:{line}: {expected[key]}\n"


def test_the_shortlist_ranks_exactly_like_everyone(site):
    """With more people than the shortlist holds, and the most overdue of them excluded (touched in
    the last quiet_days), the day's ranking equals the ranking of everyone."""
    import datetime as dt
    import sqlite3

    from touchgen.config import load_settings
    from touchgen.people.store import open_store
    from touchgen.touch.cadence import Population
    from touchgen.touch.planner import SHORTLIST, order, plan_days, propose, ranked

    open_store(site).close()
    db = sqlite3.connect(site / "data/touchgen.db")
    count = 5 * SHORTLIST
    with db:
        db.executemany("INSERT INTO people (id, email, created) VALUES (?, ?, '2025-01-01T00:00:00Z')",
                       [(n, f"p{n:04d}@example.com") for n in range(1, count + 1)])
        # Everyone replied once, n days before the day: the higher n, the more overdue.
        db.executemany("INSERT INTO events (person_id, kind, at) VALUES (?, 'replied', ?)",
                       [(n, (dt.datetime(2026, 11, 23) - dt.timedelta(days=20 + n // 3)).strftime("%Y-%m-%dT10:00:00Z"))
                        for n in range(1, count + 1)])
        # ... and the most overdue 300 were touched two days ago: excluded by quiet_days.
        db.executemany("INSERT INTO events (person_id, kind, at) VALUES (?, 'touch', '2026-11-21T10:00:00Z')",
                       [(n,) for n in range(count - 299, count + 1)])
    db.close()
    settings = load_settings(site)
    day = dt.date(2026, 11, 23)
    with open_store(site) as store:
        people = Population(store, settings, [])
        everyone = sorted(filter(None, (propose(p, day, settings) for p in people.all())), key=order)
        assert [p.email for p in ranked(people, day, settings, 3)][:3] == [p.email for p in everyone[:3]]
        # 699 and 700 both have 253 days of silence (20 + n // 3): the address breaks the tie.
        assert [p.email for p in everyone[:2]] == ["p0699@example.com", "p0700@example.com"]
        assert [p.email for _, p in plan_days(people, day, 5, settings)] == [p.email for p in everyone[:5]]


def test_what_happened_cannot_be_in_the_future(touch_site, run):
    for args in (("track", "reply", "ada@example.com", "--date", "2026-11-24"),
                 ("touch", "done", "ada@example.com", "--date", "2027-05-01")):
        result = run(touch_site, *args, code=2)
        assert result.stderr.endswith(f"Error: --date {args[-1]} is after today (2026-11-23); record what happened, "
                                      "not what is planned\n")
    result = run(touch_site, "track", "reply", "ada@example.com", "--post", "no-such-post", code=2)
    assert result.stderr.endswith("Error: --post 'no-such-post' is not the slug of a post (newest: welcome)\n")


def test_one_mailbox_is_one_person_however_it_is_written(touch_site, run):
    run(touch_site, "readers", "add", "josé@exämple.com")
    for same in ("JOSÉ@EXÄMPLE.COM", "josé@xn--exmple-cua.com", "José@Exämple.com"):
        assert run(touch_site, "readers", "add", same, code=1).stderr == (
            "Error: josé@exämple.com is already in the store (subscribed); nothing was changed\n")
    assert run(touch_site, "readers", "show", "JOSÉ@EXÄMPLE.COM").stdout.startswith("josé@exämple.com <josé@exämple.com>")


def test_readers_show_says_snoozed_and_never(touch_site, run):
    snoozed = run(touch_site, "readers", "show", "snoozed@example.com", "--today", MONDAY).stdout
    assert "  touch       snoozed until 2026-12-01\n" in snoozed and "touch snooze  until 2026-12-01" in snoozed
    never = run(touch_site, "readers", "show", "dnc@example.com", "--today", MONDAY).stdout
    assert "  touch       never proposed (do-not-contact; touchgen touch never EMAIL --undo takes it back)\n" in never
