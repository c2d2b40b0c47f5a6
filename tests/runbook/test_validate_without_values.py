"""`validate` without `-p`: an author (or CI) lints a runbook whose required parameters have no default.

Every check that does not depend on a value still runs and still fails; the
ones that do are listed as skipped, at their position.
"""

from __future__ import annotations

import re
from pathlib import Path

from helpers_runbook import cli_main

REQUIRED = """\
runbook: 1
id: demo
title: "Clean {{ sandbox }}"
params:
  sandbox: {type: string, required: true, pattern: '^/srv/'}
  batch: {type: int, required: true, min: 2, max: 9}
  pause: {type: string, required: true}
  web_hosts: {type: list, required: true}
hosts:
  web: {from_param: web_hosts}
sections:
  - id: main
    steps:
      - id: list
        on: web
        run: ls -- {{ sandbox }}/{{ host.name }}
        capture: listing
        timeout: "{{ pause }}"
        retries: "{{ batch }}"
      - id: clean
        run: rm -rf -- {{ sandbox }}/old
        undo: echo {{ captured.listing }}
"""


def test_required_parameters_lint_clean_without_values(write_runbook, capsys):
    path = write_runbook(REQUIRED)
    assert cli_main(["validate", str(path)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert f"{path}: ok without values for batch, pause, sandbox, web_hosts (2 steps, 0 warnings)" in out
    # each parameter's own checks, and the one template that needs a real value, are said to be skipped
    assert f"{path}:5:3: skipped: parameter 'sandbox' has no value" in out and "its pattern checked once given" in out
    assert f"{path}:6:3: skipped: parameter 'batch' has no value" in out and "its min, max checked once given" in out
    assert f"{path}:18:18: skipped: needs a value for pause: 'timeout': expected a duration" in out
    assert "5 checks need values and were skipped" in out


def test_a_capture_error_is_still_reported_without_values(write_runbook, capsys):
    path = write_runbook(REQUIRED.replace("undo: echo {{ captured.listing }}", "undo: echo {{ captured.listng }}"))
    assert cli_main(["validate", str(path)]) == 2
    out, err = capsys.readouterr()
    assert f"{path}:22:15: undefined capture 'captured.listng'" in err
    assert "ok" not in out.replace(str(path), "")


def test_a_capture_used_before_its_step_is_still_reported(write_runbook, capsys):
    text = REQUIRED.replace("run: ls -- {{ sandbox }}/{{ host.name }}", "run: ls -- {{ sandbox }} {{ captured.gone }}")
    text += "      - id: later\n        run: date\n        capture: gone\n"
    path = write_runbook(text)
    assert cli_main(["validate", str(path)]) == 2
    _, err = capsys.readouterr()
    assert f"{path}:16:14: capture 'captured.gone' is declared only by a later step 'later'" in err


def test_a_name_error_inside_a_template_using_a_stand_in_is_not_skipped(write_runbook, capsys):
    path = write_runbook(REQUIRED.replace('timeout: "{{ pause }}"', 'timeout: "{{ pause }}{{ unit }}"'))
    assert cli_main(["validate", str(path)]) == 2
    _, err = capsys.readouterr()
    assert f"{path}:18:18: undefined name 'unit'" in err


def test_an_unknown_host_group_is_still_reported(write_runbook, capsys):
    path = write_runbook(REQUIRED.replace("on: web\n", "on: webs\n"))
    assert cli_main(["validate", str(path)]) == 2
    _, err = capsys.readouterr()
    assert f"{path}:15:13: unknown host or group 'webs'" in err


def test_with_values_given_a_missing_required_one_is_still_an_error(write_runbook, capsys):
    path = write_runbook(REQUIRED)
    assert cli_main(["validate", str(path), "-p", "sandbox=/srv/x"]) == 2
    _, err = capsys.readouterr()
    assert "parameter 'batch' is required; expected a value: -p batch=VALUE" in err


def test_a_folder_is_every_runbook_in_it(write_runbook, tmp_path, capsys):
    good = write_runbook(REQUIRED, "a.yaml")
    nested = tmp_path / "team"
    nested.mkdir()
    bad = nested / "b.yml"
    bad.write_text(REQUIRED.replace("runbook: 1", "runbook: 3"), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a runbook", encoding="utf-8")
    assert cli_main(["validate", str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    assert f"{good}: ok without values" in out
    assert err.startswith(f"{bad}:1:10: unsupported format version 3")
    assert "notes.txt" not in out + err


def test_a_folder_lists_the_runbooks_the_picker_lists(write_runbook, tmp_path, capsys):
    """`validate .` at a repository's root read `.github/workflows/ci.yml` as a runbook (exit 2 for a repository whose
    runbooks were all fine), and skipped a runbook that is a link to nothing without a word (exit 0). The picker skips
    hidden folders and lists such a link with what it points to; validate DIR now does the same."""
    good = write_runbook(REQUIRED, "a.yaml")
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "ci.yml").write_text("on: push\njobs: {}\n", encoding="utf-8")
    assert cli_main(["validate", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert f"{good}: ok without values" in out and "ci.yml" not in out + err
    assert cli_main(["validate", str(workflows)]) == 2  # a hidden folder named as FILE|DIR is read
    capsys.readouterr()
    (tmp_path / "gone.yaml").symlink_to(tmp_path / "moved-away.yaml")
    assert cli_main(["validate", str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    assert err == f"{tmp_path / 'gone.yaml'}:1:1: a link to {tmp_path / 'moved-away.yaml'}, which does not exist: fix the link or remove it\n", err


def test_a_runbook_named_twice_is_checked_once(write_runbook, tmp_path, capsys):
    """`validate runbooks/ runbooks/a.yaml` (or a shell glob overlapping a folder) printed a.yaml's verdict and its
    errors twice; with a -p none of them declares, it counted it as two runbooks. As the picker, each file once."""
    good = write_runbook(REQUIRED, "a.yaml")
    assert cli_main(["validate", str(tmp_path), str(good), f"{tmp_path}/./a.yaml"]) == 0
    out, _ = capsys.readouterr()
    assert out.count(": ok") == 1, out


def test_a_folder_without_runbooks_is_invalid(tmp_path, capsys):
    assert cli_main(["validate", str(tmp_path)]) == 2
    assert f"{tmp_path}:1:1: no runbooks here; expected" in capsys.readouterr().err


def test_github_annotations(write_runbook, capsys):
    path = write_runbook(REQUIRED.replace("undo: echo {{ captured.listing }}", "undo: echo {{ captured.listng }}"))
    assert cli_main(["validate", "--format", "github", str(path)]) == 2
    out, err = capsys.readouterr()
    assert err == ""
    lines = out.splitlines()
    assert f"::error file={path},line=22,col=15::undefined capture 'captured.listng'" in "\n".join(lines)
    assert any(line.startswith(f"::notice file={path},line=5,col=3::parameter 'sandbox' has no value") for line in lines)
    assert lines[-1] == f"{path}: invalid (1 error)"


def test_github_annotation_cannot_be_split_into_a_second_command(tmp_path, capsys):
    path = tmp_path / "x,y:z\x1b]0;pwned\x07.yaml"  # an escape in the file's name is shown, not sent to the CI log's terminal
    path.write_text('runbook: 1\nid: demo\ntitle: Demo\nsections: []\n"a\\n::error::forged%": 1\n', encoding="utf-8")
    assert cli_main(["validate", "--format", "github", str(path)]) == 2
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out, out
    commands = [line for line in out.splitlines() if line.startswith("::")]
    assert all(line.startswith(f"::error file={tmp_path}/x%2Cy%3Az\u241b]0;pwned\u2407.yaml,") for line in commands), commands
    assert len(commands) == 1  # the newline in the key is shown, never obeyed
    assert "forged%25" in out


def test_a_file_named_like_a_workflow_command_is_no_command(tmp_path, monkeypatch, capsys):
    """GitHub Actions obeys every log line that starts with `::`, whatever wrote it: `validate .` in CI named a pull
    request's `::stop-commands::x.yaml` first on its line, and the runner stopped reading annotations (or took
    `::error title=Approved::…` for one of ours). A name that starts with `:` is shown as `./NAME`, in both formats."""
    monkeypatch.chdir(tmp_path)
    Path("::stop-commands::tok.yaml").write_text(REQUIRED, encoding="utf-8")
    Path("::error title=Approved::all reviewed.yaml").write_text("runbook: 1\nid: demo\n", encoding="utf-8")
    for argv in (["validate", "."], ["validate", "--format", "github", "."], ["validate", "::stop-commands::tok.yaml"]):
        cli_main(argv)
        out, err = capsys.readouterr()
        commands = [line for line in (out + err).splitlines() if line.startswith("::")]
        assert all(re.match(r"::(error|warning|notice) file=\./%3A%3A", line) for line in commands), commands
        assert "./::stop-commands::tok.yaml" in out + err


def test_an_invalid_runbook_still_says_which_checks_waited_for_values(write_runbook, capsys):
    """All at once: an error elsewhere (an optional host list left empty) no longer hides that `sandbox` and the others
    were checked with stand-ins; before, the error alone was printed, and giving `-p web=a` brought 'sandbox is required'."""
    path = write_runbook(REQUIRED.replace("web_hosts: {type: list, required: true}", "web_hosts: {type: list}"))
    assert cli_main(["validate", str(path)]) == 2
    out, err = capsys.readouterr()
    assert f"{path}:8:3: parameter 'web_hosts' gives group 'web' no hosts" in err, err
    assert f"{path}: invalid; checked without values for batch, pause, sandbox" in out, out
    assert f"{path}:5:3: skipped: parameter 'sandbox' has no value" in out, out
