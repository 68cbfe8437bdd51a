"""The daily touch commands: today, week, done, snooze, never, stats."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from ..people.kinds import Channel
from ..text import plural
from .context import Context, pass_context
from .params import DAY, emit, format_option, today_option


def _today(obj: Context, today: dt.date | None) -> tuple[Any, dt.date]:
    settings = obj.settings()
    return settings, obj.day(settings, today)


def _proposal_dict(proposal: Any) -> dict[str, Any]:
    person = proposal.placed.history.person
    return {"day": proposal.day.isoformat(), "email": person.email, "name": person.name,
            "stage": str(proposal.placed.history.stage), "cadence": proposal.placed.cadence,
            "silence": proposal.silence, "ratio": round(proposal.ratio, 2),
            "unanswered_reply": proposal.unanswered.isoformat() if proposal.unanswered else None,
            "reasons": proposal.reasons()}


@click.group()
def touch() -> None:
    """One deliberate relationship touch each working day.

    \b
    Example:
        touchgen touch today
        touchgen touch done ada@example.com --tests invested,learned
    """


@touch.command("today")
@today_option
@format_option
@pass_context
def touch_today(obj: Context, today: dt.date | None, format_: str) -> None:
    """The one person to reach out to today, why, and a drafted note. On a day
    that is not a working day, the next working day's person.

    \b
    Example:
        touchgen touch today
        touchgen touch today --today 2026-11-23 --format json
    """
    from ..clock import moment_of_day
    from ..touch.daily import today as plan_today
    from ..touch.workdays import long_date

    settings, day = _today(obj, today)
    with obj.store(settings) as store:
        found = plan_today(store, settings, day, moment_of_day(today, settings.zone))
    proposal = found.proposal
    if format_ == "json":
        emit([], [], "json", {"today": day.isoformat(), "working_day": found.working,
                              "proposal": _proposal_dict(proposal) if proposal else None, "note": found.note})
        return
    if format_ == "csv":
        emit([_proposal_dict(proposal)] if proposal else [], ["day", "email", "name", "stage", "ratio"], "csv")
        return
    if not found.working:
        click.echo(f"{long_date(day)} is not a working day.")
    if proposal is None:
        click.echo("Nobody to propose: no one has a cadence yet (a reply, a call or an account plan gives one), "
                   "or everyone is touched recently, snoozed or excluded.")
        return
    person = proposal.placed.history.person
    click.echo(f"{long_date(proposal.day)}: {person.name or person.email} <{person.email}>")
    for number, reason in enumerate(proposal.reasons()):
        click.echo(f"  {'why' if number == 0 else '   '}  {reason}")
    click.echo("")
    click.echo(found.note, nl=False)
    click.echo("")
    click.echo(f"When it is done: touchgen touch done {person.email} --tests invested,learned,illustrated")


@touch.command("week")
@today_option
@format_option
@pass_context
def touch_week(obj: Context, today: dt.date | None, format_: str) -> None:
    """One person for each of the coming working days, nobody twice.

    \b
    Example:
        touchgen touch week
        touchgen touch week --format json
    """
    from ..clock import moment_of_day
    from ..touch.daily import week

    settings, day = _today(obj, today)
    with obj.store(settings) as store:
        plan = week(store, settings, day, moment_of_day(today, settings.zone))
    rows = [{"day": d.isoformat(), "email": p.email if p else "", "name": p.placed.history.person.name if p else "",
             "why": p.reasons()[0] if p else "nobody to propose", "ratio": f"{p.ratio:.2f}" if p else ""}
            for d, p in plan]
    emit(rows, ["day", "email", "name", "ratio", "why"], format_,
         [_proposal_dict(p) if p else {"day": d.isoformat()} for d, p in plan])


@touch.command("done")
@click.argument("email")
@click.option("--channel", type=click.Choice([channel.value for channel in Channel]), default="email",
              show_default=True, help="How you reached out.")
@click.option("--note", default="", help="What it was about.")
@click.option("--tests", metavar="invested,learned,illustrated",
              help="Which of the three tests it passed: you invested your own time, learned something about "
                   "them, showed rather than told how you can be useful.")
@click.option("--date", "date_", type=DAY, help="When [today].")
@pass_context
def touch_done(obj: Context, email: str, channel: str, note: str, tests: str | None, date_: dt.date | None) -> None:
    """Record a touch: it restarts the person's clock and counts for touch stats.

    \b
    Example:
        touchgen touch done ada@example.com --channel call --tests invested,learned --note "Q1 plans"
    """
    from ..clock import moment_of_day, refuse_future, today
    from ..touch.daily import done, parse_tests

    settings = obj.settings()
    if date_ is not None:
        refuse_future(date_, today(settings.zone))
    passed = parse_tests(tests)
    with obj.store(settings) as store:
        person = done(store, email, moment_of_day(date_, settings.zone), Channel(channel), note, passed)
    obj.say(f"Recorded a touch with {person.email}" + (f" (passed: {', '.join(passed)})" if passed else ""))


@touch.command("snooze")
@click.argument("email")
@click.option("--until", "until", type=DAY, required=True, help="Not proposed before this day.")
@today_option
@pass_context
def touch_snooze(obj: Context, email: str, until: dt.date, today: dt.date | None) -> None:
    """Leave someone out of the daily touch until a day.

    \b
    Example:
        touchgen touch snooze ada@example.com --until 2027-01-10
    """
    from ..clock import moment_of_day
    from ..touch.daily import snooze

    settings, day = _today(obj, today)
    with obj.store(settings) as store:
        person = snooze(store, email, until, day, moment_of_day(today, settings.zone))
    obj.say(f"{person.email} is not proposed before {until}")


@touch.command("never")
@click.argument("email")
@click.option("--undo", is_flag=True, help="Take a do-not-contact back.")
@pass_context
def touch_never(obj: Context, email: str, undo: bool) -> None:
    """Never propose this person (do-not-contact); --undo takes it back.

    \b
    Example:
        touchgen touch never ada@example.com
        touchgen touch never ada@example.com --undo
    """
    from ..clock import current_time
    from ..touch.daily import never

    settings = obj.settings()
    with obj.store(settings) as store:
        person = never(store, email, current_time(), undo)
    obj.say(f"{person.email} may be proposed again" if undo else f"{person.email} is never proposed")


@touch.command("stats")
@click.option("--year", type=click.IntRange(1900, 9999), help="The year [this year].")
@today_option
@format_option
@pass_context
def touch_stats(obj: Context, year: int | None, today: dt.date | None, format_: str) -> None:
    """Touches this year against the target and the pace, per month, the streak
    of working days with a touch, the share passing all three tests, and whether
    the cadences ask for more touches than the target.

    \b
    Example:
        touchgen touch stats
        touchgen touch stats --year 2026 --format json
    """
    from ..clock import moment_of_day
    from ..touch.daily import prepare
    from ..touch.stats import stats

    settings, day = _today(obj, today)
    with obj.store(settings) as store:
        _, people = prepare(store, settings, moment_of_day(today, settings.zone))
        result = stats(store, settings, people, year or day.year, day)
    if format_ == "json":
        emit([], [], "json", result.as_dict())
        return
    rows = [{"month": month, "touches": count} for month, count in result.per_month.items()]
    if format_ == "csv":
        emit(rows, ["month", "touches"], "csv")
        return
    share = f" ({result.share_all_three:.0%})" if result.share_all_three is not None else ""
    click.echo(f"Touches in {result.year}: {result.touches} of {result.target} "
               f"(the pace for the working days so far: {result.pace})")
    click.echo(f"streak: {plural(result.streak, 'working day')} in a row with a touch")
    click.echo(f"all three tests: {result.all_three_tests} of {result.touches}{share}")
    click.echo(f"capacity: the cadences ask for {result.capacity:.0f} touches a year (target {result.target})")
    if result.over_capacity:
        click.echo(click.style(f"warning: the cadences ask for more touches than the target of {result.target}; "
                               "lengthen [touches.cadence], or walk away from an account", fg="yellow"), err=True)
    click.echo("")
    emit(rows, ["month", "touches"], "table")


COMMANDS: list[click.Command] = [touch]
