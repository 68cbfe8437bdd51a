"""touchgen report: on a store filled by the real commands (readers from CSV exports, replies from
an mbox, calls from an .ics, touches done, an account plan), the page and its JSON show exactly
what funnel, touch stats and accounts list print; the page fetches nothing and never goes under
output/."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import DATA, write

TODAY = "2026-11-23"  # a Monday
PLAN = """name = "Acme Corp"
tier = "top"
health = "healthy"
goals = ["Renew the support contract in Q2"]

[[people]]
email = "ceo@acme.example"
role = "key"

[[people]]
email = "grace@example.org"
role = "delivery"

[[people]]
email = "tim@example.com"
role = "support"

[[people]]
email = "joan@example.com"
role = "support"

[[activities]]
date = 2026-12-01
what = "Quarterly review"
"""
SENDS = [("ada@example.com", "know-the-whole-account", "a1", "2026-11-16T07:00:00Z"),
         ("grace@example.org", "know-the-whole-account", "g1", "2026-11-16T07:00:00Z"),
         ("ada@example.com", "small-promises-kept", "t1", "2026-11-23T07:00:00Z"),
         ("grace@example.org", "small-promises-kept", "t2", "2026-11-23T07:00:00Z"),
         ("katherine@example.com", "small-promises-kept", "t3", "2026-11-23T07:00:00Z"),
         ("margaret@example.com", "small-promises-kept", "t4", "2026-11-23T07:00:00Z"),
         ("tim@example.com", "small-promises-kept", "t5", "2026-11-23T07:00:00Z")]


def populate(root: Path, run) -> Path:
    """The sample site with readers, sends, replies, calls, touches and a plan, as a user makes them."""
    from touchgen.mail.ledger import Ledger
    from touchgen.people.store import open_store

    for name in ("substack.csv", "mailchimp.csv", "mailchimp-unsubscribed.csv", "plain.csv", "ghost.csv",
                 "buttondown.csv", "listmonk.csv"):
        run(root, "import", "readers", str(DATA / name))
    with open_store(root) as store:  # what `touchgen send` records, without an SMTP server
        ledger = Ledger(store)
        for email, post, token, at in SENDS:
            person = store.require(email)
            assert ledger.claim(post, person.id, f"{post}.{token}@example.com", at)
            ledger.mark_sent(post, person.id, at)
    run(root, "import", "replies", str(DATA / "inbox.mbox"))
    run(root, "import", "calls", str(DATA / "bookings.ics"), "--today", TODAY)
    run(root, "track", "call", "grace@example.org", "--date", "2026-08-01")
    run(root, "track", "reply", "grace@example.org", "--date", "2026-09-10")
    for email, day, tests in [("margaret@example.com", "2026-10-05", ""),
                              ("tim@example.com", "2026-11-18", "invested"),
                              ("ada@example.com", "2026-11-20", "invested,learned,illustrated"),
                              ("grace@example.org", "2026-11-21", "learned"),  # a Saturday
                              ("donald@example.com", TODAY, "invested,learned,illustrated")]:
        run(root, "touch", "done", email, "--date", day, *(["--tests", tests] if tests else []))
    run(root, "accounts", "add", "Acme Corp", "--tier", "top", "--today", TODAY)
    write(root / "data/accounts/acme-corp.toml", PLAN)
    return root


@pytest.fixture
def report_site(sample_site, run) -> Path:
    return populate(sample_site, run)


def figures(run, root: Path, *args: str) -> dict:
    return json.loads(run(root, "report", "--today", TODAY, "--format", "json", *args).stdout)


def printed(run, root: Path, *args: str) -> dict | list:
    return json.loads(run(root, *args, "--format", "json").stdout)


def test_the_figures_are_what_the_commands_print(report_site, run):
    data = figures(run, report_site)
    assert data["funnel"] == printed(run, report_site, "funnel")
    assert data["touches"] == printed(run, report_site, "touch", "stats", "--today", TODAY)
    assert data["accounts"] == printed(run, report_site, "accounts", "list", "--today", TODAY)
    by_post = {post["slug"]: post for post in printed(run, report_site, "funnel", "--by-post")["by_post"]}
    for post in data["posts"]:
        counted = by_post.get(post["slug"], {"sent": 0, "replied": 0, "booked_call": 0})
        assert (post["sent"], post["replied"], post["booked_call"]) == (
            counted["sent"], counted["replied"], counted["booked_call"]), post["slug"]
    # The store really holds something: replies matched to posts, a call, touches, an overdue account.
    assert data["funnel"]["replied"] >= 2 and data["funnel"]["booked_call"] >= 1 and data["funnel"]["relationship"] == 1
    assert [post["slug"] for post in data["posts"] if post["replied"]] == ["small-promises-kept",
                                                                         "know-the-whole-account"]
    assert data["touches"]["touches"] == 5 and data["accounts"][0]["overdue"] == ["joan@example.com"]
    assert data["people"] == data["funnel"]["readers"]


def test_the_json_keys_are_stable(report_site, run):
    data = figures(run, report_site)
    assert list(data) == ["today", "site", "people", "funnel", "posts", "touches", "calendar", "stages_by_month",
                          "accounts", "unanswered"]
    assert list(data["posts"][0]) == ["slug", "title", "date", "url", "sent", "replied", "booked_call"]
    assert list(data["stages_by_month"][0]) == ["month", "reader", "conversation", "relationship"]
    assert list(data["unanswered"][0]) == ["email", "name", "replied", "days", "post", "subject"]
    assert data["calendar"][0] == {"date": "2026-01-01", "touches": 0}


def test_posts_are_the_newest_published_by_today(report_site, run):
    data = figures(run, report_site)
    from touchgen.config import load_settings
    from touchgen.site.content import load_content

    posts = [p for p in load_content(load_settings(report_site)).posts if not p.draft and p.date.date().isoformat() <= TODAY]
    assert [post["slug"] for post in data["posts"]] == [p.slug for p in posts][:26]
    assert data["posts"][0] == {"slug": "small-promises-kept", "title": "Small promises, kept", "date": TODAY,
                                "url": "https://example.com/posts/small-promises-kept/", "sent": 5, "replied": 2,
                                "booked_call": 0}
    older = json.loads(run(report_site, "report", "--today", "2026-11-20", "--format", "json").stdout)
    assert older["posts"][0]["slug"] == "know-the-whole-account"  # the post of the 23rd is not out yet


def test_the_calendar_counts_each_working_day(report_site, run):
    data = figures(run, report_site)
    calendar = {day["date"]: day["touches"] for day in data["calendar"]}
    # 2026 has 261 weekdays; the sample touchgen.toml makes 25 December a holiday.
    assert len(calendar) == 260 and "2026-12-25" not in calendar and "2026-11-21" not in calendar
    assert {day: count for day, count in calendar.items() if count} == {
        "2026-10-05": 1, "2026-11-18": 1, "2026-11-20": 1, TODAY: 1}
    # The Saturday touch counts for the year and its month, not for a working day of the calendar.
    assert data["touches"]["per_month"]["November"] == 4 == sum(
        count for day, count in calendar.items() if day.startswith("2026-11")) + 1


def test_people_per_stage_month_by_month(report_site, run):
    data = figures(run, report_site)
    months = data["stages_by_month"]
    assert [month["month"] for month in months] == [f"2025-12"] + [f"2026-{n:02d}" for n in range(1, 12)]
    last, funnel = months[-1], data["funnel"]
    # Today: everyone, by the stage the funnel counts (no two-way contact dated after today here).
    assert last["reader"] + last["conversation"] + last["relationship"] == funnel["readers"]
    assert (last["conversation"] + last["relationship"], last["relationship"]) == (
        funnel["conversation"], funnel["relationship"])
    # Grace: a call on 1 August began the conversation (she joined in February); her reply of 10
    # September was her second day, the reply of 20 November her third, 111 days after the first.
    grace = {month["month"]: month for month in months}
    assert grace["2026-07"]["conversation"] == 0 and grace["2026-08"]["conversation"] == 1
    assert grace["2026-10"]["relationship"] == 0 and grace["2026-11"]["relationship"] == 1


def test_people_count_from_their_first_contact_when_it_came_before_they_were_added(site, run):
    run(site, "track", "reply", "late@example.com", "--date", "2026-06-10")  # added today, replied in June
    months = {m["month"]: m for m in figures(run, site)["stages_by_month"]}
    assert months["2026-05"] == {"month": "2026-05", "reader": 0, "conversation": 0, "relationship": 0}
    assert months["2026-06"] == {"month": "2026-06", "reader": 0, "conversation": 1, "relationship": 0}


def test_the_unanswered_replies(report_site, run):
    data = figures(run, report_site)
    # Ada replied on the 23rd after her touch of the 20th; Grace's reply of the 20th had a touch on the
    # 21st; Hedy wrote on the 23rd (a forward of Ada's newsletter: she is a person of her own).
    assert [(reply["email"], reply["replied"], reply["days"]) for reply in data["unanswered"]] == [
        ("ada@example.com", TODAY, 0), ("hedy@example.com", TODAY, 0)]
    assert data["unanswered"][0]["subject"] == "Re: Small promises, kept"
    assert data["unanswered"][0]["post"] == "small-promises-kept"
    # touch today puts the same rule first, and leaves out Ada, touched less than quiet_days ago.
    proposal = printed(run, report_site, "touch", "today", "--today", TODAY)["proposal"]
    assert (proposal["email"], proposal["unanswered_reply"]) == ("hedy@example.com", TODAY)
    # answer_within_days (14) later they still wait; a day after that, they were surely answered elsewhere.
    later = json.loads(run(report_site, "report", "--today", "2026-12-07", "--format", "json").stdout)
    assert [reply["days"] for reply in later["unanswered"]] == [14, 14]
    assert json.loads(run(report_site, "report", "--today", "2026-12-08", "--format", "json").stdout)["unanswered"] == []


def test_the_page_is_written_with_a_summary(report_site, run):
    data = figures(run, report_site)
    result = run(report_site, "report", "--today", TODAY)
    touches = data["touches"]
    behind = touches["pace"] - touches["touches"]
    assert result.stdout == (f"Wrote data/report/index.html: {data['people']} people, {len(data['posts'])} posts, "
                             f"{touches['touches']} of 260 touches ({behind} behind the pace of {touches['pace']})\n")
    page = report_site / "data/report/index.html"
    html = page.read_text(encoding="utf-8")
    assert "<h1>Monday Inspiration</h1>" in html and "Monday 23 November 2026" in html
    assert not (report_site / "output").exists()
    before = page.read_bytes()
    run(report_site, "report", "--today", TODAY)
    assert page.read_bytes() == before  # the same store and day give the same page


def test_the_page_fetches_nothing(report_site, run):
    run(report_site, "report", "--today", TODAY)
    html = (report_site / "data/report/index.html").read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert not re.search(r"<link[^>]+href=\"(?!data:)", html)
    assert not re.search(r"\bsrc=", html) and "url(" not in html and "@import" not in html
    assert "@font-face" not in html
    # Every web address is a link to the writer's own site, in an <a> the reader may follow.
    addresses = re.findall(r"""(?:https?:)?//[^\s"'<>)]+""", html)
    assert addresses and all(address.startswith("https://example.com/") for address in addresses), addresses
    anchored = re.findall(r"<a href=\"(https?://[^\"]+)\"", html)
    assert sorted(anchored) == sorted(addresses)
    assert "default-src 'none'" in html  # and the browser is told to refuse any request


