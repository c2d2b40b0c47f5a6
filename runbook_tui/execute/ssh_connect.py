"""SSH connections: one per host entry, opened through its bastions, host keys checked on every hop.

`Connector.connection(endpoint)` returns the live connection for a resolved
`Endpoint` (see `ssh_config`), opening it on first use. A host behind a
bastion is reached over a `direct-tcpip` channel of the bastion's own
connection (asyncssh `tunnel=`), and that connection is shared by every host
behind the same bastion. Each hop is verified against its known_hosts file
(an unknown or changed key is an error, never a silent accept) and
authenticated with its own identity, or the SSH agent and default keys.
Agent forwarding is on only where the endpoint asks. Failures name the hop:
a bastion that cannot be reached, or a target the bastion cannot reach.
"""

from __future__ import annotations

import asyncio
import logging
import os
import resource
from collections.abc import Callable, Collection, Sequence
from typing import TypeVar

import asyncssh
from asyncssh.agent import SSHAgentClient

from runbook_tui.engine.ports import StatusSink
from runbook_tui.execute.revoked_host_keys import RevokedKeysUnusable, revoking, trusted_keys
from runbook_tui.execute.ssh_agent_choice import agent_socket
from runbook_tui.execute.ssh_auth_words import TOO_MANY_KEYS, reason, refused_words
from runbook_tui.execute.ssh_ciphers import CIPHERS
from runbook_tui.execute.ssh_coalesce import CoalescedTcp
from runbook_tui.execute.ssh_config import DEFAULT, SETTINGS, SshConfigError, SshConfigResolver
from runbook_tui.execute.ssh_endpoint import Endpoint
from runbook_tui.execute.ssh_host_key_words import changed_key, no_key_of_a_known_type
from runbook_tui.execute.ssh_identities_only import agent_keys_allowed
from runbook_tui.execute.ssh_lost import connect_reason
from runbook_tui.runbook.model import Host
from runbook_tui.runbook.safe_text import visible_line

log = logging.getLogger(__name__)

#: Reconnect backoff: first delay, then doubling up to the cap.
BACKOFF_FIRST = 0.5
BACKOFF_CAP = 5.0

Resolved = TypeVar("Resolved")

#: (host name, address, port, user[, bastion's key]): one SSH connection per host entry and route.
ConnKey = tuple[object, ...]


