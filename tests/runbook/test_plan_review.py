"""`plan --format md|html`: the runbook as a change board reviews it.

Goldens: tests/runbook/data/*.plan.md (regenerate after an intended change with
`UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/runbook/test_plan_review.py`
and review the diff). Every runbook string is hostile: in HTML it is escaped,
in Markdown it can neither inject HTML nor break a table.
"""

from __future__ import annotations

import html
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers_runbook import cli_main

DATA = Path(__file__).parent / "data"
CASES = {
    "web-config-rollout": ["-p", "config_version=v42", "-p", "env=production"],
    "hostile-plan": [],
}


def plan(capsys, name: str, fmt: str) -> str:
    # A relative path, so the golden is the same on every machine (the plan names the file as given).
    here = Path.cwd()
    os.chdir(DATA.parent.parent.parent)
    try:
        assert cli_main(["plan", "--format", fmt, f"tests/runbook/data/{name}.yaml", *CASES[name]]) == 0
    finally:
        os.chdir(here)
    out, err = capsys.readouterr()
    assert err == ""
    return out


@pytest.mark.parametrize("name", sorted(CASES))
def test_plan_md_matches_golden(capsys, name):
    out = plan(capsys, name, "md")
    golden = DATA / f"{name}.plan.md"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(out, encoding="utf-8")
    assert out == golden.read_text(encoding="utf-8")


def test_plan_md_reads_in_change_board_order(capsys):
    out = plan(capsys, "web-config-rollout", "md")
    order = [
        "## The change",
        "## Success criteria",
        "## Parameters",
        "## Hosts",
        "## Guards",
        "## Steps at a glance",
        "## Pre-checks",
        "## Backup",
        "## Implement",
        "## Verify",
        "## If it goes wrong",
    ]
    positions = [out.index(heading) for heading in order]
    assert positions == sorted(positions)
    assert "| Risk | **MEDIUM**: Brief 502s if a reload fails. |" in out
    assert '| 5xx per second | `rate(http_requests_total{code="500"}[1m])` | above 5 req/s for 30s: pauses the run |' in out
    assert "### 2. Keep the current config (checkpoint)" in out
    assert "Undo on web2:\n\n```sh\nrm -f /var/backups/nginx.conf.web2\n```" in out
    assert "- step 3: Record the running config version (`current-version`)" in out  # no undo: listed for the board


def _tables(markdown: str) -> list[list[str]]:
    """Each table's lines (a run of lines starting with `| `)."""
    tables: list[list[str]] = []
    previous = False
    for line in markdown.splitlines():
        row = line.startswith(("| ", "|---", "| ---"))
        if row and previous:
            tables[-1].append(line)
        elif row:
            tables.append([line])
        previous = row
    return tables


def test_plan_md_cannot_be_broken_by_runbook_text(capsys):
    out = plan(capsys, "hostile-plan", "md")
    outside_fences = re.sub(r"(`{3,})sh\n.*?\n\1\n", "", out, flags=re.DOTALL)
    assert not re.search(r"(?<!\\)<[a-zA-Z/]", outside_fences), "raw HTML outside code blocks"
    tables = _tables(outside_fences)
    assert len(tables) == 3
    for table in tables:
        widths = {len(re.findall(r"(?<!\\)\|", row)) for row in table}
        assert len(widths) == 1, "a `|` or newline broke a row of:\n" + "\n".join(table)
    assert "`````sh\necho '```'\necho '````'" in out  # the fence outgrows any backtick run inside
    assert "\\[link\\](javascript:alert(1))" in out


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attrs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attrs += [name for name, _ in attrs]


def test_plan_html_is_self_contained_and_escapes_everything(capsys):
    out = plan(capsys, "hostile-plan", "html")
    parser = _Collect()
    parser.feed(out)
    assert not parser.tags & {"script", "img", "iframe", "svg", "b", "i", "u", "link"}
    assert not any(a.startswith("on") or a == "src" for a in parser.attrs)
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in out
    assert html.escape("</pre><script>alert(2)</script>") in out
    assert "http" not in out.replace("https://evil.example", "")  # nothing loaded from anywhere


def test_plan_html_has_every_part_a_board_needs(capsys):
    out = plan(capsys, "web-config-rollout", "html")
    for part in ("CHG-3107", "MEDIUM", "2026-11-23T02:00:00+09:00", "5xx rate stays under 1% for 10 minutes", "config_version", "10.0.1.12:2222",
                 "above 5 req/s for 30s: pauses the run", "checkpoint", "rm -f /var/backups/nginx.conf.web1", "Must be acknowledged before it runs",
                 "If it goes wrong", "Change board", "@media print"):  # fmt: skip
        assert part in out, part


