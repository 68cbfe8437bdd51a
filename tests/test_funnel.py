"""touchgen funnel: people who ever reached each step, rates, median wait, attribution per post."""

from __future__ import annotations

import json

import pytest

from conftest import DATA


@pytest.fixture
def full_site(readers_site, run):
    for args in (("replies", str(DATA / "inbox.mbox")),
                 ("calls", str(DATA / "bookings.ics"), "--today", "2026-11-23"),
                 ("calls", str(DATA / "calendly.csv"), "--today", "2026-11-23")):
        run(readers_site, "import", *args)
    return readers_site


def test_funnel_json(full_site, run):
    result = run(full_site, "funnel", "--by-post", "--format", "json")
    assert json.loads(result.stdout) == {
        "readers": 15, "replied": 3, "booked_call": 3, "conversation": 5, "relationship": 0,
        "rates": {"replied": 0.2, "booked_call": 1.0, "conversation": 1.6667, "relationship": 0.0},
        "median_days_to_conversation": 183.9,
        "by_post": [
            {"slug": "small-promises-kept", "sent": 5, "replied": 2, "booked_call": 1},
            {"slug": "know-the-whole-account", "sent": 1, "replied": 1, "booked_call": 0},
            {"slug": "start-before-you-need-it", "sent": 0, "replied": 0, "booked_call": 1},
        ],
    }


def test_funnel_table(full_site, run):
    result = run(full_site, "funnel", "--by-post")
    assert result.stdout == (
        "step          people  rate\n"
        "readers       15\n"
        "replied       3       20.0%\n"
        "booked call   3       100.0%\n"
        "conversation  5       166.7%\n"
        "relationship  0       0.0%\n"
        "median days from subscribing to first conversation: 183.9\n"
        "\n"
        "slug                      sent  replied  booked_call\n"
        "small-promises-kept       5     2        1\n"
        "know-the-whole-account    1     1        0\n"
        "start-before-you-need-it  0     0        1\n"
    )


def test_funnel_since(full_site, run):
    data = json.loads(run(full_site, "funnel", "--since", "2026-11-01", "--format", "json").stdout)
    assert {k: data[k] for k in ("readers", "replied", "booked_call", "conversation", "relationship")} == {
        "readers": 4, "replied": 1, "booked_call": 1, "conversation": 2, "relationship": 0}
    assert "by_post" not in data


def test_importing_everything_twice_changes_no_count(full_site, run):
    first = run(full_site, "funnel", "--by-post", "--format", "json").stdout
    for name in ("substack.csv", "mailchimp.csv", "plain.csv"):
        run(full_site, "import", "readers", str(DATA / name))
    run(full_site, "import", "replies", str(DATA / "inbox.mbox"))
    run(full_site, "import", "calls", str(DATA / "bookings.ics"), "--today", "2026-11-23")
    run(full_site, "import", "calls", str(DATA / "calendly.csv"), "--today", "2026-11-23")
    assert run(full_site, "funnel", "--by-post", "--format", "json").stdout == first


def test_empty_store(site, run):
    data = json.loads(run(site, "funnel", "--format", "json").stdout)
    assert data == {"readers": 0, "replied": 0, "booked_call": 0, "conversation": 0, "relationship": 0,
                    "rates": {"replied": None, "booked_call": None, "conversation": None, "relationship": None},
                    "median_days_to_conversation": None}
