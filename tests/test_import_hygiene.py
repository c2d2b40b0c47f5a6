"""The layers below the UI must not pull in Textual (or, for the pure model, asyncssh).

import-linter checks the static import graph (see pyproject.toml); this
checks what really ends up in `sys.modules`, so an indirect import (a
dependency that imports Textual) is caught too. Each package and every
module under it is imported in a fresh interpreter, since this test process
may have Textual loaded already.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

# Package -> top-level modules it must not load. Add each headless package as
# it lands: runbook_tui.execute, .metrics, .share and .report with ("textual",).
HEADLESS_PACKAGES: dict[str, tuple[str, ...]] = {
    "runbook_tui.runbook": ("textual", "asyncssh"),
    "runbook_tui.engine": ("textual", "asyncssh"),
    "runbook_tui.execute": ("textual",),
    "runbook_tui.metrics": ("textual",),
    "runbook_tui.report": ("textual", "asyncssh"),
    "runbook_tui.share": ("textual",),
    "runbook_tui.demo": ("textual", "asyncssh"),
    "runbook_tui.notify": ("textual", "asyncssh"),
    "runbook_tui.app": ("textual",),
    "runbook_tui.trust": ("textual",),
}


def _loaded_after_import(package: str) -> set[str]:
    code = (
        "import importlib, json, pkgutil, sys\n"
        f"package = importlib.import_module({package!r})\n"
        "for info in pkgutil.walk_packages(package.__path__, package.__name__ + '.'):\n"
        "    importlib.import_module(info.name)\n"
        "print(json.dumps(sorted({name.partition('.')[0] for name in sys.modules})))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, f"importing {package} failed:\n{proc.stderr}"
    return set(json.loads(proc.stdout.splitlines()[-1]))


@pytest.mark.parametrize("package", sorted(HEADLESS_PACKAGES))
def test_package_does_not_load_forbidden_modules(package: str) -> None:
    loaded = _loaded_after_import(package)
    forbidden = set(HEADLESS_PACKAGES[package]) & loaded
    assert not forbidden, f"importing {package} loads {sorted(forbidden)}"


PACKAGE_ROOT = Path(__file__).resolve().parent.parent / "runbook_tui"


def test_only_the_entry_points_sit_at_the_top_of_the_package() -> None:
    top_level = sorted(path.name for path in PACKAGE_ROOT.glob("*.py"))
    assert top_level == ["__init__.py", "__main__.py"], f"modules outside every layer: {sorted(set(top_level) - {'__init__.py', '__main__.py'})}"


def test_every_package_has_a_place_in_the_layers() -> None:
    pyproject = tomllib.loads((PACKAGE_ROOT.parent / "pyproject.toml").read_text())
    contracts = pyproject["tool"]["importlinter"]["contracts"]
    layered = {name.strip() for contract in contracts if contract["type"] == "layers" for layer in contract["layers"] for name in layer.split("|")}
    packages = {f"runbook_tui.{path.parent.name}" for path in PACKAGE_ROOT.glob("*/__init__.py")}
    assert packages - layered == set(), f"packages outside the layer contract: {sorted(packages - layered)}"


def test_the_command_module_leaves_the_runbook_package_and_textual_to_main() -> None:
    """`runbook-tui` imports `runbook_tui.cli` before `main` runs: what it loads then is loaded with the cyclic collector
    on, which `main` pauses for a screen command (cli.SCREEN_COMMANDS) until the first frame."""
    code = "import json, sys\nimport runbook_tui.cli\nprint(json.dumps(sorted(sys.modules)))\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    loaded = set(json.loads(proc.stdout.splitlines()[-1]))
    early = {"runbook_tui.runbook.loader", "runbook_tui.runbook.model", "yaml", "textual"} & loaded
    assert not early, f"importing runbook_tui.cli loads {sorted(early)}"
