"""One hop of an SSH connection, resolved (see `ssh_config`): moved out of ssh_config as it neared 500 lines."""

from __future__ import annotations

from runbook_tui.runbook.lean_dataclass import dataclass


@dataclass(frozen=True)
class Endpoint:
    """One hop of a connection, resolved: what to connect to, as whom, checked against which known_hosts."""

    name: str
    address: str
    port: int
    user: str
    identities: tuple[str, ...]
    known_hosts: str
    forward_agent: bool
    via: Endpoint | None
    sources: tuple[tuple[str, str], ...]  # (field, where its value came from)
    more_known_hosts: tuple[str, ...] = ()  # the files after the first of a `UserKnownHostsFile A B` (ssh reads them all)
    certificates: tuple[str, ...] = ()  # the config's `CertificateFile`s, paired with the identities as ssh pairs them
    agent: str | None = None  # the config's `IdentityAgent` (None: SSH_AUTH_SOCK's agent), see ssh_agent_choice
    identities_only: bool = False  # the config's `IdentitiesOnly yes`: the agent offers the identity files' keys alone
    host_key_alias: str | None = None  # the config's `HostKeyAlias`: the name its key is looked up under in known_hosts
    global_known: tuple[str, ...] = ()  # the `GlobalKnownHostsFile`s there (the system's), read after the user's, as ssh reads them
    revoked_keys: str | None = None  # the config's `RevokedHostKeys`: a file of public keys refused for every host (see revoked_keys)

    @property
    def key_entry(self) -> tuple[str, int]:
        """(host, port) its key is looked up under, as ssh looks it up: the HostKeyAlias alone when there is one."""
        return (self.host_key_alias, 22) if self.host_key_alias else (self.address, self.port)

    @property
    def known_files(self) -> tuple[str, ...]:
        return (self.known_hosts, *self.more_known_hosts, *self.global_known)

    @property
    def key(self) -> tuple[object, ...]:
        """Connections are shared by this: the same hop through the same bastions is one connection."""
        base = (self.name, self.address, self.port, self.user)
        return base if self.via is None else (*base, self.via.key)

    @property
    def path(self) -> str:
        """`db1 via bastion1`: the hops, target first."""
        return self.name if self.via is None else f"{self.name} via {self.via.path}"

    @property
    def hostport(self) -> str:
        """`10.0.0.5:22`; an IPv6 address in brackets, as ssh writes it (before: `::1:2222`, which reads as another address)."""
        return f"{f'[{self.address}]' if ':' in self.address else self.address}:{self.port}"

    @property
    def target(self) -> str:
        return f"{self.name} ({self.hostport})"

    def describe(self) -> str:
        """One line per hop for `plan`: the values and where each came from."""
        origin = dict(self.sources)
        parts = [
            f"address {self.address} ({origin['address']})",
            f"port {self.port} ({origin['port']})",
            f"user {self.user} ({origin['user']})",
            f"identity {', '.join(self.identities) or 'the SSH agent, ~/.ssh/id_*'} ({origin['identity']})",
            *([f"certificate {', '.join(self.certificates)} ({origin['certificate']})"] if self.certificates else []),
            *([f"agent {self.agent} ({origin['agent']})"] if self.agent is not None else []),
            *([f"IdentitiesOnly yes ({origin['identities_only']})"] if self.identities_only else []),
            *([f"host key alias {self.host_key_alias} ({origin['host_key_alias']})"] if self.host_key_alias else []),
            f"known_hosts {', '.join((self.known_hosts, *self.more_known_hosts))} ({origin['known_hosts']})",
            *([f"system known_hosts {', '.join(self.global_known)} ({origin['global_known']})"] if self.global_known else []),
            *([f"revoked host keys {self.revoked_keys} ({origin['revoked_keys']})"] if self.revoked_keys else []),
        ]
        if self.forward_agent:
            parts.append(f"agent forwarding ON ({origin['forward_agent']})")
        if self.via is not None:
            parts.append(f"via {self.via.name} ({origin['via']})")
        return f"{self.name}: " + "; ".join(parts)
