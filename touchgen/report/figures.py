"""The report's figures, gathered with the functions the commands use, so the page shows what
`funnel`, `touch stats` and `accounts list` print: one plain object, its JSON the --format json."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ..config import Settings
from ..people.funnel import Funnel, PostCounts, funnel
from ..people.store import Store
from ..site.content import load_content
from ..touch.daily import population
from ..touch.planner import out_for_good, unanswered_reply
from ..touch.stats import Stats, stats, touch_days
from ..touch.standing import Standing, standing
from ..touch.workdays import Workdays
from .months import MonthStages, stages_by_month

POSTS = 26  # half a year of Monday posts
MONTHS = 12


@dataclass(frozen=True)
class PostFigures:
    slug: str
    title: str
    date: dt.date
    url: str  # on the writer's own site
    sent: int
    replied: int
    booked_call: int

    def as_dict(self) -> dict[str, object]:
        return {"slug": self.slug, "title": self.title, "date": self.date.isoformat(), "url": self.url,
                "sent": self.sent, "replied": self.replied, "booked_call": self.booked_call}


@dataclass(frozen=True)
class Unanswered:
    """A reply still waiting for an answer (the rule `touch today` puts first)."""

    email: str
    name: str
    replied: dt.date
    days: int  # waiting, on the report's day
    post: str | None  # the slug of the post it answers
    subject: str

    def as_dict(self) -> dict[str, object]:
        return {"email": self.email, "name": self.name, "replied": self.replied.isoformat(), "days": self.days,
                "post": self.post, "subject": self.subject}


@dataclass(frozen=True)
class Figures:
    today: dt.date
    site: str
    funnel: Funnel
    posts: list[PostFigures]
    touches: Stats
    calendar: list[tuple[dt.date, int]]  # every working day of the year with its touches
    stages: list[MonthStages]
    accounts: list[Standing]
    unanswered: list[Unanswered]
    answer_within_days: int

    @property
    def people(self) -> int:
        return self.funnel.readers

    def pace_phrase(self, short: bool = False) -> str:
        """'on pace', or how far behind the pace for the working days so far."""
        behind = self.touches.pace - self.touches.touches
        if behind <= 0:
            return "on pace"
        return f"{behind} behind pace" if short else f"{behind} behind the pace of {self.touches.pace}"

    def summary(self) -> str:
        """'412 people, 26 posts, 131 of 260 touches (on pace)'."""
        from ..text import plural

        return (f"{plural(self.people, 'person', 'people')}, {plural(len(self.posts), 'post')}, "
                f"{self.touches.touches} of {self.touches.target} touches ({self.pace_phrase()})")

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape the README documents; `funnel`, `touches` and `accounts` are exactly what
        `funnel`, `touch stats` and `accounts list` print as JSON."""
        return {
            "today": self.today.isoformat(),
            "site": self.site,
            "people": self.people,
            "funnel": self.funnel.as_dict(False),
            "posts": [post.as_dict() for post in self.posts],
            "touches": self.touches.as_dict(),
            "calendar": [{"date": day.isoformat(), "touches": count} for day, count in self.calendar],
            "stages_by_month": [month.as_dict() for month in self.stages],
            "accounts": [account.as_dict() for account in self.accounts],
            "unanswered": [reply.as_dict() for reply in self.unanswered],
        }


def post_figures(settings: Settings, counted: Funnel, today: dt.date) -> list[PostFigures]:
    """The newest POSTS posts published by `today`, each with its sends, replies and booked calls."""
    by_slug = {post.slug: post for post in counted.by_post}
    zone = settings.zone
    dated = [(post, post.date.astimezone(zone).date()) for post in load_content(settings).posts
             if not post.draft and post.date is not None]
    published = [(post, day) for post, day in dated if day <= today][:POSTS]
    empty = PostCounts("", 0, 0, 0)
    return [PostFigures(post.slug, post.title, day, settings.absolute(post.url_path), counts.sent, counts.replied,
                        counts.booked_call)
            for post, day in published for counts in [by_slug.get(post.slug, empty)]]


def calendar(store: Store, settings: Settings, year: int) -> list[tuple[dt.date, int]]:
    """Every working day of `year` with the touches recorded on it."""
    per_day: dict[dt.date, int] = {}
    for day, _ in touch_days(store, settings, year):
        per_day[day] = per_day.get(day, 0) + 1
    days = Workdays.from_settings(settings.touches).between(dt.date(year, 1, 1), dt.date(year, 12, 31))
    return [(day, per_day.get(day, 0)) for day in days]


def last_reply(store: Store, person_id: int) -> tuple[str | None, str]:
    """(post, subject) of the person's last reply."""
    row = store.db.execute("SELECT post, note FROM events WHERE person_id = ? AND kind = 'replied' "
                           "ORDER BY at DESC, id DESC LIMIT 1", (person_id,)).fetchone()
    return (row[0], row[1]) if row else (None, "")


def gather(store: Store, settings: Settings, today: dt.date, now: dt.datetime) -> Figures:
    """Everything the report shows, for `today` (`now`: the moment the commands act at)."""
    accounts, people = population(store, settings, now)  # first: it adds the people of the plans to the store
    counted = funnel(store, settings.stages, None, True)
    everyone = people.all()
    recent = people.extras(today)  # the people of the plans, and everyone who replied lately
    placed = {p.history.person.email.lower(): p for p in everyone + recent}
    waiting = []
    within = settings.touches.answer_within_days
    for person in recent:
        replied = unanswered_reply(person.history, today, within)
        if replied is not None and not out_for_good(person):
            post, subject = last_reply(store, person.history.person.id)
            waiting.append(Unanswered(person.history.person.email, person.history.person.name, replied,
                                      (today - replied).days, post, subject))
    waiting.sort(key=lambda reply: (reply.replied, reply.email.lower()))
    return Figures(
        today=today,
        site=settings.site.title,
        funnel=counted,
        posts=post_figures(settings, counted, today),
        touches=stats(store, settings, everyone, today.year, today),
        calendar=calendar(store, settings, today.year),
        stages=stages_by_month(store, settings.stages, today, settings.zone, MONTHS),
        accounts=[standing(account, placed, today) for account in accounts],
        unanswered=waiting,
        answer_within_days=within,
    )
