"""`python -m bench`: every benchmark in turn, each printing its figures and ratios."""

from __future__ import annotations

import subprocess
import sys

BENCHMARKS = (
    "bench.load",
    "bench.reminders",
    "bench.reviews",
    "bench.reads",
    "bench.startup",
    "bench.governance",
)


def main() -> int:
    """Run each benchmark in a process of its own; the worst exit status is returned."""
    worst = 0
    for module in BENCHMARKS:
        print(f"\n== {module} ==", flush=True)
        worst = max(worst, subprocess.run([sys.executable, "-m", module], check=False).returncode)
    return worst


if __name__ == "__main__":
    sys.exit(main())
