"""The package as a user installs it: every library it imports declared; a wheel that runs elsewhere."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from test_layers import top_level_imports

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SHIPPED = PYPROJECT["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]


def _distribution_name(requirement: str) -> str:
    name = requirement.split(";")[0]
    for stop in "<>=!~[ ":
        name = name.split(stop)[0]
    return name.strip().lower().replace("_", "-")


def imported_libraries(folders: list[str]) -> dict[str, str]:
    """Third-party top-level modules imported anywhere in these folders -> the first file importing each."""
    # Our own: the shipped packages, the scanned folders (benchmarks import each other as a package)
    # and every module in them.
    own = set(SHIPPED) | set(folders) | {p.stem for folder in folders for p in (ROOT / folder).rglob("*.py")}
    found: dict[str, str] = {}
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for top, _line in top_level_imports(path):
                if top not in own and top not in sys.stdlib_module_names and top != "__future__":
                    found.setdefault(top, str(path.relative_to(ROOT)))
    return found


def _undeclared(folders: list[str], declared: set[str]) -> list[str]:
    distributions = packages_distributions()
    missing = []
    for module, where in sorted(imported_libraries(folders).items()):
        names = {d.lower().replace("_", "-") for d in [module, *distributions.get(module, [])]}
        if not names & declared:
            missing.append(f"{module} (imported in {where}; distribution {', '.join(sorted(names))})")
    return missing


RUNTIME = {_distribution_name(r) for r in PYPROJECT["project"]["dependencies"]}
DEV = {_distribution_name(r) for r in PYPROJECT["dependency-groups"]["dev"]}


def test_every_library_the_package_imports_is_declared():
    assert not _undeclared(SHIPPED, RUNTIME), "imported by the package, not in [project] dependencies"


def test_every_library_the_tests_and_tools_import_is_declared():
    folders = ["tests", "benchmarks", "docs"]
    assert not _undeclared(folders, RUNTIME | DEV), "imported by tests or tools, not declared"


def test_the_checker_finds_an_undeclared_import(monkeypatch, tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "m.py").write_text("def f():\n    import scipy.stats\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert _undeclared(["pkg"], {"numpy"}) and not _undeclared(["pkg"], {"scipy"})


@pytest.mark.skipif(shutil.which("uv") is None, reason="needs uv to build the wheel and make a fresh venv")
def test_the_wheel_installs_and_runs_outside_the_checkout(tmp_path):
    """Build the wheel, install it into a new virtual environment in a temporary folder, run the CLI there."""
    dist = tmp_path / "dist"
    subprocess.run(["uv", "build", "--wheel", "--quiet", "--out-dir", str(dist)], cwd=ROOT, check=True)
    wheel = next(dist.glob("*.whl"))
    venv = tmp_path / "venv"
    subprocess.run(["uv", "venv", "--quiet", "--python", sys.executable, str(venv)], cwd=tmp_path, check=True)
    python = venv / "bin" / "python"
    subprocess.run(["uv", "pip", "install", "--quiet", "--python", str(python), str(wheel)],
                   cwd=tmp_path, check=True)
    morale = venv / "bin" / "morale"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}

    def morale_run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(morale), *args], cwd=elsewhere, env=env, capture_output=True, text=True,
                              timeout=600)

    ran = morale_run("run", "baseline", "--days", "5", "--quiet", "--out", "out")
    assert ran.returncode == 0, ran.stderr
    assert (elsewhere / "out" / "summary.json").is_file()
    listed = morale_run("scenarios")
    assert listed.returncode == 0 and "baseline" in listed.stdout and "army_scale" in listed.stdout
    lessons = morale_run("lessons")
    assert lessons.returncode == 0 and lessons.stdout.strip()
    assert morale_run("sweep", "no_such_sweep").returncode == 2
    # the calibration spec ships in the wheel: it loads, and only the bad budget is refused
    budget = morale_run("calibrate", "union_army", "--budget", "huge")
    assert budget.returncode == 2 and "--budget 'huge'" in budget.stderr, budget.stderr
    # the installed copy is the one that ran, not the checkout
    where = subprocess.run([str(python), "-c", "import model; print(model.__file__)"], cwd=elsewhere,
                           env=env, capture_output=True, text=True, check=True).stdout
    assert str(ROOT) not in where
