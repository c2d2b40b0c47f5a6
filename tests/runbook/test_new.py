"""`runbook-tui new`: a runbook for each kind of change that validates as written, never over an existing file."""

from __future__ import annotations

import os
import stat

import jsonschema
import pytest
from helpers_runbook import cli_main

from runbook_tui.app.preflight import coverage_findings
from runbook_tui.runbook.document import load_document
from runbook_tui.runbook.model import MUTATING_SECTION_KINDS
from runbook_tui.runbook.scaffold import KINDS
from runbook_tui.runbook.schema import runbook_schema
from runbook_tui.runbook.symbolic import validate


@pytest.fixture
def umask_zero():
    old = os.umask(0)
    yield
    os.umask(old)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_kind_validates_as_written_with_every_part(kind, tmp_path, capsys, umask_zero):
    path = tmp_path / f"{kind}.yaml"
    assert cli_main(["new", str(path), "--kind", kind]) == 0
    assert f"wrote {path}" in capsys.readouterr().out
    assert stat.S_IMODE(path.stat().st_mode) == 0o644  # the mode given at open, not a later chmod
    result = validate(path)
    assert result.ok, "\n".join(map(str, result.errors))
    assert result.warnings == []
    assert result.loaded is not None
    runbook = result.loaded.runbook
    kinds = [s.kind for s in runbook.sections]
    assert kinds == ["precheck", "backup", "implement", "verify", "postcheck", "rollback"]
    assert any(step.checkpoint for step in runbook.section("backup").steps)
    for section in runbook.sections:
        assert section.steps, section.id
        if section.kind in MUTATING_SECTION_KINDS:
            assert all(s.undo is not None for s in section.steps if s.kind == "run"), section.id
    assert coverage_findings(runbook) == []
    document = load_document(path.read_text(encoding="utf-8"), str(path))
    assert list(jsonschema.Draft7Validator(runbook_schema()).iter_errors(document)) == []
    assert cli_main(["validate", str(path)]) == 0


def test_new_refuses_to_overwrite(tmp_path, capsys):
    path = tmp_path / "mine.yaml"
    path.write_text("my work\n", encoding="utf-8")
    assert cli_main(["new", str(path), "--kind", "config-edit"]) == 2
    assert "exists; not overwriting it" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == "my work\n"


def test_new_refuses_a_dangling_symlink(tmp_path, capsys):
    target = tmp_path / "elsewhere.yaml"
    link = tmp_path / "link.yaml"
    link.symlink_to(target)
    assert cli_main(["new", str(link), "--kind", "config-edit"]) == 2
    assert not target.exists()


def test_new_without_kind_and_without_a_terminal_says_how(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert cli_main(["new", str(tmp_path / "x.yaml")]) == 2
    assert "give the kind of change with --kind" in capsys.readouterr().err
    assert not (tmp_path / "x.yaml").exists()


def test_new_asks_for_the_kind_in_a_terminal(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "4")
    path = tmp_path / "Restart API.yaml"
    assert cli_main(["new", str(path), "--title", 'Restart the API: "quickly"']) == 0
    out = capsys.readouterr().out
    assert "4. rolling restart" in out
    runbook = validate(path).loaded.runbook  # type: ignore[union-attr]
    assert runbook.id == "restart-api"
    assert runbook.title == 'Restart the API: "quickly"'


def test_new_names_the_schema_when_it_sits_next_to_the_file(tmp_path, capsys):
    (tmp_path / "runbook.schema.json").write_text("{}", encoding="utf-8")
    path = tmp_path / "x.yaml"
    assert cli_main(["new", str(path), "--kind", "k8s-rollout"]) == 0
    assert path.read_text(encoding="utf-8").splitlines()[0] == "# yaml-language-server: $schema=runbook.schema.json"


def test_new_in_a_missing_folder_fails_cleanly(tmp_path, capsys):
    assert cli_main(["new", str(tmp_path / "no" / "x.yaml"), "--kind", "config-edit"]) == 2
    # The README's own example, `new runbooks/x.yaml`, in a fresh folder (before: "No such file or directory", no more)
    assert f"cannot write {tmp_path}/no/x.yaml: the folder {tmp_path}/no does not exist (mkdir -p {tmp_path}/no)" in capsys.readouterr().err


def test_the_plan_command_new_names_works_once_its_values_are_filled_in(tmp_path, capsys):
    path = tmp_path / "x.yaml"
    assert cli_main(["new", str(path), "--kind", "config-edit"]) == 0
    hint = capsys.readouterr().out.splitlines()[-1]
    # Before: `plan --format md FILE`, which exits 2 (every required parameter needs its -p) on the user's first try.
    assert hint.endswith(f"`runbook-tui plan --format md {path} -p conf_file=VALUE -p new_conf=VALUE` for review"), hint
    assert cli_main(["plan", "--format", "md", str(path), "-p", "conf_file=/etc/a.conf", "-p", "new_conf=/etc/b.conf"]) == 0
