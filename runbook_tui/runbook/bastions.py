"""Bastions: a host's `via: NAME` (or its group's) linked to the host entry it names.

The loader notes each `via` as it reads the hosts (`BastionLinks.want`);
once every group is read, `resolve` replaces the names by the host entries
themselves (`Host.via`, a chain when the bastion has its own `via`), and
refuses an unknown name or a cycle at the `via` that closes it, as
`FILE:LINE:COL: message`.
"""

from __future__ import annotations

from dataclasses import replace

from runbook_tui.runbook.diagnostics import Collector
from runbook_tui.runbook.lean_dataclass import dataclass, field
from runbook_tui.runbook.model import LOCAL, Host, Mark


@dataclass
class BastionLinks:
    """The `via` names seen while reading `hosts:`, by host name (the first entry of a name wins)."""

    diags: Collector
    wanted: dict[str, tuple[str, Mark]] = field(default_factory=dict)

    def want(self, host: str, via: str | None, mark: Mark) -> None:
        if via is not None and host not in self.wanted:
            self.wanted[host] = (via, mark)

    def resolve(self, groups: dict[str, tuple[Host, ...]]) -> dict[str, tuple[Host, ...]]:
        """The groups with every `via` linked to its host entry; errors for unknown names and cycles."""
        if not self.wanted:
            return groups
        entries: dict[str, Host] = {}
        for hosts in groups.values():
            for host in hosts:
                entries.setdefault(host.name, host)
        broken = self._check(entries)
        linked: dict[str, Host] = {}

        def link(name: str) -> Host:
            if name not in linked:
                host = entries[name]
                via = self.wanted.get(name)
                bastion = link(via[0]) if via is not None and name not in broken else None
                linked[name] = replace(host, via=bastion)
            return linked[name]

        return {group: tuple(link(h.name) if h.name in entries and not h.is_local else h for h in hosts) for group, hosts in groups.items()}

    def _check(self, entries: dict[str, Host]) -> set[str]:
        """Report unknown bastions and cycles; the names whose chain is broken (their `via` is dropped)."""
        broken: set[str] = set()
        for name, (via, mark) in self.wanted.items():
            if via == LOCAL or via not in entries:
                known = ", ".join(sorted(n for n in entries if n != name and n != LOCAL)) or "none declared"
                self.diags.error(mark, f"via: unknown host '{via}'; expected the name of another host entry ({known})")
                broken.add(name)
        for start in self.wanted:
            chain = [start]
            while chain[-1] in self.wanted and chain[-1] not in broken:
                nxt = self.wanted[chain[-1]][0]
                if nxt in chain:
                    cycle = chain[chain.index(nxt) :] + [nxt]
                    self.diags.error(  # once: the cycle's hosts are broken now, so no later walk goes round it
                        self.wanted[chain[-1]][1],
                        f"via: bastions form a cycle ({' -> '.join(cycle)}); expected a chain that ends at a host reached directly",
                    )
                    broken.update(cycle)
                    break
                chain.append(nxt)
        return broken
