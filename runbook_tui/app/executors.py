"""Which executor runs a host's commands: local, SSH, dry-run, or a practice's recording (made once each, closed together)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from runbook_tui.app.secrets import identity_passphrase
from runbook_tui.app.settings import Settings
from runbook_tui.engine.ports import Executor
from runbook_tui.execute.dryrun import DryRunExecutor
from runbook_tui.execute.local import LocalExecutor
from runbook_tui.runbook.lean_dataclass import dataclass, field
from runbook_tui.runbook.model import Host

if TYPE_CHECKING:  # practice only
    from runbook_tui.engine.recording import Recording


@dataclass
class Executors:
    """Chooses the executor for a host: local for `local`, SSH otherwise, dry-run for everything in dry runs."""

    settings: Settings
    dry_run: bool = False
    recording: Recording | None = None  # practice: play back the night's outputs instead of running
    bulk_output: bool = False  # headless: local output in large chunks (`LocalExecutor(bulk=True)`)
    _local: Executor | None = None
    _ssh: Executor | None = None
    _dry: Executor | None = None
    passphrase_lookup: Callable[[str], str | None] | None = identity_passphrase  # the keyring's, for an encrypted identity
    made: list[Executor] = field(default_factory=list)

    def __call__(self, host: Host) -> Executor:
        if self.recording is not None:
            if self._dry is None:
                from runbook_tui.execute.recorded import RecordedExecutor  # practice only

                self._dry = self._keep(RecordedExecutor(self.recording))
            return self._dry
        if self.dry_run:
            if self._dry is None:
                self._dry = self._keep(DryRunExecutor())
            return self._dry
        if host.is_local:
            if self._local is None:
                self._local = self._keep(LocalExecutor(bulk=self.bulk_output))
            return self._local
        if self._ssh is None:
            from runbook_tui.execute.ssh import SshExecutor  # asyncssh costs start-up time; only remote runs pay it

            self._ssh = self._keep(
                SshExecutor(
                    self.settings.known_hosts,
                    max_concurrency=self.settings.max_concurrency,
                    passphrase_lookup=self.passphrase_lookup,
                    reconnect_attempts=self.settings.reconnect_attempts,
                    keepalive_interval=self.settings.keepalive_interval,
                    ssh_config=self.settings.ssh_config,
                    system_config=self.settings.system_ssh_config,
                    known_hosts_given=self.settings.known_hosts_given,
                )
            )
        return self._ssh

    def _keep(self, executor: Executor) -> Executor:
        self.made.append(executor)
        return executor

    async def close(self) -> None:
        for executor in self.made:
            await executor.close()
