"""`report JOURNAL`: the change record, checked against golden files and against what the journal says.

The fixture journals in data/ come from make_fixture.py (a shared run with a
crash, a resume, a guard trip and a rollback; and a solo run outside the
window). After an intended change of the report, regenerate the goldens and
review their diff before committing:

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/report
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from runbook_tui.cli import main as cli_main
from runbook_tui.report import FORMAT, build_report, json_report, render
from runbook_tui.report.assemble import _reduce
from runbook_tui.report.html import chart
from runbook_tui.report.markdown import code, esc, para
from runbook_tui.report.model import SERIES_POINTS, Panel
from runbook_tui.report.text import value

DATA = Path(__file__).parent / "data"
JOURNALS = ["change", "solo"]
SUFFIX = {"md": "md", "html": "html", "json": "json"}
TOKEN = "s3cr3t-probe-7f1c"  # the secret make_fixture.py gave the run; the journal masks it


def journal(name: str) -> Path:
    return DATA / f"{name}.jsonl"


def lines_of(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def report_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code_ = cli_main(["report", *args])
    out, err = capsys.readouterr()
    return code_, out, err


def plan_steps(name: str) -> list[str]:
    session = lines_of(journal(name))[0]
    return [step["id"] for section in session["plan"]["sections"] for step in section["steps"]]


# -- golden files -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["md", "html", "json"])
@pytest.mark.parametrize("name", JOURNALS)
def test_report_matches_golden(name: str, fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / f"report.{fmt}"
    code_, out, err = report_cli(capsys, str(journal(name)), "--format", fmt, "-o", str(target))
    assert (code_, out, err) == (0, "", "")
    got = target.read_text(encoding="utf-8")
    golden = DATA / f"{name}.report.{SUFFIX[fmt]}"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(got, encoding="utf-8")
    assert got == golden.read_text(encoding="utf-8")


def test_markdown_is_the_default_and_goes_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    code_, out, err = report_cli(capsys, str(journal("change")))
    assert code_ == 0 and err == ""
    assert out == (DATA / "change.report.md").read_text(encoding="utf-8")


# -- refusing bad journals ----------------------------------------------------------------


def tampered(tmp_path: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    lines = journal("change").read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "tampered.jsonl"
    path.write_text("".join(edit(lines)), encoding="utf-8")
    return path


def test_an_edited_line_is_refused_with_its_line_and_reason(tmp_path: Path) -> None:
    def edit(lines: list[str]) -> list[str]:
        index = next(i for i, line in enumerate(lines) if '"type":"step_rejected"' in line)
        lines[index] = lines[index].replace("run it again", "looks fine")
        return lines

    path = tampered(tmp_path, edit)
    number = 1 + next(i for i, e in enumerate(lines_of(path)) if e["type"] == "step_rejected")
    proc = subprocess.run([sys.executable, "-m", "runbook_tui", "report", str(path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert f"line {number}: hash does not match its content (the line was edited)" in proc.stderr
    assert "refusing" in proc.stderr


@pytest.mark.parametrize("fmt", ["md", "html", "json"])
def test_a_removed_line_is_refused_in_every_format(tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = tampered(tmp_path, lambda lines: lines[:10] + lines[11:])
    out_file = tmp_path / "out"
    code_, _out, err = report_cli(capsys, str(path), "--format", fmt, "-o", str(out_file))
    assert code_ == 2
    assert "line 11: seq 11 where 10 was expected" in err
    assert not out_file.exists()


def test_an_unreadable_journal_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code_, _, err = report_cli(capsys, str(tmp_path / "missing.jsonl"))
    assert code_ == 2 and "cannot read" in err
    (tmp_path / "notes.txt").write_text("hello\n", encoding="utf-8")
    code_, _, err = report_cli(capsys, str(tmp_path / "notes.txt"))
    assert code_ == 2 and "line 1 is not JSON" in err


def test_a_cut_short_last_line_is_reported_with_the_verify_failure(tmp_path: Path) -> None:
    """A crash while writing leaves a torn last line: the record of what came before still matters."""
    path = tampered(tmp_path, lambda lines: lines[:-1] + [lines[-1][:40]])
    report = build_report(path)
    assert report.integrity.verified is False
    assert "cut short" in report.integrity.problems[0]
    assert report.session.outcome == "unfinished"
    assert report.integrity.final_hash == lines_of(journal("change"))[-2]["hash"]
    assert "journal verify` FAILS" in render(report, "md")
    assert "journal verify fails" in render(report, "html")


# -- what the record must hold ------------------------------------------------------------


@pytest.mark.parametrize("name", JOURNALS)
def test_every_step_of_the_runbook_appears(name: str) -> None:
    report = build_report(journal(name))
    ids = plan_steps(name)
    assert [s.id for s in report.steps] == ids
    md, html = render(report, "md"), render(report, "html")
    for sid in ids:
        assert re.search(rf"^\| \d+ \| {re.escape(sid)}: ", md, re.M), sid
        assert f'id="step-{sid}"' in html
    assert [s["id"] for s in json.loads(render(report, "json"))["steps"]] == ids


def test_steps_never_reached_are_listed_as_not_run() -> None:
    report = build_report(journal("change"))
    outcomes = {s.id: s.outcome for s in report.steps}
    assert outcomes == {
        "health": "done", "announce": "skipped", "backup-config": "done", "install-config": "undone", "reload": "undone",
        "watch": "reset", "flip-flag": "not run", "smoke": "not run", "purge-cache": "not run",
    }  # fmt: skip
    assert {s.id: s.result for s in report.steps}["install-config"] == "done"
    assert {s.id: s.result for s in report.steps}["watch"] == "done"  # the wait after the checkpoint: rolled back past (reset)


@pytest.mark.parametrize("name", JOURNALS)
def test_the_final_hash_is_the_journals_last_hash(name: str) -> None:
    last = lines_of(journal(name))[-1]["hash"]
    report = build_report(journal(name))
    assert report.integrity.final_hash == last
    assert report.integrity.verified is True
    assert f"final hash `{last}`" in render(report, "md")
    assert f"final hash <code>{last}</code>" in render(report, "html")
    assert json.loads(render(report, "json"))["integrity"]["final_hash"] == last


def test_who_when_and_the_window() -> None:
    change = build_report(journal("change"))
    assert (change.ticket.id, change.ticket.risk_level, change.session.assignee, change.session.verifier) == ("CHG-3107", "medium", "alice", "bob")
    events = lines_of(journal("change"))
    assert (change.session.started_at, change.session.finished_at) == (events[0]["ts"], events[-1]["ts"])
    assert change.window.stayed_inside is True and change.window.override is None
    assert change.session.resumed_at == [e["ts"] for e in events if e["type"] == "session_resumed"]

    solo = build_report(journal("solo"))
    assert solo.session.solo == "bob is out sick; approved by the on-call lead"
    assert solo.window.stayed_inside is False
    assert solo.window.override == "window moved by one hour, agreed in CHG-3107"
    assert "started with an override by alice" in render(solo, "md")


def test_attempts_confirmations_skips_and_notes() -> None:
    report = build_report(journal("change"))
    steps = {s.id: s for s in report.steps}
    health = steps["health"]
    assert [a.number for a in health.attempts] == [1, 2]
    assert [(d.kind, d.by) for d in health.decisions] == [("rejected", "bob"), ("confirmed", "bob")]
    assert [(d.kind, d.by) for d in steps["backup-config"].decisions] == [("go-ahead", "bob"), ("confirmed", "bob")]
    install = steps["install-config"]
    assert [a.status for a in install.attempts] == ["failed", "awaiting_verification"]
    assert {h.host: (h.status, h.exit_code) for h in install.attempts[0].hosts} == {"web1": ("done", 0), "web2": ("failed", 1)}
    # the step as it was rendered for people (the capture filled in), never the template
    assert install.commands["web1"].endswith('logger "CHG-3107 backup 1795453347"')
    assert install.attempts[0].commands == install.commands
    assert "{{" not in render(report, "md") and "{{" not in render(report, "html")
    assert [s.id for s in report.skipped] == ["announce"]
    assert steps["announce"].reason == "announced on the bridge call instead; #ops is down"
    assert [(n.by, n.step) for n in report.notes][-1] == ("bob", "watch")
    reload_attempt = steps["reload"].attempts[0]
    assert reload_attempt.status == "unknown" and reload_attempt.finished_at is None


def test_each_step_reads_in_the_order_things_happened() -> None:
    """A change board reads attempt 1, the rejection, attempt 2, the confirmation: never decisions lumped after attempts."""
    steps = {s.id: s for s in build_report(journal("change")).steps}
    health, install = steps["health"], steps["install-config"]
    assert [(h.kind, h.by) for h in health.history] == [("attempt", "alice"), ("rejected", "bob"), ("attempt", "alice"), ("confirmed", "bob")]
    assert health.history[1].reason == "web2 answered in 4.1 s; run it again before we touch anything"
    # the rollback bob asked for between the two attempts is in the step's own history, with its undo results
    assert [h.kind for h in install.history] == ["attempt", "rollback", "undo", "attempt", "confirmed", "rollback", "undo"]
    assert all(a.at <= b.at for a, b in zip(install.history, install.history[1:]))
    assert "requested by bob: web2 may hold a half-installed config" in install.history[1].words
    md = render(build_report(journal("change")), "md")
    section = md.split("### 4. install-config")[1].split("### 5.")[0]
    lines = [line for line in section.splitlines() if line.startswith("- ")]
    assert [line.split(" ")[1] for line in lines] == ["attempt", "rollback", "undo", "attempt", "confirmed", "rollback", "undo"]
    assert lines[0].endswith("by alice: FAILED") and lines[3].endswith("by alice: ran; handed to the verifier")
    assert lines[2] == "- undo on web1: ok (exit 0); web2: ok (exit 0) at 17:03:47"  # by host, as exec says the undo's ends
    html = render(build_report(journal("change")), "html")
    assert html.index("rejected by bob at 17:01:50") < html.index("attempt 2: 17:01:50")


def test_the_summary_comes_first_and_says_what_a_board_asks() -> None:
    report = build_report(journal("change"))
    md = render(report, "md")
    summary = md.split("## Summary")[1].split("## Record")[0]
    assert md.index("## Summary") < md.index("## Record") < md.index("## Steps")
    rows = dict(re.findall(r"^\| \*\*(.+?)\*\* \| (.*) \|$", summary, re.M))
    assert list(rows) == ["Outcome", "Window", "Verifier", "Steps", "Guard trips", "Success criteria"]
    assert rows["Outcome"].startswith("**ROLLED BACK to the last checkpoint (backup-config)**")  # it read `ROLLED BACK`
    assert rows["Window"].startswith("planned 2026-11-23 17:00:00 UTC → 2026-11-23 18:00:00 UTC; actual 2026-11-23 17:01:00 UTC")
    # install-config, reload (marked done by hand, as its row says): undone; watch (a wait the rollback went back past): reset
    said = "2 done, 2 undone (1 done, 1 marked done before the rollback), 1 reset (nothing to undo), 1 skipped, 2 not run, 1 not needed"
    assert rows["Steps"] == f"{said} (run only after a full rollback)"
    assert rows["Guard trips"] == f"1: {report.guard_trips[0].at[11:19]} guard 'errors' tripped: 2.7% above 2% for 30s (pause)"
    assert rows["Success criteria"].startswith("errors below 1% within 10m: NOT met (2.7%)")
    html = render(report, "html")
    assert html.index('<section id="summary">') < html.index('<dl class="facts">')


def test_parameters_read_as_the_yaml_wrote_them() -> None:
    report = build_report(journal("change"))
    report.session.params = {"dry_run": False, "canary": True, "limit": None, "hosts": ["web1", "web2"], "conf": "/srv/h2.conf"}
    expected = 'dry\\_run=false, canary=true, limit=null, hosts=\\["web1", "web2"\\], conf=/srv/h2.conf'
    assert f"| Parameters | {expected} |" in render(report, "md")
    assert "<dd>dry_run=false, canary=true, limit=null, hosts=[&#34;web1&#34;, &#34;web2&#34;], conf=/srv/h2.conf</dd>" in render(report, "html")


def test_rollbacks_with_their_undo_lists() -> None:
    first, rollback = build_report(journal("change")).rollbacks
    assert (first.requested_by, [(u.step, u.host, u.status) for u in first.undo]) == (
        "bob",
        [("install-config", "web2", "ok"), ("install-config", "web1", "ok")],
    )
    assert (rollback.scope, rollback.back_to, rollback.ok, rollback.requested_by) == ("checkpoint", "backup-config", True, "bob")
    assert [(u.step, u.host, u.status) for u in rollback.undo] == [
        ("reload", "web2", "ok"), ("reload", "web1", "ok"), ("install-config", "web2", "ok"), ("install-config", "web1", "ok"),
    ]  # fmt: skip
    assert rollback.undo[0].command == "systemctl reload nginx"
    assert [line.text for line in rollback.undo[0].output_tail] == ["reloaded"]


def test_guard_trips_metrics_and_review() -> None:
    report = build_report(journal("change"))
    (trip,) = report.guard_trips
    assert (trip.panel, trip.value, trip.threshold, trip.for_seconds, trip.action, trip.step) == ("errors", 2.7, 2.0, 30.0, "pause", "watch")
    panels = {p.id: p for p in report.panels}
    errors = panels["errors"]
    assert (errors.before, errors.after, errors.min, errors.max, errors.warn, errors.critical, errors.trips) == (0.31, 0.35, 0.29, 2.7, 1.0, 2.0, 1)
    assert panels["p99"].failed_readings == 1
    md = render(report, "md")
    assert "| 5xx rate (errors) | 0.31% | 0.35% | 0.29% | 2.7% | 1% | 2% | 10 | 1 |" in md
    html = render(report, "html")
    assert html.count('<svg class="spark"') == 2
    assert html.count('class="warn-line"') == 2 and html.count('class="critical-line"') == 2
    assert html.count('<polyline class="series"') == 3  # p99 has a gap where a reading failed
    (review,) = report.reviews
    assert review.by == "alice" and "INC-8812" in review.surprised
    assert "## Post-change review" in md and "<h2>Post-change review</h2>" in html

    solo = build_report(journal("solo"))
    assert [(c.criterion, c.met) for c in solo.success] == [("errors below 1% within 10m", True)]


def test_a_journal_that_simply_stops_is_reported_as_unfinished(tmp_path: Path) -> None:
    """The process died and nobody resumed: every line holds, there is just no session_finished. The step that was
    running then is one nobody saw end: the record says its outcome is unknown (as `resume` finds it), in every format.
    It read `running`, as if still under way, and `still running when the journal ends` of its attempt."""
    lines = journal("change").read_text(encoding="utf-8").splitlines(keepends=True)
    cut = next(i for i, line in enumerate(lines) if '"type":"session_resumed"' in line)
    path = tmp_path / "died.jsonl"
    path.write_text("".join(lines[:cut]), encoding="utf-8")
    report = build_report(path)
    assert report.integrity.verified is True
    assert report.session.outcome == "unfinished" and report.session.finished_at is None
    steps = {s.id: s for s in report.steps}
    reload = steps["reload"]
    assert (reload.outcome, reload.result, reload.record_ends_running) == ("unknown", "unknown", True)
    (attempt,) = reload.attempts
    assert attempt.status == "unknown" and attempt.finished_at is None
    # web1's wave had finished (its end is known); web2 ran when the record ends
    assert [(h.host, h.status) for h in attempt.hosts] == [("web1", "done"), ("web2", "unknown")]
    assert attempt.problems == ["outcome unknown: was running when the record ends"]
    assert not any(s.record_ends_running for s in report.steps if s.id != "reload")
    words = "UNKNOWN: was running when the record ends"
    md, html = render(report, "md"), render(report, "html")
    assert "UNFINISHED" in md
    for text in (md, html):
        assert words in text and "still running" not in text
        assert "1 UNKNOWN" in text and "running</td>" not in text and "| running |" not in text
    data = json.loads(render(report, "json"))
    (reloaded,) = [s for s in data["steps"] if s["id"] == "reload"]
    assert (reloaded["outcome"], reloaded["record_ends_running"], reloaded["attempts"][0]["status"]) == ("unknown", True, "unknown")
    assert data["counts"].get("unknown") == 1 and "running" not in data["counts"]


def test_long_metric_series_keep_their_peaks() -> None:
    series = [(f"2026-11-23T17:{i // 60:02d}:{i % 60:02d}.000Z", float(i % 97)) for i in range(3000)]
    series[1234] = (series[1234][0], 500.0)
    series[2000] = (series[2000][0], None)
    reduced = _reduce(series)
    assert len(reduced) <= SERIES_POINTS
    assert (series[1234][0], 500.0) in reduced
    assert min(v for _, v in reduced if v is not None) == 0.0
    assert [at for at, _ in reduced] == sorted(at for at, _ in reduced)


# -- escaping ----------------------------------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)


@pytest.mark.parametrize("name", JOURNALS)
def test_html_is_self_contained_and_holds_no_script(name: str) -> None:
    html = render(build_report(journal(name)), "html")
    parser = _Tags()
    parser.feed(html)
    assert "script" not in parser.tags
    assert not any(key.startswith("on") for key, _ in parser.attrs)
    assert not any(key in ("src", "srcset") for key, _ in parser.attrs)
    assert "link" not in parser.tags and "img" not in parser.tags
    assert "<script" not in html.lower()
    assert "@import" not in html and "url(" not in html


def test_command_output_with_script_stays_text() -> None:
    events = lines_of(journal("change"))
    assert any("<script>" in e.get("text", "") for e in events)  # the fixture does hold it
    report = build_report(journal("change"))
    assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in render(report, "html")
    md = render(report, "md")
    outside_code = re.sub(r"^( *)(`{3,})[^\n]*\n.*?^\1\2$", "", md, flags=re.M | re.S)
    assert "<script" not in outside_code and "<after>" not in outside_code
    assert "\\<after\\>" in outside_code  # review text: escaped, not dropped


@pytest.mark.parametrize("fmt", ["md", "html", "json"])
@pytest.mark.parametrize("name", JOURNALS)
def test_secrets_stay_masked(name: str, fmt: str) -> None:
    text = render(build_report(journal(name)), fmt)
    assert TOKEN not in text
    if name == "change":
        assert "token *** accepted" in text


def test_markdown_escaping() -> None:
    assert esc("a|b <b>x</b> *y* [z](u) `c`") == r"a\|b \<b\>x\</b\> \*y\* \[z\](u) \`c\`"
    assert esc("two\nlines") == "two lines"
    # GitHub renders $…$ as math: a note `$\huge\text{APPROVED}$` would print large in the Notes table
    assert esc(r"$\huge\text{APPROVED}$") == r"\$\\huge\\text{APPROVED}\$"
    assert para("costs $5 and $6") == r"costs \$5 and \$6"
    assert para("- not a list\n1. nor this\n# nor a heading") == "\\- not a list\\\n1\\. nor this\\\n\\# nor a heading"
    assert code("a|b") == "`a\\|b`"
    assert code("has ` tick") == "``has ` tick``"


# -- JSON ---------------------------------------------------------------------------------


def test_json_is_stable_and_documented() -> None:
    data = json.loads(render(build_report(journal("change")), "json"))
    assert next(iter(data)) == "format" and data["format"] == FORMAT == "runbook-tui-report/1"
    documented = set(re.findall(r"^\| (\w+) \|", json_report.__doc__ or "", re.M)) - {"key"}
    assert set(data) == documented


# -- a real run ---------------------------------------------------------------------------

RUNBOOK = """\
runbook: 1
id: report-real
title: A real local run
ticket: {id: CHG-9, subject: Real run, assignee: alice, verifier: bob}
sections:
  - id: pre
    title: Pre
    kind: precheck
    steps:
      - {id: look, title: Look, run: "echo '<script>x</script>'"}
  - id: impl
    title: Change
    kind: implement
    steps:
      - {id: touch, title: Touch, run: "touch flag", undo: "rm -f flag", checkpoint: true}
      - {id: break, title: Break, run: "echo oops >&2; exit 3", undo: "echo undo-break"}
      - {id: never, title: Never reached, run: "echo never"}
  - id: rb
    title: Rollback
    kind: rollback
    steps:
      - {id: clean, title: Clean, run: "echo cleaned"}
