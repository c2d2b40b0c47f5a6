"""The package as users install it: the wheel, in a clean venv, away from the repository.

Builds the wheel with uv (hatchling is the backend), makes a fresh venv under
tmp, installs the locked runtime dependencies and then the wheel (no editable
install, nothing of the repository on sys.path), and from a temp working
folder runs `runbook-tui demo --exec` and `runbook-tui validate` on the
example runbooks the wheel carries. A data file missing from the wheel (the
demo runbook, a theme, an example) fails here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
UV = REPO / ".tools" / "bin" / "uv"

pytestmark = pytest.mark.package


def _run(argv: list[str | Path], *, cwd: Path, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(map(str, argv))} exited {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], Path]:
    """(the clean venv, an environment that uses it, a working folder outside the repository)."""
    assert UV.exists(), f"{UV} is missing: scripts/test (or scripts/demo) bootstraps it"
    root = tmp_path_factory.mktemp("package")
    # The index and its certificates as configured here; uv's real download cache (tests/conftest.py keeps UV_CACHE_DIR).
    uv_env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "UV_PROJECT_ENVIRONMENT")}
    uv_env["UV_NO_CONFIG"] = "1"
    _run([UV, "build", "--wheel", "--out-dir", root / "dist", REPO], cwd=root, env=uv_env)
    [wheel] = (root / "dist").glob("runbook_tui-*.whl")
    venv = root / "venv"
    _run([UV, "venv", "--python", Path(sys.base_prefix) / "bin" / "python3", venv], cwd=root, env=uv_env)
    requirements = root / "requirements.txt"  # the lock's runtime set, with hashes
    _run([UV, "export", "--frozen", "--no-dev", "--no-emit-project", "--project", REPO, "-o", requirements], cwd=root, env=uv_env)
    _run([UV, "pip", "install", "--python", venv / "bin" / "python", "-r", requirements], cwd=root, env=uv_env)
    _run([UV, "pip", "install", "--python", venv / "bin" / "python", "--no-deps", wheel], cwd=root, env=uv_env)
    work = root / "work"
    work.mkdir()
    env = {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "HOME": str(root / "home"),
        "XDG_STATE_HOME": str(root / "state"),
        "XDG_CONFIG_HOME": str(root / "config"),
        "LANG": "C.UTF-8",
    }
    return venv, env, work


def _package_dir(venv: Path, env: dict[str, str], work: Path) -> Path:
    done = _run(["python", "-c", "import runbook_tui, pathlib; print(pathlib.Path(runbook_tui.__file__).parent)"], cwd=work, env=env)
    return Path(done.stdout.strip())


def test_the_wheel_imports_from_the_venv_not_the_repository(installed: tuple[Path, dict[str, str], Path]) -> None:
    venv, env, work = installed
    package = _package_dir(venv, env, work)
    assert package.is_relative_to(venv), f"runbook_tui came from {package}, not from the clean venv"
    assert not list(venv.glob("lib/python*/site-packages/*.pth")), "an editable install (.pth) in the clean venv"
    assert (package / "py.typed").exists()
    assert sorted(p.name for p in (package / "themes").glob("*.yaml")) == sorted(p.name for p in (REPO / "themes").glob("*.yaml"))
    assert (package / "demo" / "demo.yaml").exists()


def test_the_installed_demo_runs_headless(installed: tuple[Path, dict[str, str], Path]) -> None:
    _, env, work = installed
    done = _run(["runbook-tui", "demo", "--exec"], cwd=work, env=env, timeout=180)
    assert "session_finished" in done.stdout and "outcome done" in done.stdout, done.stdout[-2000:]
    assert "Traceback" not in done.stderr


def test_the_installed_examples_validate(installed: tuple[Path, dict[str, str], Path]) -> None:
    venv, env, work = installed
    examples = sorted((_package_dir(venv, env, work) / "runbooks").glob("*.yaml"))
    assert [p.name for p in examples] == sorted(p.name for p in (REPO / "runbooks").glob("*.yaml")), "the wheel lacks an example runbook"
    done = _run(["runbook-tui", "validate", *examples], cwd=work, env=env, timeout=120)
    assert "Traceback" not in done.stderr