ESCAPES_RUNBOOK = r"""runbook: 1
id: escapes
title: "Esc \e]0;pwned\a \e[2J title \u202Eevil"
ticket: {id: "CHG-\e[31m1", subject: "s\e[2J", risk: {level: low, summary: "r\e]52;c;eA==\a"}}
params:
  p: {type: string, default: "v\u009b2J"}
sections:
  - id: s
    title: "Sec \e[2J"
    steps:
      - {id: one, title: "One \e[2J", run: "echo {{ p }}", undo: "echo undo \e[2J"}
"""
RAW_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize("fmt", ["text", "md", "html", "json"])
def test_no_plan_format_lets_runbook_text_drive_a_terminal(capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str) -> None:
    """A runbook from someone else, reviewed with `plan`: its escapes (title, ticket, params, commands) show as
    characters (`␛]0;pwned␇`) in every format; `plan --format text` sent them raw, retitling the reviewer's window and
    clearing the screen. JSON keeps the exact strings, as escapes."""
    path = tmp_path / "escapes.yaml"
    path.write_text(ESCAPES_RUNBOOK, encoding="utf-8")
    assert cli_main(["plan", "--format", fmt, str(path)]) == 0
    out, _err = capsys.readouterr()
    assert not RAW_CONTROLS.search(out), repr(RAW_CONTROLS.search(out))
    if fmt == "json":
        assert json.loads(out)["title"] == "Esc \x1b]0;pwned\x07 \x1b[2J title \u202eevil"
    else:
        assert "\u241b" in out and "pwned\u2407" in out and "\u27e8U+202E\u27e9evil" in out  # ␛ ... ␇, the override named


FORGED_STEP_RUNBOOK = """\
runbook: 1
id: forged
title: "Tidy temp files"
params:
  d: {type: string, default: /srv/app}
  who: {type: string, default: ops}
sections:
  - id: s
    title: S
    kind: precheck
    steps:
      - id: a
        title: "List files\\n       on local; verify after\\n       run: ls /tmp\\n\\n    2. b: Done"
        run: rm -rf ./cache
        cwd: "{{ d }}"
        env: {WHO: "{{ who }}"}
        verify: none
"""


def test_the_text_plan_shows_every_step_as_one_entry_with_where_and_with_what_it_runs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """`plan` (and `approve`, which prints the same text before signing) is what a reviewer signs: a title whose newlines
    drew a harmless-looking step 2 over the real command now stays on its line (`⏎`), and the folder and environment the
    command runs with are shown (the Markdown plan had them; the text plan did not)."""
    path = tmp_path / "forged.yaml"
    path.write_text(FORGED_STEP_RUNBOOK, encoding="utf-8")
    assert cli_main(["plan", str(path), "-p", "d=/srv/app", "-p", "who=alice"]) == 0
    out, _err = capsys.readouterr()
    lines = out.splitlines()
    assert "    1. a: List files⏎       on local; verify after⏎       run: ls /tmp⏎⏎    2. b: Done" in lines, out
    assert not any(line.lstrip().startswith("2. ") for line in lines), "a second step was drawn"
    assert ["       on local; verify none", "       in: /srv/app", "       env: WHO=alice", "       run: rm -rf ./cache"] == [
        line for line in lines if line.startswith("       ") and not line.startswith(("       expect", "       undo"))
    ], out


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_full_rollback_names_the_rollback_sections_steps_or_says_there_are_none(write_runbook, capsys, fmt):
    """The plan said '... newest first, then the rollback section.' for a runbook that has none, so the board read of
    a rollback step that does not exist."""
    path = write_runbook("runbook: 1\nid: d\ntitle: D\nsections:\n  - id: main\n    steps:\n      - {id: a, title: Change, run: 'true', undo: 'true'}\n")
    assert cli_main(["plan", "--format", fmt, str(path)]) == 0
    out = html.unescape(capsys.readouterr().out)
    assert "newest first (this runbook has no rollback section)." in out and "then the rollback section" not in out
    with path.open("a") as f:
        f.write("  - id: back\n    kind: rollback\n    steps:\n      - {id: r1, title: Restore, run: 'true'}\n      - {id: r2, title: Check, run: 'true'}\n")
    assert cli_main(["plan", "--format", fmt, str(path)]) == 0
    out = html.unescape(capsys.readouterr().out)
    assert re.sub(r"\\(.)", r"\1", out).count("newest first, then the rollback sections' steps, in order: 2. Restore, 3. Check.") == 1


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_a_parameter_reads_as_the_text_plan_writes_it(write_runbook, capsys, fmt):
    """The board approves the values it reads: a default with a newline read `l1 l2`, a list of two items `a, b, c`
    (three?), an empty string as nothing at all, while `plan` wrote `"l1\\nl2"` (quoted: it holds a line break),
    `["a, b", "c"]`."""
    path = write_runbook(
        "runbook: 1\nid: d\ntitle: D\nparams:\n"
        '  d: {type: string, default: "l1\\nl2"}\n  f: {type: list, default: ["a, b", "c"]}\n  g: {type: string, default: ""}\n'
        "sections:\n  - id: main\n    steps:\n      - {id: a, run: 'true'}\n"
    )
    assert cli_main(["plan", str(path)]) == 0
    assert 'd="l1\\nl2", f=["a, b", "c"], g=' in capsys.readouterr().out
    assert cli_main(["plan", "--format", fmt, str(path)]) == 0
    out = html.unescape(capsys.readouterr().out)
    if fmt == "md":
        assert re.findall(r"^\| `\w` \| (.*?) \|", out, re.M) == ['`"l1\\nl2"`', '`["a, b", "c"]`', '`""`']
    else:
        assert re.findall(r"<tr><td><code>\w</code></td><td><code>(.*?)</code></td>", out, re.S) == ['"l1\\nl2"', '["a, b", "c"]', '""']