class ConnectFailed(Exception):
    """Connecting failed; `permanent` when retrying cannot help (host key, authentication, identity).

    `hop` is the endpoint whose connection failed (a bastion's, for a host behind it), None when the
    host could not even be resolved: what to fix is there, not necessarily on the host a step names.
    """

    def __init__(self, message: str, *, permanent: bool, hop: Endpoint | None = None, host_key: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.hop = hop
        self.host_key = host_key  # the host key did not verify (changed, or unknown): never retried (`Result.final`)


#: The keyring service an encrypted identity's passphrase is looked up under; the username is the identity's path.
PASSPHRASE_SERVICE = "runbook-tui"


class EncryptedIdentity(ConnectFailed):
    """An identity file is encrypted and no passphrase is at hand: an SSH agent may hold the key (as ssh uses it then)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(
            f"{message}: load it into an SSH agent (ssh-add {path}), or store its passphrase in the keyring"
            f" (keyring set {PASSPHRASE_SERVICE} {path}); runbook-tui asks for no passphrase",
            permanent=True,
        )


#: Bytes kept of what a server sent before its SSH greeting, and characters of it shown.
SAID_BYTES = 512
SAID_SHOWN = 120


class _Progress(asyncssh.SSHClient):
    """How far a connection got: when the connect timeout runs out, where it stalled says why."""

    def __init__(self, agent_after: str | None = None, offered: Collection[bytes] = (), allowed: Collection[bytes] | None = None) -> None:
        self.conn: asyncssh.SSHClientConnection | None = None
        #: What the server sent before its SSH greeting (at most SAID_BYTES): quoted when no greeting came.
        self.said = b""
        #: The SSH agent whose keys are offered once the identities given are refused (`public_key_auth_requested`),
        #: but for those (`offered`, public keys): ssh's order; under IdentitiesOnly, only those it holds of `allowed`.
        self._agent_after, self._offered, self._allowed = agent_after, offered, allowed
        self._agent: SSHAgentClient | None = None
        self.asked_agent = False  # the agent was asked for its keys (a login stalled since may be waiting for it)

    async def public_key_auth_requested(self) -> Sequence[asyncssh.SSHKeyPair] | None:
        """The agent's keys, after the host's own identities (a runbook's `identity:`, the ssh config's IdentityFile)
        were refused, as ssh offers them. asyncssh offered the agent's first: with as many other keys there as the
        server's MaxAuthTries (6), the login ended in `Too many authentication failures` before the identity was tried."""
        path, self._agent_after = self._agent_after, None
        if not path:
            return None
        self.asked_agent = True
        try:
            self._agent = await asyncssh.connect_agent(path)  # open while its keys sign; closed with the login
            keys = await self._agent.get_keys()
        except (OSError, asyncssh.Error, ValueError):  # a socket left from another login, an agent that fails: none of its keys
            log.debug("the SSH agent at %s offered no key", path, exc_info=True)
            self._close_agent()
            return None
        return [key for key in keys if key.public_data not in self._offered and (self._allowed is None or key.public_data in self._allowed)]

    def auth_completed(self) -> None:
        self._close_agent()

    def connection_lost(self, exc: Exception | None) -> None:
        self._close_agent()

    def _close_agent(self) -> None:
        if self._agent is not None:
            self._agent.close()
            self._agent = None

    def connection_made(self, conn: asyncssh.SSHClientConnection) -> None:
        self.conn = conn
        receive = conn.data_received

        def heard(data: bytes, datatype: object = None) -> None:  # asyncssh parses and drops the lines before "SSH-"
            if len(self.said) < SAID_BYTES and conn.get_extra_info("server_version") is None:
                self.said += data[: SAID_BYTES - len(self.said)]
            receive(data, datatype)  # type: ignore[arg-type]

        conn.data_received = heard  # type: ignore[method-assign]

    def quoted(self) -> str:
        """`: it said "HTTP/1.1 400 Bad Request⏎"` (visible, at most SAID_SHOWN characters), or "" when it said nothing."""
        text = self.said.decode("utf-8", "replace").strip()
        if not text:
            return ""
        shown = visible_line(text)
        return f': it said "{shown[:SAID_SHOWN] + "…" if len(shown) > SAID_SHOWN else shown}"'

    def stalled(self, seconds: float, *, agent: bool, bastion: str | None = None, answered: bool = False) -> str:
        """Why no connection came within `seconds`; `answered`: the host served SSH earlier in this run, so a silent port
        is a stalled server, not something else (a SIGSTOPped sshd read `something there that is not an SSH server`)."""
        if self.conn is None and bastion is not None:  # the bastion took the channel request and its own connect hangs
            return (
                f"bastion {bastion} got no answer from it within {seconds:g} s (packets dropped between the bastion and it:"
                " a firewall there, or an address or route wrong as the bastion sees it)"
            )
        if self.conn is None:
            return f"no connection within {seconds:g} s (packets dropped on the way: a firewall, a wrong address or route)"
        if self.conn.get_extra_info("server_version") is None:
            if said := self.quoted():
                return f"the port took the connection but sent no SSH greeting within {seconds:g} s{said} (not an SSH server)"
            if answered:
                return f"the port took the connection but the server did not answer the SSH handshake within {seconds:g} s (it answered SSH earlier in this run: stopped or overloaded)"
            return f"the port took the connection but sent no SSH greeting within {seconds:g} s (something there that is not an SSH server)"
        stuck = "the server stopped answering, or the SSH agent (SSH_AUTH_SOCK) did not answer" if agent else "the server stopped answering"
        return f"the SSH handshake or the login did not finish within {seconds:g} s ({stuck})"

    @property
    def greeted(self) -> bool:
        """The server sent its SSH greeting (the key exchange began)."""
        return self.conn is not None and self.conn.get_extra_info("server_version") is not None

    def cut(self, why: str) -> str:
        """A connection closed or reset: before the server's greeting, it was refused there or is no SSH server at all."""
        if self.conn is None or self.conn.get_extra_info("server_version") is not None:
            return why
        said = self.quoted().replace(": it said", ", saying", 1)  # sshd past MaxStartups says `Exceeded MaxStartups`
        return (
            f"{why}: the port took the connection and closed it before any SSH greeting{said} (sshd turning it away: its "
            "MaxStartups, a firewall or fail2ban rule; or no SSH server there)"
        )


def raise_open_file_limit() -> None:
    """Let this process hold a connection per host: the soft RLIMIT_NOFILE up to the hard one (often 1024 -> 524288).

    Each connection is a socket; a fan-out over a thousand hosts with the
    usual soft limit of 1024 would fail with "Too many open files".
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and (hard == resource.RLIM_INFINITY or soft < hard):
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError):  # a hard limit the kernel refuses (above nr_open): keep the soft one
            log.debug("could not raise RLIMIT_NOFILE to %s", hard, exc_info=True)


def _resolved(resolve: Callable[[Host], Resolved], host: Host) -> Resolved:
    """`resolve(host)`, a config that cannot be used said as the host's `ConnectFailed`."""
    try:
        return resolve(host)
    except SshConfigError as exc:
        raise ConnectFailed(f"{host.name}: {exc}", permanent=True) from None


class Connector:
    """Opens, shares and closes SSH connections for resolved endpoints."""

    def __init__(
        self,
        known_hosts: str,
        *,
        ssh_config: str | None,
        system_config: bool = False,
        known_hosts_given: bool = True,
        connect_timeout: float,
        keepalive_interval: float,
        passphrase_lookup: Callable[[str], str | None] | None,
    ) -> None:
        origin = SETTINGS if known_hosts_given else DEFAULT  # the default: known_hosts2 beside it, as ssh reads it
        self.resolver = SshConfigResolver(ssh_config, known_hosts, origin, system_config=system_config)
        self.connect_timeout = connect_timeout
        self._keepalive_interval = keepalive_interval
        self._passphrase_lookup = passphrase_lookup
        self._conns: dict[ConnKey, asyncssh.SSHClientConnection] = {}
        self._answered: set[ConnKey] = set()  # the endpoints that served SSH in this run
        self._locks: dict[ConnKey, asyncio.Lock] = {}
        self._identities: dict[tuple[str, ...], asyncio.Future[Sequence[asyncssh.SSHKeyPair]]] = {}
        self._trusted: dict[tuple[str, ...], tuple[tuple[object, ...], asyncssh.SSHKnownHosts]] = {}
        raise_open_file_limit()

    @property
    def connections(self) -> dict[ConnKey, asyncssh.SSHClientConnection]:
        """The open connections by key (bastions included): a copy, for diagnostics and tests."""
        return {key: conn for key, conn in self._conns.items() if not conn.is_closed()}

    def endpoint(self, host: Host) -> Endpoint:
        """Where `host` is reached (runbook fields, then ssh config, then defaults); `ConnectFailed` for a bad config."""
        return _resolved(self.resolver.endpoint, host)

    async def endpoint_off_loop(self, host: Host) -> Endpoint:
        """`endpoint`, in a thread when the ssh config must be read for it: a `Match exec` runs a program as it is read
        (a VPN check can take seconds), which stopped the event loop, the screen and every other host with it."""
        known = _resolved(self.resolver.endpoint_if_known, host)  # None when the file must be read
        return known if known is not None else await asyncio.to_thread(self.endpoint, host)

    async def connection(self, endpoint: Endpoint, stale: asyncssh.SSHClientConnection | None = None) -> asyncssh.SSHClientConnection:
        """The live connection for this endpoint, opened on first use (its bastion's first); one opener at a time per key."""
        lock = self._locks.setdefault(endpoint.key, asyncio.Lock())
        async with lock:
            conn = self._conns.get(endpoint.key)
            if conn is not None and conn is not stale and not conn.is_closed():
                return conn
            if conn is not None:
                conn.close()
                del self._conns[endpoint.key]
            tunnel = None
            if endpoint.via is not None:
                try:
                    tunnel = await self.connection(endpoint.via)
                except ConnectFailed as exc:
                    raise ConnectFailed(
                        f"{endpoint.name}: through bastion {endpoint.via.name}: {exc}", permanent=exc.permanent, hop=exc.hop, host_key=exc.host_key
                    ) from None
            try:
                conn = await self._open(endpoint, tunnel)
            except ConnectFailed as exc:
                exc.hop = exc.hop or endpoint  # set already when the fault is the bastion's (it forbids forwarding)
                raise
            self._conns[endpoint.key] = conn
            self._answered.add(endpoint.key)
            return conn

    async def reconnect(
        self, endpoint: Endpoint, dead: asyncssh.SSHClientConnection, attempts: int, status: StatusSink, lost: str = "connection lost"
    ) -> asyncssh.SSHClientConnection:
        """A new connection in place of `dead`, with exponential backoff; a host key or auth failure is final at once.

        When every attempt fails, the last attempt's `ConnectFailed`: it names the hop that failed (a bastion that
        died takes every host behind it down, and each must say so, not only that its own connection was lost).
        """
        dead.close()
        delay, attempt = BACKOFF_FIRST, 0
        while True:
            attempt += 1
            status(f"{endpoint.name}: {lost}; reconnecting ({attempt}/{attempts})...")  # `lost`: which hop went (ssh_lost.py)
            await asyncio.sleep(delay)
            delay = min(delay * 2, BACKOFF_CAP)
            try:
                return await self.connection(endpoint, stale=dead)
            except ConnectFailed as exc:
                if exc.permanent or attempt >= attempts:
                    raise
                log.info("%s: reconnect %d failed: %s", endpoint.name, attempt, exc)

    def forget(self, endpoint: Endpoint) -> asyncssh.SSHClientConnection | None:
        """Stop sharing the endpoint's connection (the next `connection()` opens another); the caller closes it."""
        return self._conns.pop(endpoint.key, None)

    async def close(self) -> None:
        """Close every connection, targets before the bastions they go through."""
        conns = sorted(self._conns.items(), key=lambda item: -len(item[0]))
        self._conns.clear()
        for _, conn in conns:
            conn.close()
        for _, conn in conns:
            try:
                await conn.wait_closed()
            except Exception:  # closing is best effort
                log.debug("closing an ssh connection failed", exc_info=True)

    async def _open(self, endpoint: Endpoint, tunnel: asyncssh.SSHClientConnection | None) -> asyncssh.SSHClientConnection:
        """Connect (through `tunnel`, the bastion's connection) and authenticate, verifying the host key."""
        target = endpoint.target
        client_keys: list[asyncssh.SSHKeyPair] = []
        config_keys = dict(endpoint.sources).get("identity") not in ("runbook", "default")
        encrypted: list[str] = []  # identities skipped for the agent to stand in for, as ssh does in batch mode
        certificates = tuple(path for path in endpoint.certificates if os.path.exists(os.path.expanduser(path)))  # ssh skips the others
        skipped = [path for path in endpoint.identities if config_keys and not os.path.exists(os.path.expanduser(path))]
        agent = agent_socket(endpoint.agent)  # the config's IdentityAgent, else SSH_AUTH_SOCK; "" for none
        allowed = agent_keys_allowed(endpoint.identities) if endpoint.identities_only else None  # None: any key of the agent
        offer = "" if allowed == [] else agent  # the agent whose keys are offered ("" when IdentitiesOnly leaves it none)
        for path in endpoint.identities:
            if path in skipped:
                continue  # as ssh does: an IdentityFile of the config that is not there is skipped
            try:
                client_keys += await self._identity(path, certificates)
            except EncryptedIdentity:
                if not offer:  # no agent: nothing can stand in for it, say so at once
                    raise
                encrypted.append(path)
        try:
            trusted = self._known_hosts(endpoint.known_files, endpoint.revoked_keys)
        except RevokedKeysUnusable as exc:  # ssh refuses every host key then
            raise ConnectFailed(f"host key for {target} not verified: {exc}", permanent=True, host_key=True) from None
        except (ValueError, OSError) as exc:  # a line asyncssh cannot parse, a file we may not read: no host key can be checked
            files = ", ".join(endpoint.known_files)
            raise ConnectFailed(f"known_hosts file {files} cannot be read: {visible_line(reason(exc))}", permanent=True) from None
        progress = _Progress(offer if client_keys else None, {key.public_data for key in client_keys}, allowed)  # its keys after these, as ssh
        try:
            return await asyncssh.connect(
                endpoint.address,
                port=endpoint.port,
                client_factory=lambda: progress,
                tunnel=tunnel if tunnel is not None else CoalescedTcp(),  # a direct connection: one send per loop turn (ssh_coalesce)
                config=None,  # ssh_config resolved it already: what plan shows is what is used
                username=endpoint.user,
                known_hosts=trusted,
                host_key_alias=endpoint.host_key_alias,  # None: the address
                client_keys=client_keys or (),
                agent_path=None if client_keys else (offer or None),  # the agent's keys before the default ones
                agent_identities=allowed or (),  # (): any
                client_certs=[os.path.expanduser(path) for path in certificates] if not client_keys else (),  # for ~/.ssh/id_*
                agent_forwarding=endpoint.forward_agent and (agent or True),  # named: agent_path may be None
                connect_timeout=self.connect_timeout,
                keepalive_interval=self._keepalive_interval,
                keepalive_count_max=3,
                encryption_algs=CIPHERS,
            )
        except asyncssh.HostKeyNotVerifiable as exc:
            changed, files = await changed_key(endpoint, tunnel), ", ".join(endpoint.known_files)
            raise ConnectFailed(
                f"host key for {target} not verified: {changed or f'{reason(exc)}; expected it in {files}'}",
                permanent=True,
                host_key=True,
            ) from None
        except asyncssh.PermissionDenied as exc:
            raise ConnectFailed(await refused_words(endpoint, exc, skipped, certificates, encrypted), permanent=True) from None
        except asyncssh.ChannelOpenError as exc:
            bastion = endpoint.via.name if endpoint.via is not None else "the bastion"
            if exc.code == asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED and endpoint.via is not None:  # its sshd forbids it: fixed there
                raise ConnectFailed(
                    f"bastion {bastion} does not forward connections for {endpoint.via.user}, so {target} cannot be reached through it"
                    f" ({visible_line(reason(exc))}): its sshd needs AllowTcpForwarding yes (and a PermitOpen, if any, naming the target),"
                    " and the key in its authorized_keys no `restrict` or `no-port-forwarding`",
                    permanent=True,
                    hop=endpoint.via,
                ) from None
            raise ConnectFailed(
                f"bastion {bastion} could not reach {target}: {reason(exc)} (the target refused or is unreachable from the bastion)",
                permanent=False,
            ) from None
        except (asyncssh.Error, OSError) as exc:
            if TOO_MANY_KEYS in reason(exc):  # sshd's MaxAuthTries: a refusal of the keys, not a host out of reach
                raise ConnectFailed(await refused_words(endpoint, exc, skipped, certificates, encrypted), permanent=True) from None
            why = connect_reason(exc, reason(exc))  # asyncio's `Connect call failed ('10.0.0.2', 2222)` in words
            if isinstance(exc, TimeoutError) and not exc.args:  # connect_timeout ran out (not the kernel's ETIMEDOUT)
                why = progress.stalled(
                    self.connect_timeout,
                    agent=not client_keys or progress.asked_agent,
                    bastion=endpoint.via.name if tunnel is not None and endpoint.via else None,
                    answered=endpoint.key in self._answered,
                )
            elif isinstance(exc, (asyncssh.ConnectionLost, ConnectionError)):
                if progress.greeted and (changed := await no_key_of_a_known_type(endpoint, tunnel)):
                    raise ConnectFailed(f"host key for {target} not verified: {changed}", permanent=True, host_key=True) from None
                why = progress.cut(why)
            elif isinstance(exc, asyncssh.ProtocolError) and not progress.greeted and (said := progress.quoted()):
                why = f"{why}{said} (not an SSH server)"  # `Banner line too long`: what it sent instead of a greeting
            raise ConnectFailed(f"cannot connect to {target}: {why}", permanent=False) from None
        except Exception as exc:  # a broken or hostile server trips asyncssh beyond its own errors (a short KEXINIT: PacketDecodeError)
            log.debug("ssh connection to %s failed", target, exc_info=True)
            if progress.conn is None:  # no connection yet: ours to fix (an address idna cannot encode, `a..b`)
                bad = "the address is no valid host name: " if isinstance(exc, UnicodeError) else ""
                raise ConnectFailed(f"cannot connect to {target}: {bad}{visible_line(reason(exc))}", permanent=True) from None
            raise ConnectFailed(f"cannot connect to {target}: the SSH handshake failed ({reason(exc)}): a broken or hostile server", permanent=False) from None

    def _known_hosts(self, paths: tuple[str, ...], revoked: str | None) -> asyncssh.SSHKnownHosts:
        """The known_hosts files, parsed once per version of them; a missing file is skipped, as ssh does, and with none no
        host is trusted (never `None`, which trusts all). The keys of the config's RevokedHostKeys file `revoked` are
        revoked for every host; `RevokedKeysUnusable` when it cannot be read.

        Parsing is the cost (a 1,000-line file takes ~20 ms of CPU); handing
        asyncssh the path would parse it again for every host. The file is
        read again when it changes (inode, size or mtime), so a key added
        during a run is seen by the next connection, as with a path.
        """
        revoked_lines = revoking(revoked)  # a small file, read at each connection
        found: list[tuple[str, tuple[int, int, int]]] = []
        for path in paths:
            try:
                info = os.stat(path)
            except FileNotFoundError:
                continue
            found.append((path, (info.st_ino, info.st_size, info.st_mtime_ns)))
        if not found:
            return asyncssh.import_known_hosts("")
        version, key = (*found, revoked_lines), (*paths, revoked or "")
        cached = self._trusted.get(key)
        if cached is None or cached[0] != version:
            cached = self._trusted[key] = (version, trusted_keys([path for path, _ in found], revoked_lines))
        return cached[1]

    async def _identity(self, path: str, certificates: tuple[str, ...] = ()) -> Sequence[asyncssh.SSHKeyPair]:
        """Load an identity once, asking `passphrase_lookup` (in a thread: keyring blocks) if it is encrypted.

        The hosts of a wave connect at once: they share one load (one
        passphrase lookup), not one each. A load that failed is forgotten,
        so a later connection tries again.
        """
        path, key = os.path.expanduser(path), (os.path.expanduser(path), *certificates)
        loading = self._identities.get(key)
        if loading is None:
            loading = self._identities[key] = asyncio.ensure_future(asyncio.to_thread(self._load_identity, path, certificates))
        try:
            return await asyncio.shield(loading)  # one waiter cancelled (a timeout) leaves the load to the others
        except ConnectFailed:
            if self._identities.get(key) is loading:
                del self._identities[key]
            raise

    def _load_identity(self, path: str, certificates: tuple[str, ...]) -> Sequence[asyncssh.SSHKeyPair]:
        try:
            certs = asyncssh.load_certificates([os.path.expanduser(cert) for cert in certificates])
        except (OSError, asyncssh.KeyImportError) as exc:
            raise ConnectFailed(f"cannot use certificate {', '.join(certificates)}: {reason(exc)}", permanent=True) from None
        try:
            return asyncssh.load_keypairs(path, None, certs)
        except OSError as exc:
            raise ConnectFailed(f"cannot read identity {path}: {reason(exc)}", permanent=True) from None
        except (asyncssh.KeyImportError, asyncssh.KeyEncryptionError) as exc:
            if "passphrase" not in str(exc).lower():
                raise ConnectFailed(f"cannot use identity {path}: {reason(exc)}", permanent=True) from None
        if self._passphrase_lookup is None:
            raise EncryptedIdentity(path, f"identity {path} is encrypted and no SSH agent is there to use it from (SSH_AUTH_SOCK is not set)")
        try:
            passphrase = self._passphrase_lookup(path)
        except Exception as exc:  # a keyring backend can fail in many ways; say which secret we wanted
            raise ConnectFailed(f"looking up the passphrase for identity {path} failed: {exc}", permanent=True) from None
        if passphrase is None:
            raise EncryptedIdentity(
                path, f"identity {path} is encrypted and no SSH agent is there to use it from (SSH_AUTH_SOCK is not set), nor its passphrase in the keyring"
            )
        try:
            return asyncssh.load_keypairs(path, passphrase, certs)
        except (asyncssh.KeyImportError, asyncssh.KeyEncryptionError, OSError) as exc:
            raise ConnectFailed(f"cannot decrypt identity {path}: {reason(exc)}", permanent=True) from None
