"""`runbook-tui demo`: the embedded runbook against a sandbox folder, end to end.

The demo runs real commands (sed, cp, a shell script standing in for a
service manager), so these tests check what a new user would: the change
lands, a failed reload rolls back to the original bytes, a rehearsal
restores state, the journal verifies, and nothing outside the sandbox and
the journals folder is touched.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from runbook_tui import demo
from runbook_tui.cli import main


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("RUNBOOK_TUI_SETTINGS", "RUNBOOK_TUI_USER")}
    env.update(
        HOME=str(tmp_path / "home"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),  # no user settings (blackouts) in the way
    )
    return env


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "runbook_tui", *args],
        cwd=tmp_path / "work", env=_env(tmp_path), capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.fixture
def world(tmp_path: Path) -> Path:
    """A home and a working folder with files the demo must leave alone."""
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / ".profile").write_text("export EDITOR=vi\n")
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "app.conf").write_text("pool_size = 32\n")
    (tmp_path / "etc" / "demo-app").mkdir(parents=True)
    (tmp_path / "etc" / "demo-app" / "app.conf").write_text("pool_size = 32\n")
    return tmp_path


def _snapshot(root: Path, *, skip: tuple[Path, ...]) -> dict[str, str]:
    """Every path under root with a digest of its content (files) or 'dir', except under `skip`."""
    seen: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        if any(path == s or s in path.parents for s in skip):
            continue
        seen[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
    return seen


def _outside(world: Path) -> dict[str, str]:
    # The demo may create these: the state folders, the sandbox and the journals in them.
    state = world / "state"
    return _snapshot(world, skip=(state / "runbook-tui" / "demo", state / "runbook-tui" / "journals", state, state / "runbook-tui"))


def _only_sandbox(world: Path) -> Path:
    sandboxes = sorted((world / "state" / "runbook-tui" / "demo").iterdir())
    assert len(sandboxes) == 1, sandboxes
    return sandboxes[0]


def _journal(proc: subprocess.CompletedProcess[str]) -> Path:
    lines = [line for line in proc.stdout.splitlines() if line.startswith("journal: ")]
    assert lines, proc.stdout
    return Path(lines[0].removeprefix("journal: "))


def _events(journal: Path) -> list[dict]:
    return [json.loads(line) for line in journal.read_text().splitlines()]


def test_demo_runbook_validates(capsys):
    assert main(["validate", str(demo.RUNBOOK), "-p", "sandbox=/srv/demo"]) == 0
    out, err = capsys.readouterr()
    assert "ok (" in out and "0 warnings" in out, out + err


def test_every_mutating_step_has_an_undo():
    from runbook_tui.runbook.loader import load_runbook

    runbook = load_runbook(str(demo.RUNBOOK), {"sandbox": "/srv/demo"}).runbook
    for step in runbook.forward_steps:
        if runbook.section(step.section_id).kind in ("backup", "implement") and step.kind == "run":
            assert step.undo is not None, step.id


def test_demo_exec_applies_the_change(world):
    before = _outside(world)
    proc = _cli(world, "demo", "--exec")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    sandbox = _only_sandbox(world)
    assert str(sandbox) in proc.stdout  # the intro says where the sandbox is
    conf = (sandbox / "etc" / "demo-app" / "app.conf").read_text()
    assert "\npool_size = 64\n" in conf and "pool_size = 32" not in conf
    assert (sandbox / "run" / "demo-app.health").read_text() == "ok\n"
    assert (sandbox / "run" / "demo-app.running").read_text() == "pool_size = 64\n"
    journal = _journal(proc)
    assert journal.parent == world / "state" / "runbook-tui" / "journals"
    verified = _cli(world, "journal", "verify", str(journal))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert _events(journal)[-1]["outcome"] == "done"
    assert _outside(world) == before


def test_demo_exec_with_a_broken_reload_rolls_back_to_the_original_bytes(world):
    before = _outside(world)
    proc = _cli(world, "demo", "--exec", "-p", "break_reload=true", "-p", "pool_size=100")
    assert proc.returncode == 1, proc.stdout + proc.stderr  # exec's contract: rolled back
    assert "reload failed" in proc.stdout
    sandbox = _only_sandbox(world)
    assert (sandbox / "etc" / "demo-app" / "app.conf").read_bytes() == demo.APP_CONF.encode()
    assert (sandbox / "run" / "demo-app.health").read_text() == "ok\n"
    assert (sandbox / "run" / "demo-app.running").read_text() == f"pool_size = {demo.START_POOL_SIZE}\n"
    journal = _journal(proc)
    assert _cli(world, "journal", "verify", str(journal)).returncode == 0
    events = _events(journal)
    assert {"reload", "set-pool-size"} <= {e["step"] for e in events if e["type"] == "undo_finished"}
    assert events[-1]["outcome"] == "rolled_back"
    assert _outside(world) == before


def test_rehearse_with_a_failure_after_the_checkpoint_restores_the_config(world):
    sandbox = demo.prepare_sandbox(world / "sandbox")
    before = _snapshot(world, skip=(sandbox / "var", sandbox / "run", world / "state"))
    proc = _cli(world, "rehearse", "--yes", "--ack-manual", "demo notes", str(demo.RUNBOOK), "-p", f"sandbox={sandbox}", "--fail-at", "settle")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "rehearsal: rollback restored state" in proc.stdout
    assert (sandbox / "etc" / "demo-app" / "app.conf").read_bytes() == demo.APP_CONF.encode()
    assert (sandbox / "run" / "demo-app.health").read_text() == "ok\n"
    # Only the sandbox's var/ and run/ (backup, log, health) and the journals may differ.
    assert _snapshot(world, skip=(sandbox / "var", sandbox / "run", world / "state")) == before


def test_demo_makes_its_own_sandbox(world):
    proc = _cli(world, "demo", "--exec", "-p", f"sandbox={world / 'etc'}")
    assert proc.returncode == 2
    assert "makes its own sandbox" in proc.stderr
    assert not (world / "state").exists()


def test_a_bad_value_is_refused_before_anything_is_made(world):
    proc = _cli(world, "demo", "--exec", "-p", "pool_size=lots")
    assert proc.returncode == 2
    assert "pool_size" in proc.stderr
    assert not (world / "state").exists()


def test_prepare_sandbox_refuses_a_folder_in_use(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        demo.prepare_sandbox(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_the_commands_the_demo_prints_work_as_printed(world: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Started by a path that is not on PATH (as scripts/demo starts it), the demo names itself by that path."""
    script = Path(sys.executable).with_name("runbook-tui")
    env = {**_env(world), "PATH": "/usr/bin:/bin"}  # the venv's bin is not on it
    done = subprocess.run([str(script), "demo", "--exec"], cwd=world / "work", env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    prefix = "demo: check the journal:"
    [verify] = [line.removeprefix(prefix).strip() for line in done.stdout.splitlines() if line.startswith(prefix)]
    assert verify.startswith(f"{script} journal verify "), verify
    checked = subprocess.run(verify, shell=True, cwd=world / "work", env=env, capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0 and "intact" in checked.stdout, checked.stdout + checked.stderr
    monkeypatch.setenv("PATH", env["PATH"])
    assert demo.invocation(str(script)) == str(script)
    assert demo.invocation("/usr/bin/python3") == "runbook-tui"  # `python -m runbook_tui`: the documented name


def test_the_demo_ends_naming_the_change_report_and_the_replay_of_its_run(world: Path) -> None:
    """A new user learns where the report and the replay are: the demo's last lines name both, with the journal,
    and the report command works as printed (the README's "What the demo shows" relies on it)."""
    script = Path(sys.executable).with_name("runbook-tui")
    env = {**_env(world), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([str(script), "demo", "--exec"], cwd=world / "work", env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    journal = _journal(done)
    said = {words.strip(): rest.strip() for words, _, rest in (line.removeprefix("demo: ").partition(": ") for line in done.stdout.splitlines())}
    assert said.get("the change report") == f"{script} report {journal}", done.stdout
    assert said.get("watch it again") == f"{script} replay {journal}   (→ steps, space plays, q quits)", done.stdout
    report = subprocess.run(said["the change report"], shell=True, cwd=world / "work", env=env, capture_output=True, text=True, timeout=60)
    assert report.returncode == 0 and report.stdout.startswith("# Change report: "), report.stdout + report.stderr


@pytest.mark.parametrize(
    ("on_failure", "then"),
    [("abort", "the full rollback runs by itself"), ("rollback", "the rollback to the backup checkpoint runs by itself"), ("stop", "the run stops")],
)
def test_the_headless_demo_with_a_broken_reload_says_what_happens_without_keys(tmp_path: Path, on_failure: str, then: str) -> None:
    """`demo --exec -p break_reload=true` has no keys: its intro said `u shows the undo list and y rolls back`, which
    nobody can press there. It says what the headless run does on the failure, per --on-failure."""
    said = demo.intro(tmp_path, headless=True, params={"break_reload": "true"}, on_failure=on_failure)
    assert "u shows" not in said and " y " not in said, said
    assert then in " ".join(said.split()), said
    assert all(len(line) <= 80 for line in said.splitlines()), said
    tui = demo.intro(tmp_path, headless=False, params={"break_reload": "true"})
    assert "u shows" in tui and "y rolls back" in tui, tui
