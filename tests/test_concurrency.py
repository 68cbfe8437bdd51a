"""Four processes recording events into one store at the same moment lose nothing and never fail."""

from __future__ import annotations

import multiprocessing
import sqlite3

from touchgen.people.model import Event, EventKind, NewPerson
from touchgen.people.store import open_store

PER_PROCESS = 150


def record_many(root: str, worker: int, start: multiprocessing.synchronize.Event) -> None:
    from pathlib import Path

    start.wait()
    with open_store(Path(root)) as store:
        for n in range(PER_PROCESS):
            email = f"shared{n % 10}@example.com"
            store.record([(email, Event(EventKind.TOUCH, f"2026-11-23T10:{n % 60:02d}:00Z", note=f"w{worker} n{n}"))],
                         [NewPerson(email, "", False, "test", "2026-11-23T10:00:00Z")])


def test_four_processes_write_at_once(tmp_path):
    open_store(tmp_path).close()
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    workers = [context.Process(target=record_many, args=(str(tmp_path), w, start)) for w in range(4)]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(120)
    assert [worker.exitcode for worker in workers] == [0, 0, 0, 0]
    db = sqlite3.connect(tmp_path / "data/touchgen.db")
    assert db.execute("SELECT COUNT(*) FROM events WHERE kind = 'touch'").fetchone()[0] == 4 * PER_PROCESS
    assert db.execute("SELECT COUNT(*) FROM people").fetchone()[0] == 10
    notes = {row[0] for row in db.execute("SELECT note FROM events")}
    assert notes == {f"w{w} n{n}" for w in range(4) for n in range(PER_PROCESS)}
