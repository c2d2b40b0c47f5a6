"""`preflight`: what can be known the afternoon before the window, one finding per line.

Hosts reachable with a known host key, sudo where steps ask for it, secrets
present, every PromQL query accepted, every mutating step undoable or
explicitly confirmed, backups before the implementation; the Alertmanager of
`alerts:` answering, every notify receiver's secrets readable and, with
`--notify-test`, a test message accepted by each.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from runbook_tui.engine.ports import Command
from runbook_tui.execute.local import LocalExecutor
from runbook_tui.execute.ssh import SshExecutor
from runbook_tui.runbook.model import MUTATING_SECTION_KINDS, Host, Runbook, Step
from runbook_tui.secrets import SecretsError, read_secrets
from runbook_tui.settings import Settings, load_settings

CHECK_TIMEOUT = 15.0


def coverage_findings(runbook: Runbook) -> list[str]:
    """Pure checks of the runbook's shape: undo coverage and backups before changes."""
    findings = []
    first_backup = first_implement = None
    for index, step in enumerate(runbook.forward_steps):
        kind = runbook.section(step.section_id).kind
        if kind == "backup" and first_backup is None:
            first_backup = index
        if kind == "implement" and first_implement is None:
            first_implement = (index, step)
        if kind in MUTATING_SECTION_KINDS and step.kind in ("run", "note") and step.undo is None and step.confirm is None:
            findings.append(f"{step.mark}: step '{step.id}' ({kind}) has no undo and no confirm: add an undo, or a confirm saying it cannot be undone")
    if first_implement is not None and (first_backup is None or first_backup > first_implement[0]):
        index, step = first_implement
        where = "no backup step at all" if first_backup is None else "the first backup step comes after it"
        findings.append(f"{step.mark}: implement step '{step.id}' runs before any backup ({where})")
    return findings


def secret_findings(runbook: Runbook) -> list[str]:
    try:
        read_secrets(runbook)
    except SecretsError as exc:
        return str(exc).splitlines()
    return []


def _hosts_with_sudo(runbook: Runbook) -> dict[str, tuple[Host, bool]]:
    """Every host some step runs on, and whether any step there uses sudo."""
    hosts: dict[str, tuple[Host, bool]] = {}
    steps: Iterable[Step] = (s for s in runbook.steps if s.kind == "run" or s.undo is not None)
    for step in steps:
        for host in runbook.targets(step):
            known, sudo = hosts.get(host.name, (host, False))
            hosts[host.name] = (known, sudo or step.sudo)
    return hosts


async def host_findings(runbook: Runbook, settings: Settings) -> list[str]:
    """Connect to each host (host key verified) and try `true`, and `sudo -n true` where asked."""
    ssh = SshExecutor(settings.known_hosts, max_concurrency=settings.max_concurrency, reconnect_attempts=1)
    local = LocalExecutor()

    async def check(host: Host, sudo: bool) -> list[str]:
        executor = local if host.is_local else ssh
        if host.is_local and not sudo:
            return []
        result = await executor.run(Command(host, "true", sudo=sudo, timeout=CHECK_TIMEOUT), lambda *_: None)
        if result.status == "ok" and result.exit_code == 0:
            return []
        what = "sudo -n true" if sudo else "true"
        detail = result.error or f"exit code {result.exit_code}"
        return [f"host {host.name} ({host.address}:{host.port}): `{what}` failed: {detail}"]

    try:
        results = await asyncio.gather(*(check(h, sudo) for h, sudo in _hosts_with_sudo(runbook).values()))
    finally:
        await ssh.close()
    return [finding for found in results for finding in found]


async def metric_findings(runbook: Runbook, secrets: dict[str, str]) -> list[str]:
    """Every panel query accepted by the metrics source (in worker threads: the client blocks)."""
    if runbook.metrics is None or runbook.metrics.source is None:
        return []
    from runbook_tui.metrics.check import check_queries

    return await asyncio.to_thread(check_queries, runbook, secrets)


async def preflight(runbook: Runbook, settings: Settings | None = None, *, notify_test: bool = False) -> list[str]:
    from runbook_tui.outreach import alerts_findings, notify_findings

    settings = settings or load_settings()
    findings = coverage_findings(runbook) + secret_findings(runbook)
    findings += await host_findings(runbook, settings)
    findings += await alerts_findings(runbook, settings)
    try:
        secrets = read_secrets(runbook)
    except SecretsError:
        if runbook.metrics is not None and runbook.metrics.source is not None:
            findings.append("metrics: queries not checked, because the secrets above are missing")
        if settings.notify or runbook.notify:
            findings.append("notify: receivers not checked, because the secrets above are missing")
        return findings
    findings += await metric_findings(runbook, secrets)
    findings += await notify_findings(runbook, settings, secrets, send=notify_test)
    return findings
