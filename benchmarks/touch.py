"""Benchmark of the daily touch: `touch today` and `touch week` over a large store, each timing the
real `touchgen` command (start-up included) in a fresh site.

    python benchmarks/touch.py            # 100,000 people, 1,000,000 events, 20 account plans
    python benchmarks/touch.py --small    # a tenth of that

Prints a table: what, size, seconds (best of --repeat runs), target.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from touchgen.people.store import open_store
from touchgen.site.scaffold import init_site

TOUCHGEN = [sys.executable, "-m", "touchgen"]
TARGET = 0.5
TODAY = "2026-11-23"


def build_store(site: Path, people: int, events: int, seed: int = 7) -> int:
    """A store shaped like a long-running newsletter: everyone subscribed and sent most posts, a
    third replied now and then, some booked calls, some were touched. Returns the events written."""
    rng = random.Random(seed)
    open_store(site).close()
    db = sqlite3.connect(site / "data/touchgen.db")
    start = dt.datetime(2024, 1, 1, 9, 0)
    posts = [f"post-{n}" for n in range(150)]
    rows: list[tuple[int, str, str, str | None, str | None]] = []
    with db:
        db.executemany("INSERT INTO people (id, email, name, subscribed, source, created) VALUES (?, ?, ?, 1, 'bench', ?)",
                       ((n, f"person{n}@example.com", f"Person {n}", (start + dt.timedelta(days=n % 600)).strftime(
                           "%Y-%m-%dT%H:%M:%SZ")) for n in range(1, people + 1)))
        per_person = events // people
        for n in range(1, people + 1):
            rows.append((n, "subscribed", (start + dt.timedelta(days=n % 600)).strftime("%Y-%m-%dT%H:%M:%SZ"), None, None))
            talks = rng.random() < 0.33
            for k in range(per_person - 1):
                moment = (start + dt.timedelta(days=rng.randrange(1, 1050), hours=rng.randrange(10))).strftime(
                    "%Y-%m-%dT%H:%M:%SZ")
                roll = rng.random()
                kind = ("replied" if roll < 0.08 else "booked_call" if roll < 0.1 else "touch" if roll < 0.13
                        else "sent") if talks else "sent"
                rows.append((n, kind, moment, rng.choice(posts), f"bench-{n}-{k}" if kind != "touch" else None))
        db.executemany("INSERT INTO events (person_id, kind, at, post, external_id) VALUES (?, ?, ?, ?, ?)", rows)
    db.close()
    accounts = site / "data/accounts"
    accounts.mkdir(parents=True, exist_ok=True)
    for a in range(20):
        members = "".join(f'\n[[people]]\nemail = "person{a * 50 + m + 1}@example.com"\nrole = "{("key", "delivery", "support")[m % 3]}"\n'
                          for m in range(10))
        (accounts / f"account-{a}.toml").write_text(
            f'name = "Account {a}"\ntier = "{"top" if a < 5 else "other"}"\nhealth = "{"fix" if a % 7 == 0 else "healthy"}"\n'
            f"{members}\n[[activities]]\ndate = 2026-12-0{1 + a % 9}\nwhat = \"Review\"\n", encoding="utf-8")
    return len(rows)


def timed(site: Path, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run([*TOUCHGEN, "--site", str(site), *args, "--today", TODAY], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="a tenth of the full size")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each command; the best counts")
    options = parser.parse_args()
    people, events = (10_000, 100_000) if options.small else (100_000, 1_000_000)
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder) / "site"
        init_site(site, dt.date(2026, 11, 23))
        written = build_store(site, people, events)
        size = f"{people:,} people, {written:,} events"
        print(f"| benchmark   | size {' ' * (len(size) - 5)} | seconds | target |")
        print(f"|-------------|{'-' * (len(size) + 2)}|---------|--------|")
        for command in ("today", "week"):
            best = min(timed(site, "touch", command) for _ in range(options.repeat))
            print(f"| touch {command:<5} | {size} | {best:7.2f} | < {TARGET} |")


if __name__ == "__main__":
    main()
