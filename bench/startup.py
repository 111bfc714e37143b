"""Console start-up as a whole process, beside a bare `python -c pass` in the same run.

Run from the project folder: `python -m bench.startup [--repeats 7]`. Each repeat starts, in
turn: a bare interpreter; `mdtbot console` on an up-to-date SQLite file with no input (ready:
started, migrations checked, nothing typed); the same console answering one `/mdt list`; and
`import sqlalchemy.orm` (the floor the records need). Wall and CPU time (user + system, from
the child's own accounting, so a busy machine inflates it less) are printed as medians with
their spread. Target: the console ready in under 0.4 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from storage.db import make_engine, migrate

ROOT = Path(__file__).resolve().parent.parent
TARGET_READY = 0.4


def timed(command: list[str], stdin: str, cwd: Path, root: Path = ROOT) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one whole process."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: compiled modules are reused
    env.setdefault("PYTHONPYCACHEPREFIX", str(Path(tempfile.gettempdir()) / "mdt-bench-pyc"))
    began = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None
    process.stdin.write(stdin)
    process.stdin.close()
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - began
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        assert process.stderr is not None
        raise SystemExit(f"{' '.join(command)} failed: {process.stderr.read()[-500:]}")
    return wall, usage.ru_utime + usage.ru_stime


def cell(values: list[float]) -> str:
    """Median and range in milliseconds."""
    ms = sorted(v * 1000 for v in values)
    return f"{statistics.median(ms):7.0f} ({ms[0]:.0f}-{ms[-1]:.0f})"


def main() -> int:
    """Time each process interleaved and repeated; print medians, spreads and the target."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument(
        "--against",
        type=Path,
        help="another checkout of the project (say, before a change): its console runs too",
    )
    args = parser.parse_args()
    repeats = max(args.repeats, 3)
    python = sys.executable
    with tempfile.TemporaryDirectory() as folder:
        here = Path(folder)
        url = f"sqlite:///{here / 'mdt.db'}"
        engine = make_engine(url)
        migrate(engine)
        engine.dispose()
        console = [python, "-m", "bot.cli", "console", "--db", url, "--files", str(here / "f")]
        runs = {
            "python -c pass": ([python, "-c", "pass"], "", ROOT),
            "console ready": (console, "", ROOT),
            "console, one /mdt list": (console, "/mdt list\n", ROOT),
            "import sqlalchemy.orm": ([python, "-c", "import sqlalchemy.orm"], "", ROOT),
        }
        if args.against:
            other = args.against.resolve()
            other_url = f"sqlite:///{here / 'against.db'}"
            timed([python, "-m", "bot.cli", "migrate", "--db", other_url], "", here, other)
            against = [*console[:5], other_url, *console[6:]]
            runs["console ready (--against)"] = (against, "", other)
        for command, stdin, root in runs.values():  # warm-up: compiled modules written once
            timed(command, stdin, here, root)
        wall: dict[str, list[float]] = {name: [] for name in runs}
        cpu: dict[str, list[float]] = {name: [] for name in runs}
        load = os.getloadavg()[0]
        for _ in range(repeats):
            for name, (command, stdin, root) in runs.items():
                seconds, used = timed(command, stdin, here, root)
                wall[name].append(seconds)
                cpu[name].append(used)
    print(f"{repeats} interleaved runs; load average {load:.1f} on {os.cpu_count()} cores")
    print(f"{'process':26} {'wall ms median (range)':>24} {'cpu ms median (range)':>24}")
    for name in runs:
        print(f"{name:26} {cell(wall[name]):>24} {cell(cpu[name]):>24}")
    ready_wall = statistics.median(wall["console ready"])
    ready_cpu = statistics.median(cpu["console ready"])
    bare = statistics.median(wall["python -c pass"])
    verdict = "met" if ready_wall < TARGET_READY else "MISSED"
    print(
        f"console ready: {ready_wall * 1000:.0f} ms wall, {ready_cpu * 1000:.0f} ms cpu, "
        f"{ready_wall / bare:.1f}x a bare interpreter (target < {TARGET_READY * 1000:.0f} ms: "
        f"{verdict})"
    )
    return 0 if verdict == "met" else 1


if __name__ == "__main__":
    raise SystemExit(main())