def test_the_page_reports_an_empty_store(site, run):
    result = run(site, "report", "--today", TODAY)
    assert result.stdout == ("Wrote data/report/index.html: 0 people, 1 post, 0 of 260 touches "
                             "(232 behind the pace of 232)\n")
    html = (site / "data/report/index.html").read_text(encoding="utf-8")
    assert "No reply is waiting" in html and "No key accounts yet" in html


@pytest.mark.parametrize("out, why", [
    ("output/report.html", "output/, which is published with the site"),
    ("output", "output/, which is published with the site"),
    ("output/site/", "output/, which is published with the site"),
    ("static/report.html", "static/, whose files are copied into the published site"),
    ("content/posts/2026-11-23-small-promises-kept/report.html", "content/, whose files beside a post are published "
                                                                 "with it"),
    ("templates/static/report.html", "templates/, whose static/ files are copied into the published site"),
], ids=["file", "folder", "site", "static", "bundle", "theme"])
def test_an_out_where_the_site_is_published_from_is_refused(report_site, run, monkeypatch, out, why):
    monkeypatch.chdir(report_site)
    (report_site / "output/site").mkdir(parents=True)
    before = sorted(p for p in report_site.rglob("*"))
    result = run(report_site, "report", "--out", out, code=1)
    assert result.stderr == (f"Error: {Path(out)}: is inside {why}; the report is private: write it under data/ "
                             "(the default is data/report/index.html)\n")
    assert sorted(p for p in report_site.rglob("*")) == before


