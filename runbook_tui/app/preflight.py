"""`preflight`: what can be known the afternoon before the window, one finding per line.

Hosts reachable, with a known host key, letting us in, and sudo where steps
ask for it (each a separate finding: runbook_tui/app/preflight_hosts.py), secrets
present, every PromQL query accepted, every mutating step undoable or
explicitly confirmed, no implement step before the first backup step (issue 3; with no
backup at all it is noted on stderr, not counted: a firewall rule and its undo need none); the Alertmanager of
`alerts:` answering, every notify receiver's secrets readable and, with
`--notify-test`, a test message accepted by each.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from runbook_tui.app.preflight_hosts import host_findings
from runbook_tui.app.secrets import SecretsError, read_secrets
from runbook_tui.app.settings import Settings, load_settings
from runbook_tui.engine.errors import StartRefused
from runbook_tui.engine.outcomes import EXIT_FAILED, EXIT_INVALID, EXIT_OK
from runbook_tui.engine.redact import Redactor
from runbook_tui.runbook.model import MUTATING_SECTION_KINDS, Runbook, Step, Text
from runbook_tui.runbook.safe_text import visible, visible_line


def coverage_findings(runbook: Runbook) -> list[str]:
    """Pure checks of the runbook's shape: every mutating step (backup/implement) has an undo or a confirm."""
    findings = []
    for step in runbook.forward_steps:
        kind = runbook.section(step.section_id).kind
        if kind in MUTATING_SECTION_KINDS and step.kind in ("run", "note") and _says_nothing(step.undo) and _says_nothing(step.confirm):
            undo = "no undo" if step.undo is None else "a blank undo (it reverses nothing)"
            confirm = "no confirm" if step.confirm is None else "a blank confirm (it warns of nothing)"
            findings.append(f"{step.mark}: step '{step.id}' ({kind}) has {undo} and {confirm}: add an undo, or a confirm saying it cannot be undone")
    implement, backup = _first_implement_and_backup(runbook)
    if implement is not None and backup is not None and runbook.forward_steps.index(implement) < runbook.forward_steps.index(backup):
        findings.append(  # issue 3: a finding
            f"{implement.mark}: implement step '{implement.id}' runs before the first backup step '{backup.id}' (line {backup.mark.line}): "
            "that backup would save the changed state; expected the backup section before the change"
        )
    return findings


def backup_notes(runbook: Runbook) -> list[str]:
    """Advice, not a finding: implement steps and no backup step at all. The contract's preflight is ready when every
    mutating step has an undo or a confirm; a change that needs no backup (a firewall rule with its undo) is ready too."""
    implement, backup = _first_implement_and_backup(runbook)
    if implement is None or backup is not None:
        return []
    return [f"{implement.mark}: note: implement step '{implement.id}' runs before any backup (no backup step at all); not a finding"]


def _first_implement_and_backup(runbook: Runbook) -> tuple[Step | None, Step | None]:
    """The first forward step of an implement section and of a backup section (None where there is none)."""
    steps = [(runbook.section(step.section_id).kind, step) for step in runbook.forward_steps]
    return next((s for kind, s in steps if kind == "implement"), None), next((s for kind, s in steps if kind == "backup"), None)


def _says_nothing(text: Text | None) -> bool:
    """No undo (or confirm), or one that is blank (`undo: ""`, or a template rendering to nothing): a rollback would run
    an empty command and call the step undone, and an acknowledgement of nothing warns nobody."""
    return text is None or not text.shown().strip()


async def metric_findings(runbook: Runbook, secrets: dict[str, str], notes: list[str] | None = None) -> list[str]:
    """Every panel query accepted by the metrics source (in worker threads: the client blocks); `notes`: the panels
    that read no data now."""
    if runbook.metrics is None or runbook.metrics.source is None:
        return []
    from runbook_tui.metrics.check import check_queries

    return await asyncio.to_thread(check_queries, runbook, secrets, notes)


def _metrics_need_secrets(runbook: Runbook) -> bool:
    """Whether the metrics source (its address, its token) or a panel's query uses a secret: the queries cannot be
    asked while one is missing. Otherwise they are, whatever else is missing (a step's database password)."""
    metrics = runbook.metrics
    if metrics is None or metrics.source is None:
        return False
    texts = [metrics.source.url, metrics.source.token, *(panel.query for panel in metrics.panels)]
    return any("secrets" in text.uses for text in texts if text is not None)


async def preflight(runbook: Runbook, settings: Settings | None = None, *, notify_as: str | None = None, notes: list[str] | None = None) -> list[str]:
    """The findings; `notes` gets advice that is no finding (a panel reading no data now); `notify_as`: who sends each
    receiver a test message (None: none is sent)."""
    from runbook_tui.app.outreach import alerts_findings, notify_findings

    settings = settings or load_settings()
    findings = coverage_findings(runbook)
    try:  # once: a keyring asked twice prompted twice for its unlock, and a silent one cost twice its 60 s
        secrets = read_secrets(runbook)
    except SecretsError as exc:
        findings += str(exc).splitlines()
        secrets = None
    findings += [str(finding) for finding in await host_findings(runbook, settings)]
    findings += await alerts_findings(runbook, settings)
    if secrets is None:
        if _metrics_need_secrets(runbook):
            findings.append("metrics: queries not checked, because the secrets above are missing")
        else:  # the source and the queries use none of them: asked all the same
            findings += await metric_findings(runbook, {}, notes)
        if settings.notify or runbook.notify:
            findings.append("notify: receivers not checked, because the secrets above are missing")
        return findings
    # A peer may quote what it was sent (`bad request: authorization=Bearer TOKEN`), and a template's error may quote
    # a value (`'str object' has no attribute 'TOKEN'`): these findings are masked, as the same words are in a run.
    masked = Redactor(secrets.values())
    said: list[str] = []
    reached = await metric_findings(runbook, secrets, said) + await notify_findings(runbook, settings, secrets, send_as=notify_as)
    if notes is not None:
        notes += [masked.text(note) for note in said]
    return findings + [masked.text(finding) for finding in reached]


def cmd_preflight(file: str, params: dict[str, Any], *, notify_test: bool = False) -> int:
    """`preflight FILE`: one line per finding on stdout (advice on stderr); 0 ready, 1 findings, 2 invalid."""
    from runbook_tui.app.session import SessionError, load, operator_name  # (session imports much that the check itself does not)

    try:
        loaded = load(file, params)
        notify_as = operator_name() if notify_test else None  # the test message's actor: the person at the keyboard
    except (SessionError, StartRefused) as exc:
        print(visible(str(exc)), file=sys.stderr)  # the runbook's name may hold escapes
        return EXIT_INVALID
    notes = backup_notes(loaded.runbook)
    findings = asyncio.run(preflight(loaded.runbook, notify_as=notify_as, notes=notes))
    for note in notes:  # advice on stderr: stdout keeps one line per finding
        print(visible_line(note), file=sys.stderr)
    for finding in findings:
        print(visible_line(str(finding)))
    if not findings:
        print(visible_line(f"{file}: ready"))  # the runbook's name may hold escapes
    return EXIT_FAILED if findings else EXIT_OK
