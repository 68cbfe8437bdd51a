"""Benchmarks of `touchgen send` with 10,000 readers: a dry run, and real SMTP to a local aiosmtpd.

    python benchmarks/send.py              # 10,000 readers
    python benchmarks/send.py --readers 2000

Prints a table: what, messages, seconds, messages a second, target. MJML runs only in
`touchgen build` (once per post); sending fills placeholders in the built email.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from aiosmtpd.controller import Controller

from touchgen.site.scaffold import init_site
from touchgen.people.store import open_store

TOUCHGEN = [sys.executable, "-m", "touchgen"]
LISTMONK_DEFAULT_RATE = 100  # messages a second: listmonk's default concurrency 10 x message_rate 10


class Counting:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.count += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_site(base: Path, name: str, readers: int, port: int) -> Path:
    site = base / name
    init_site(site, dt.date(2026, 11, 23))
    config = site / "touchgen.toml"
    config.write_text(config.read_text().replace("port = 587", f"port = {port}")
                      .replace('security = "starttls"', 'security = "none"'), encoding="utf-8")
    open_store(site).close()
    db = sqlite3.connect(site / "data/touchgen.db")
    with db:
        db.executemany("INSERT INTO people (email, name, created) VALUES (?, ?, '2026-01-01T00:00:00Z')",
                       ((f"reader{n}@example.com", f"Reader {n}") for n in range(readers)))
    db.close()
    subprocess.run([*TOUCHGEN, "--site", str(site), "-q", "build"], check=True)
    return site


def timed(site: Path, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run([*TOUCHGEN, "--site", str(site), "-q", "send", "welcome", *args], check=True,
                   stdout=subprocess.DEVNULL, env={**os.environ, "SOURCE_DATE_EPOCH": "1795435200"})
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--readers", type=int, default=10_000)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="touchgen-bench-"))
    handler = Counting()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        rows = []
        site = make_site(base, "dry", args.readers, port)
        seconds = timed(site, "--dry-run")
        rows.append(("send --dry-run (.eml files)", args.readers, seconds, "< 10 s"))
        site = make_site(base, "smtp", args.readers, port)
        seconds = timed(site, "--yes")
        assert handler.count == args.readers, handler.count
        rows.append(("send to local aiosmtpd", args.readers, seconds, f"> {LISTMONK_DEFAULT_RATE}/s (listmonk)"))
        print(f"| {'benchmark':<28} | {'messages':>8} | {'seconds':>7} | {'per second':>10} | {'target':<22} |")
        print(f"|{'-' * 30}|{'-' * 10}|{'-' * 9}|{'-' * 12}|{'-' * 24}|")
        for name, count, seconds, target in rows:
            print(f"| {name:<28} | {count:>8,} | {seconds:>7.2f} | {count / seconds:>10.0f} | {target:<22} |")
    finally:
        controller.stop()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
