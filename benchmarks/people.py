"""Benchmarks of the people store, each timing the real `touchgen` command in a fresh site.

    python benchmarks/people.py            # full size: 100,000 readers, 10,000 messages, 1,000,000 events
    python benchmarks/people.py --small    # a tenth of that, for a quick look

Prints one table row per benchmark: what, size, seconds (best of --repeat runs), target.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from touchgen.site.scaffold import init_site
from touchgen.people.store import open_store

TOUCHGEN = [sys.executable, "-m", "touchgen"]


def timed(args: list[str], site: Path) -> float:
    started = time.perf_counter()
    subprocess.run([*TOUCHGEN, "--site", str(site), "-q", *args], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def fresh_site(base: Path, name: str) -> Path:
    site = base / name
    init_site(site, dt.date(2026, 11, 23))
    open_store(site).close()
    return site


def write_readers(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("email,first_name,last_name\n")
        for n in range(count):
            out.write(f"reader{n}@example.com,Reader,Number {n}\n")


def bench_import_readers(base: Path, count: int) -> float:
    csv_path = base / "readers.csv"
    write_readers(csv_path, count)
    site = fresh_site(base, f"readers-{time.perf_counter_ns()}")
    return timed(["import", "readers", str(csv_path)], site)


def bench_import_mbox(base: Path, messages: int) -> float:
    site = fresh_site(base, f"mbox-{time.perf_counter_ns()}")
    people = messages // 2
    db = sqlite3.connect(site / "data/touchgen.db")
    with db:
        db.executemany("INSERT INTO people (id, email, name, created) VALUES (?, ?, '', '2026-01-01T00:00:00Z')",
                       ((n + 1, f"reader{n}@example.com") for n in range(people)))
        db.executemany("INSERT INTO sends (post, person_id, message_id, status, claimed_at, sent_at) "
                       "VALUES ('small-promises-kept', ?, ?, 'sent', '2026-11-23T07:00:00Z', '2026-11-23T07:00:00Z')",
                       ((n + 1, f"small-promises-kept.{n}@example.com") for n in range(people)))
    db.close()
    path = base / "inbox.mbox"
    with path.open("w", encoding="utf-8") as out:
        for n in range(messages):
            who = n % people
            thread = f"In-Reply-To: <small-promises-kept.{who}@example.com>\n" if n % 2 else ""
            out.write(f"From reader{who}@example.com Mon Nov 23 10:00:00 2026\n"
                      f"From: Reader {who} <reader{who}@example.com>\nTo: jane@example.com\n"
                      f"Subject: Re: Small promises, kept\nDate: Mon, 23 Nov 2026 10:{n % 60:02d}:00 +0000\n"
                      f"Message-ID: <reply-{n}@example.com>\n{thread}\nThank you, this one hit home.\n\n")
    return timed(["import", "replies", str(path)], site)


def bench_funnel(base: Path, people: int, events: int, repeat: int) -> float:
    site = fresh_site(base, f"funnel-{time.perf_counter_ns()}")
    rng = random.Random(7)
    posts = [f"post-{week}" for week in range(52)]
    start = dt.datetime(2026, 1, 5, 7, tzinfo=dt.timezone.utc)
    db = sqlite3.connect(site / "data/touchgen.db")
    with db:
        db.executemany("INSERT INTO people (id, email, name, created) VALUES (?, ?, '', '2025-12-01T00:00:00Z')",
                       ((n + 1, f"reader{n}@example.com") for n in range(people)))
        db.executemany("INSERT INTO events (person_id, kind, at, source) VALUES (?, 'subscribed', "
                       "'2025-12-01T00:00:00Z', 'bench')", ((n + 1,) for n in range(people)))
        remaining = events - people
        sends = []
        rows = []
        for n in range(remaining):
            person = rng.randrange(people) + 1
            week = rng.randrange(len(posts))
            at = (start + dt.timedelta(days=7 * week, minutes=rng.randrange(3000))).strftime("%Y-%m-%dT%H:%M:%SZ")
            roll = rng.random()
            kind = "sent" if roll < 0.9 else "replied" if roll < 0.96 else "booked_call" if roll < 0.98 else "call_held"
            rows.append((person, kind, at, posts[week], f"x{n}"))
            if kind == "sent":
                sends.append((posts[week], person, f"{posts[week]}.{n}@example.com", at, at))
        db.executemany("INSERT INTO events (person_id, kind, at, post, source, external_id) "
                       "VALUES (?, ?, ?, ?, 'bench', ?)", rows)
        db.executemany("INSERT OR IGNORE INTO sends (post, person_id, message_id, status, claimed_at, sent_at) "
                       "VALUES (?, ?, ?, 'sent', ?, ?)", sends)
    db.close()
    return min(timed(["funnel", "--by-post", "--format", "json"], site) for _ in range(repeat))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true", help="a tenth of the full size")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each benchmark; the best is shown")
    args = parser.parse_args()
    scale = 10 if args.small else 1
    base = Path(tempfile.mkdtemp(prefix="touchgen-bench-"))
    try:
        benches = [
            ("import readers (CSV)", f"{100_000 // scale:,} readers", 5.0,
             lambda: min(bench_import_readers(base, 100_000 // scale) for _ in range(args.repeat))),
            ("import replies (mbox)", f"{10_000 // scale:,} messages", 10.0,
             lambda: min(bench_import_mbox(base, 10_000 // scale) for _ in range(args.repeat))),
            ("funnel --by-post", f"{100_000 // scale:,} people, {1_000_000 // scale:,} events", 1.0,
             lambda: bench_funnel(base, 100_000 // scale, 1_000_000 // scale, args.repeat)),
        ]
        print(f"| {'benchmark':<22} | {'size':<34} | {'seconds':>8} | {'target':>7} |")
        print(f"|{'-' * 24}|{'-' * 36}|{'-' * 10}|{'-' * 9}|")
        for name, size, target, bench in benches:
            best = bench()
            print(f"| {name:<22} | {size:<34} | {best:>8.2f} | {'< ' + str(target):>7} |", flush=True)
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
