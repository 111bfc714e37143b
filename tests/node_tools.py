"""The Node tools the tests run (tests/tools): installed once, whichever test worker comes first."""

from __future__ import annotations

import fcntl
import shutil
import subprocess
from pathlib import Path

TOOLS = Path(__file__).parent / "tools"
# What tests/tools/package.json brings; a folder missing any of them is installed again.
PACKAGES = ("ical.js", "adaptivecards")


def node_tools() -> Path:
    """The tools folder with its npm packages installed; fails plainly without node or npm."""
    node, npm = shutil.which("node"), shutil.which("npm")
    assert node, "node is needed to run the tests' JS checkers (ical.js, adaptivecards)"
    assert npm, "npm is needed to install the tests' JS checkers"
    with (TOOLS / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        installed = TOOLS / "node_modules"
        if not all((installed / name / "package.json").exists() for name in PACKAGES):
            subprocess.run(
                [npm, "install", "--no-audit", "--no-fund", "--silent"],
                cwd=TOOLS,
                check=True,
                timeout=300,
            )
    return TOOLS
