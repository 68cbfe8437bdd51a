"""The build's worker pool: results in order, and the pool's watching thread does not wake for every
result (it took a tenth of a clean build's CPU in the build process)."""

from __future__ import annotations

from multiprocessing.pool import Pool

from touchgen.site.workers import Workers


def _square(number: int) -> int:
    return number * number


def test_the_pool_watches_its_workers_not_each_result(monkeypatch):
    wakes: list[int] = []
    maintain = Pool._maintain_pool

    def counted(*args, **kwargs):
        wakes.append(1)
        return maintain(*args, **kwargs)

    monkeypatch.setattr(Pool, "_maintain_pool", staticmethod(counted))
    workers = Workers(2)
    try:
        assert list(workers.map(_square, range(400), 1, 1)) == [n * n for n in range(400)]
    finally:
        workers.close()
    # The stock pool wakes that thread once for about every result it finds waiting (hundreds here).
    assert len(wakes) < 20, len(wakes)

