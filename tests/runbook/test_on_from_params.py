"""`on:` written empty, or rendered empty from a parameter, and `on:` from a parameter at `validate` without values.

An empty `on:` used to fall back to `local`: `on: "{{ target }}"` with `-p target=` ran the step's command on the
assignee's own machine instead of the host meant (the format: `on` is a host group, a host name, or local).
"""

from __future__ import annotations

from pathlib import Path

from helpers_runbook import at, cli_main, dedent, only_error

ON_PARAM = dedent(
    """
    runbook: 1
    id: demo
    title: Demo
    params:
      target: {type: string, required: true}
    hosts:
      db:
        - {name: db1, address: 10.0.0.5}
    sections:
      - id: main
        steps:
          - id: restart
            on: "{{ target }}"
            run: touch {{ marker }}
            undo: echo undo
    """
)


def _write(write_runbook, tmp_path: Path, text: str = ON_PARAM) -> tuple[Path, Path]:
    marker = tmp_path / "ran-here"
    return write_runbook(text.replace("{{ marker }}", str(marker))), marker


def test_on_rendered_empty_is_refused_and_runs_nothing(write_runbook, tmp_path, capsys):
    # optional here: a required parameter given empty is refused as missing first (tests/runbook/test_required_empty.py)
    path, marker = _write(write_runbook, tmp_path, ON_PARAM.replace("required: true", "default: db"))
    err = only_error(path, {"target": ""})
    assert at(err) == (13, 13)
    assert err.message == "'on' is empty (rendered from '{{ target }}'); expected a host group, a host name, or local (or 'on' left out for local)"
    args = ["exec", str(path), "-p", "target=", "--solo", "test", "--journal", str(tmp_path / "j.jsonl")]
    assert cli_main(args) == 2
    _, stderr = capsys.readouterr()
    assert f"{path}:13:13: 'on' is empty" in stderr
    assert not marker.exists(), "the step ran on this machine"


def test_on_written_empty_is_refused(write_runbook, tmp_path):
    path, _ = _write(write_runbook, tmp_path, ON_PARAM.replace('on: "{{ target }}"', 'on: ""'))
    err = only_error(path, {"target": "db"})
    assert at(err) == (13, 13)
    assert err.message.startswith("'on' is empty; expected a host group, a host name, or local")


def test_on_from_a_parameter_validates_without_values(write_runbook, tmp_path, capsys):
    path, _ = _write(write_runbook, tmp_path)
    assert cli_main(["validate", str(path)]) == 0, capsys.readouterr()
    out, err = capsys.readouterr()
    assert err == ""
    assert f"{path}: ok without values for target" in out
    assert f"{path}:13:13: skipped: needs a value for target: unknown host or group" in out
    # with a value, the host is checked as usual
    assert cli_main(["validate", str(path), "-p", "target=nope"]) == 2
    _, err = capsys.readouterr()
    assert f"{path}:13:13: unknown host or group 'nope'; expected local or one of: db, db1" in err
    assert cli_main(["validate", str(path), "-p", "target=db1"]) == 0