def test_a_link_into_output_is_refused(report_site, run, tmp_path):
    (report_site / "output/site").mkdir(parents=True)
    (tmp_path / "private").symlink_to(report_site / "output/site")
    result = run(report_site, "report", "--out", str(tmp_path / "private/report.html"), code=1)
    assert result.stderr.startswith(f"Error: {tmp_path / 'private/report.html'}: is inside output/, which is published")
    assert list((report_site / "output/site").iterdir()) == []


def test_out_elsewhere_and_into_a_folder(report_site, run, tmp_path):
    result = run(report_site, "report", "--today", TODAY, "--out", str(tmp_path / "mine.html"))
    assert result.stdout.startswith(f"Wrote {tmp_path / 'mine.html'}: ")
    (tmp_path / "folder").mkdir()
    run(report_site, "report", "--today", TODAY, "--out", str(tmp_path / "folder"))
    assert (tmp_path / "folder/index.html").read_bytes() == (tmp_path / "mine.html").read_bytes()
    assert not (report_site / "data/report").exists()


def test_json_goes_to_standard_output_only(report_site, run):
    result = run(report_site, "report", "--format", "json", "--out", "x.json", code=2)
    assert result.stderr == ("Error: --out writes the HTML page; --format json prints to standard output "
                             "(redirect it: touchgen report --format json > report.json)\n")
    figures(run, report_site)
    assert not (report_site / "data/report").exists()


