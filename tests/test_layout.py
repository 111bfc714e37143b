"""The code's own shape: no command strings built to be run, only typed use cases and buttons."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from commands import catalogue  # noqa: F401 - fills the command table
from commands.registry import COMMANDS

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(p for folder in ("bot", "commands") for p in (ROOT / folder).rglob("*.py"))
# A command word then what a command takes first: a placeholder, a ref (M3, A17, D4) or a mention.
COMMAND_START = re.compile(
    rf"^\s*(?:/mdt\s+)?(?:{'|'.join(map(re.escape, COMMANDS))}):?\s+(?:$|[{{@<]|[MADE]\d)", re.I
)
# Text that names a command without running it: a button's command, a usage line, an example.
SHOWN = frozenset({"usage", "example", "given", "again", "line"})
HANDLERS = frozenset(spec.handler.__name__ for spec in COMMANDS.values())


def _start(node: ast.JoinedStr) -> str:
    first = node.values[0] if node.values else None
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else ""


def _exempt(tree: ast.AST) -> set[int]:
    """The f-strings in buttons, usage lines and examples: shown to people, not run."""
    exempt: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and node.exc is not None:
            exempt |= {id(n) for n in ast.walk(node.exc)}
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            inside = node.args if name == "Button" else []
            inside += [k.value for k in node.keywords if k.arg in SHOWN]
            exempt |= {id(n) for part in inside for n in ast.walk(part)}
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id.lower().endswith("example") for t in node.targets
        ):
            exempt |= {id(n) for n in ast.walk(node.value)}
    return exempt


def built_commands(path: Path, root: Path = ROOT) -> list[str]:
    """Where a file writes a command line (an f-string or a literal handed to a handler)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    exempt = _exempt(tree)
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.JoinedStr)
            and id(node) not in exempt
            and COMMAND_START.match(_start(node))
        ):
            found.append(f"{path.relative_to(root)}:{node.lineno}")
        if isinstance(node, ast.List) and len(node.elts) > 1 and id(node) not in exempt:
            head = node.elts[0]
            if isinstance(head, ast.Constant) and head.value in COMMANDS:
                found.append(f"{path.relative_to(root)}:{node.lineno}")  # parts of a line
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            literal = [
                a
                for a in node.args
                if isinstance(a, ast.JoinedStr)
                or (isinstance(a, ast.Constant) and isinstance(a.value, str))
            ]
            first = node.args[0] if node.args else None
            handler = name in HANDLERS and isinstance(first, ast.Name) and first.id == "ctx"
            if literal and (handler or name in {"run_command", "command_and_send"}):
                found.append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def test_nothing_builds_a_command_string_to_run_it() -> None:
    found = [place for path in SOURCES for place in built_commands(path)]
    assert found == [], "call the typed use case instead of building a command line"


def test_the_scan_finds_a_built_command(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        'def f(ctx, ref, bot, t):\n    action(ctx, f"{ref} @tom book by friday")\n'
        '    text = f"new {ref} on friday"\n    bot.run_command(t, "c", "list mine")\n'
        '    Button("Done", f"done {ref}")\n    parts = ["new", ref]\n',
        encoding="utf-8",
    )
    places = [int(place.rsplit(":", 1)[1]) for place in built_commands(sample, tmp_path)]
    assert sorted(places) == [2, 3, 4, 6]


def _imports(path: Path) -> set[str]:
    """The project modules a file imports when it runs (not those only for type checking)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(n)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for n in ast.walk(node)
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


# Circles known and left for their feature's own work to untie: (module, module).
KNOWN_CIRCLES: frozenset[tuple[str, str]] = frozenset()


def test_no_module_imports_itself_round_a_circle() -> None:
    modules = {_module(path): path for path in SOURCES + sorted((ROOT / "storage").rglob("*.py"))}
    graph = {name: _imports(path) & set(modules) - {name} for name, path in modules.items()}
    circles = []
    for start in graph:
        stack, seen = [(start, [start])], set()
        while stack:
            here, trail = stack.pop()
            for following in graph[here]:
                if following == start:
                    circles.append(" -> ".join([*trail, start]))
                elif following not in seen:
                    seen.add(following)
                    stack.append((following, [*trail, following]))
    known = {" -> ".join([a, b, a]) for pair in KNOWN_CIRCLES for a, b in (pair, pair[::-1])}
    assert [c for c in circles if c not in known] == []