"""


def test_a_journal_from_exec_reports_in_every_format(tmp_path: Path) -> None:
    (tmp_path / "rb.yaml").write_text(RUNBOOK, encoding="utf-8")
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "XDG_STATE_HOME": str(tmp_path / "state"), "RUNBOOK_TUI_USER": "alice"}
    run = subprocess.run(
        [sys.executable, "-m", "runbook_tui", "exec", "rb.yaml", "--solo", "test", "--on-failure", "abort", "--journal", "j.jsonl"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 1, run.stderr
    for fmt in ("md", "html", "json"):
        proc = subprocess.run(
            [sys.executable, "-m", "runbook_tui", "report", "j.jsonl", "--format", fmt, "-o", f"r.{fmt}"],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data["session"]["outcome"] == "rolled_back"
    assert {s["id"]: s["outcome"] for s in data["steps"]} == {"look": "done", "touch": "undone", "break": "undone", "never": "not run", "clean": "done"}
    assert data["unverified"] == ["look", "clean"]  # touch, done solo, was undone: its change no longer stands
    assert {s["id"]: s["verification"] for s in data["steps"]}["touch"] == "unverified (solo run), then rolled back"  # no confirmation was due
    assert [(u["step"], u["status"]) for u in data["rollbacks"][0]["undo"]] == [("break", "ok"), ("touch", "ok")]
    assert data["integrity"]["final_hash"] == lines_of(tmp_path / "j.jsonl")[-1]["hash"]
    assert "<script" not in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_huge_readings_are_short_numbers_and_drawable_points() -> None:
    """Readings near ±1.8e308 are valid floats. Before: the report wrote each as a 300-digit number and the HTML chart's
    points as `nan` (the browser drew no line)."""
    assert value(1.7e308, "B") == "1.7e+308 B" and value(-5e20) == "-5e+20" and value(12_345.6) == "12,346"
    panel = Panel("big", "Big", "B", warn=-1.0e308, critical=-1.5e308, direction="below")
    panel.series = [("2026-11-23T02:00:00+00:00", 1.7e308), ("2026-11-23T02:00:05+00:00", -1.7e308)]
    drawn = chart(panel, [])
    assert drawn is not None and drawn.lines and "nan" not in " ".join(drawn.lines) + str(drawn.warn_y) + str(drawn.critical_y), drawn


def test_a_check_begun_again_after_a_resume_is_one_undecided_row(tmp_path: Path) -> None:
    """The process died while it checked a success criterion; the resumed one began the check again and the journal
    ends during it. The report listed the criterion twice as not decided (the dead process's check and the new one);
    it is one row, the last check's, in every format."""
    from runbook_tui.engine.journal import JournalWriter

    lines = journal("change").read_text(encoding="utf-8").splitlines(keepends=True)
    cut = next(i for i, line in enumerate(lines) if '"type":"success_check_started"' in line) + 1
    path = tmp_path / "checked-again.jsonl"
    path.write_text("".join(lines[:cut]), encoding="utf-8")
    started = json.loads(lines[cut - 1])
    writer = JournalWriter(path, clock=lambda: "2026-11-23T17:12:00.000Z")
    writer.append("session_resumed", "alice", {"pid": 4343})
    writer.append("success_check_started", "system", {k: started[k] for k in ("criteria", "when")} | {"until": "2026-11-23T17:22:00.000Z"})
    writer.close()
    report = build_report(path)
    assert report.integrity.verified is True
    text = "errors below 1% within 10m"
    assert [(c.when, c.criterion, c.met) for c in report.success] == [("verify", text, None)], report.success
    assert [c["criterion"] for c in json.loads(render(report, "json"))["success"]] == [text]
    for fmt in ("md", "html"):
        # once as the measured table's row, once in the Summary (which says why each is not decided)
        assert render(report, fmt).count(f"{text}: not decided") == 2, fmt


@pytest.mark.parametrize("fmt", ["md", "html", "json"])
def test_a_step_never_rendered_reads_in_words_from_a_plan_journaled_with_templates(tmp_path: Path, fmt: str) -> None:
    """A journal written before plans said late values in words holds `{{ captured.backup_at }}` in its plan: the
    report of a run that never reached that step printed it raw (the spec: no `{{` survives rendering)."""
    first = journal("change").read_text(encoding="utf-8").splitlines()[0]
    assert "{{ captured.backup_at }}" in first  # as journaled then
    cut = tmp_path / "cut.jsonl"
    cut.write_text(first + "\n", encoding="utf-8")
    report = build_report(cut)
    [install] = [s for s in report.steps if s.id == "install-config"]
    assert install.outcome == "not run" and install.commands is not None
    assert all("logger \"CHG-3107 backup ⟨captured.backup_at: from step 'backup-config'⟩\"" in c for c in install.commands.values()), install.commands
    out = render(report, fmt)
    assert "{{" not in out and "⟨captured.backup_at: from step" in out.replace("&#x27;", "'").replace("&lt;", "<"), out
