"""`plan`'s connections: how each remote host is reached, hop by hop, and where every value came from.

The same resolution the SSH executor uses (runbook fields, then the ssh
config named in the settings, then defaults; see execute/ssh_config.py),
so what the plan says is what a run does. Values are runbook or config text:
shown through `visible_line`.
"""

from __future__ import annotations

import os
from typing import Any

from runbook_tui.app.plan_beyond import beyond_steps_lines
from runbook_tui.app.settings import Settings
from runbook_tui.execute import ssh_config_system
from runbook_tui.execute.ssh_config import DEFAULT, SETTINGS, SshConfigError, SshConfigResolver
from runbook_tui.execute.ssh_endpoint import Endpoint
from runbook_tui.runbook.model import Host, Runbook
from runbook_tui.runbook.plan import format_plan
from runbook_tui.runbook.safe_text import visible_line


def _remote_hosts(runbook: Runbook) -> list[Host]:
    seen: dict[str, Host] = {}
    for _, hosts in runbook.hosts:
        for host in hosts:
            if not host.is_local:
                seen.setdefault(host.name, host)
    return list(seen.values())


def _hops(endpoint: Endpoint) -> list[Endpoint]:
    hops = [endpoint]
    while hops[-1].via is not None:
        hops.append(hops[-1].via)
    return hops


def _endpoints(runbook: Runbook, settings: Settings) -> dict[str, Endpoint | str]:
    """Each remote host's route, or why it cannot be worked out."""
    origin = SETTINGS if settings.known_hosts_given else DEFAULT
    resolver = SshConfigResolver(settings.ssh_config, settings.known_hosts, origin, system_config=settings.system_ssh_config)
    found: dict[str, Endpoint | str] = {}
    for host in _remote_hosts(runbook):
        try:
            found[host.name] = resolver.endpoint(host)
        except SshConfigError as exc:
            found[host.name] = str(exc)
    return found


def _hop_json(hop: Endpoint) -> dict[str, Any]:
    return {
        "name": hop.name, "address": hop.address, "port": hop.port, "user": hop.user,
        "identities": list(hop.identities), "certificates": list(hop.certificates), "known_hosts": hop.known_hosts,
        "known_hosts_files": list(hop.known_files), "forward_agent": hop.forward_agent, "agent": hop.agent,
        "identities_only": hop.identities_only, "host_key_alias": hop.host_key_alias,
        "via": hop.via.name if hop.via else None, "path": hop.path, "sources": dict(hop.sources),
    }  # fmt: skip


def connections(runbook: Runbook, settings: Settings) -> dict[str, list[dict[str, Any]] | str]:
    """`plan --json`: per host its hops (target first) with values and sources, or why they cannot be worked out."""
    found = _endpoints(runbook, settings).items()
    return {name: endpoint if isinstance(endpoint, str) else [_hop_json(hop) for hop in _hops(endpoint)] for name, endpoint in found}


def routes(runbook: Runbook, settings: Settings) -> dict[str, dict[str, Any] | str]:
    """Where each remote host's commands run, as an approval binds it: the address and port the runbook or the ssh
    config gives (or why it cannot be worked out). Not how it is reached nor as whom when the runbook leaves that to
    the ssh config: bastions, `User`, keys and known_hosts are the runner's own (a `Host *` in a personal config), and
    an approval must hold on the machine of whoever runs it."""
    found = _endpoints(runbook, settings).items()
    return {name: target if isinstance(target, str) else {"address": target.address, "port": target.port} for name, target in found}


def connection_lines(runbook: Runbook, settings: Settings) -> list[str]:
    """The plan's text section: each host's path, then a line per hop (empty when every step is local)."""
    found = _endpoints(runbook, settings)
    if not found:
        return []
    config = settings.ssh_config or "off (settings ssh.config: false)"
    if settings.ssh_config and not os.path.exists(settings.ssh_config):  # else "(default)" values read as if it had none to give
        config += ": not there, nothing read from it"
    if settings.system_ssh_config and os.path.exists(ssh_config_system.SYSTEM_CONFIG):  # read after it, as ssh reads it
        config += f"; then {ssh_config_system.SYSTEM_CONFIG}"
    lines = ["", f"== Connections  (ssh config: {visible_line(config)})"]
    for name, endpoint in found.items():
        if isinstance(endpoint, str):
            lines.append(f"  {visible_line(name)}: CANNOT RESOLVE: {visible_line(endpoint)}")
            continue
        lines.append(f"  {visible_line(endpoint.path)}")
        lines += [f"    {visible_line(hop.describe())}" for hop in _hops(endpoint)]
    return lines


def destinations(runbook: Runbook, settings: Settings) -> list[str]:
    """Where the steps' commands go, one visible line a host, resolved as a run resolves them (`rehearse` says it
    before it asks): `local (this machine)`, `db1 via bastion (deploy@10.0.0.5:22)`."""
    found = _endpoints(runbook, settings)
    seen: dict[str, str] = {}
    for step in runbook.steps:
        for host in runbook.targets(step):
            endpoint = found.get(host.name)
            if host.is_local:
                seen.setdefault(host.name, "local (this machine)")
            elif isinstance(endpoint, Endpoint):
                seen.setdefault(host.name, visible_line(f"{endpoint.path} ({endpoint.user}@{endpoint.hostport})"))
            else:
                seen.setdefault(host.name, visible_line(f"{host.name} (cannot resolve: {endpoint})"))
    return list(seen.values())


def plan_text(runbook: Runbook, settings: Settings) -> str:
    """`plan`'s text, and what `approve` shows before asking: the plan, what the run does besides its steps (guards, success
    criteria, silences, notices), then how each remote host is reached."""
    return format_plan(runbook) + "".join(line + "\n" for line in [*beyond_steps_lines(runbook), *connection_lines(runbook, settings)])
