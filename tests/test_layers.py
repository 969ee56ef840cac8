"""Who may import whom (docs/ARCHITECTURE.md), read from the source's own import statements.

``configs`` (the shipped TOML files) is the bottom layer, importable by all.
The simulation (``model`` with its Mesa agents in ``agents``) imports nothing that is
done with it; ``experiments`` (sweeps, facts, lessons, reports) builds on the model;
``dashboards`` shows the model and the lessons; ``cli`` is the thin layer on top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# package -> the project packages its modules may import (besides itself)
ALLOWED = {
    "configs": set(),  # the shipped TOML files: data, read by every layer
    "agents": {"configs", "model"},  # the agents are views on the model's tables: one layer with it
    "model": {"configs", "agents"},
    "experiments": {"configs", "model", "agents"},
    "dashboards": {"configs", "model", "agents", "experiments"},
    "cli": {"configs", "model", "agents", "experiments", "dashboards"},
}
PROJECT = set(ALLOWED)


def top_level_imports(path: Path) -> list[tuple[str, int]]:
    """Every absolute import of a module, anywhere in it (functions too): (top-level name, line)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [(name.split(".")[0], node.lineno) for name in names]
    return found


def imported_packages(path: Path) -> set[tuple[str, int]]:
    """The project's top-level packages a module imports, anywhere in it, with the line."""
    return {(name, line) for name, line in top_level_imports(path) if name in PROJECT}


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_each_layer_imports_only_the_layers_below_it(package):
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in modules(package)
        for name, line in sorted(imported_packages(path))
        if name != package and name not in ALLOWED[package]
    ]
    assert not wrong, "\n".join(wrong)


def test_the_checker_sees_imports_inside_functions(tmp_path):
    """The check reads every import statement, not only those at the top of a module."""
    module = tmp_path / "m.py"
    module.write_text("import numpy\n\ndef f():\n    from experiments import facts\n    import cli.main\n")
    assert {name for name, _ in imported_packages(module)} == {"experiments", "cli"}


def draw() -> str:
    """The layers as the code has them: each package and the project packages it imports, with counts."""
    lines = []
    for package in ALLOWED:
        counts: dict[str, int] = {}
        for path in modules(package):
            for name in {name for name, _ in imported_packages(path)} - {package}:
                counts[name] = counts.get(name, 0) + 1
        uses = ", ".join(f"{name} ({n} module{'s' * (n > 1)})" for name, n in sorted(counts.items()))
        uses = uses or "nothing"
        lines.append(f"{package:<12} imports {uses}")
    return "\n".join(lines)


if __name__ == "__main__":  # uv run python tests/test_layers.py
    print(draw())