def test_a_broken_report_template_is_located(report_site, run):
    write(report_site / "templates/report/index.html", "<h1>{{ report.site }}</h1>\n<p>{{ nope }}</p>\n")
    result = run(report_site, "report", "--today", TODAY, code=1)
    assert result.stderr == ("Error: templates/report/index.html:2: 'nope' is undefined (fix the variable name in "
                             "the template; see the README for the variables each template gets)\n")
    assert not (report_site / "data/report").exists()


def test_a_site_template_replaces_the_default(report_site, run):
    write(report_site / "templates/report/index.html",
          "{{ report.site }}: {{ report.people }} people, {{ funnel[1].bar.text }} replied\n")
    run(report_site, "report", "--today", TODAY)
    data = figures(run, report_site)
    assert (report_site / "data/report/index.html").read_text(encoding="utf-8") == (
        f"Monday Inspiration: {data['people']} people, {data['funnel']['replied']} replied\n")


@pytest.mark.parametrize("path, text, errors", [
    ("content/posts/2026-11-30-broken.md", "---\ntitle: Broken\ndate: 2026-13-45\n---\nx\n",
     "error: content/posts/2026-11-30-broken.md:3: date '2026-13-45' is not a valid date (use YYYY-MM-DD)\n"
     "Error: 1 problem found; nothing was written\n"),
    ("data/accounts/bad.toml", 'name = "Bad"\nhealth = "poor"\n',
     "error: data/accounts/bad.toml:2: health 'poor' is not one of healthy | fix | walk-away\n"
     "Error: 1 account plan cannot be read; fix it first\n"),
], ids=["post", "plan"])
def test_bad_content_stops_the_report(report_site, run, path, text, errors):
    write(report_site / path, text)
    for args in (("--format", "json"), ()):
        result = run(report_site, "report", "--today", TODAY, *args, code=1)
        assert (result.stdout, result.stderr) == ("", errors)
    assert not (report_site / "data/report").exists()


def test_the_calendar_follows_the_working_days(report_site, run):
    config = report_site / "touchgen.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('working_days = ["mon", "tue", "wed", "thu", "fri"]',
                                   'working_days = ["mon", "tue", "wed", "thu", "fri", "sat"]'), encoding="utf-8")
    calendar = {day["date"]: day["touches"] for day in figures(run, report_site)["calendar"]}
    # 2026 has 313 days that are not Sundays; the sample makes 25 and 26 December holidays.
    assert len(calendar) == 313 - 2 and calendar["2026-11-21"] == 1
    run(report_site, "report", "--today", TODAY)
    html = (report_site / "data/report/index.html").read_text(encoding="utf-8")
    november = html.split('aria-label="November: ')[1].split("</svg>")[0]
    assert re.findall(r'class="head"[^>]*>(\w)<', november) == ["M", "T", "W", "T", "F", "S"]
    assert november.startswith("4 touches on 25 working days")
    assert '<g class="cell holiday" data-date="2026-12-25"><title>Friday 25 December: not a working day</title>' in html
