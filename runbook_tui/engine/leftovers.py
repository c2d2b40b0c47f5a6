"""The runs an earlier process of a resumed session left on its remote hosts with their ends journaled.

A remote command's run files (`.out`, `.err`, `.run`) are removed once its end is on disk in the journal
(engine/ends_journaled.py): a `kill -9` between that write and the removal left them on the host for good, holding the
command's output, since nothing ever looked for them again. A resumed run now hands their keys to the first command it
runs on each host (`Command.leftovers`); once that command's end is journaled, the executor removes what is left of
them there, never of a run still going nor of one that recorded no exit status (kept for a look, as the error said).

Only runs whose end the journal holds qualify: a step or host left `unknown`, and the undo of a rollback cut short,
are what `resume --rerun` and `--rollback` follow (engine/reattach.py), so they are kept. The keys are those the
runner gives (`<session>/<step>/<host>/<phase><attempt><tag>`, runner.py): every attempt and try of each ended step,
and the undo of the last rollback; a key with no run behind it costs the host nothing.
"""

from __future__ import annotations

from runbook_tui.engine.state_model import RunState
from runbook_tui.runbook.model import Runbook

#: Host and step outcomes whose run may still be followed by a later resume (or still runs): their files stay.
_OPEN = frozenset({"unknown", "running", "pending"})


def journaled_runs(state: RunState, runbook: Runbook) -> dict[str, tuple[str, ...]]:
    """{host: keys}: the runs of earlier processes of this session whose ends are journaled, per remote host."""
    session = state.session.get("session")
    if not session or state.mode in ("dry-run", "practice"):
        return {}
    rollback = state.rollback
    undo_tag = f"@{rollback.started_seq}" if rollback is not None and rollback.started_seq is not None and not rollback.interrupted else None
    found: dict[str, list[str]] = {}
    for sid, held in state.steps.items():
        if held.attempts < 1 or held.status in _OPEN or any(h.status in _OPEN for h in held.hosts.values()):
            continue
        try:
            step = runbook.step(sid)
        except KeyError:
            continue
        remote = {h.name for h in runbook.targets(step) if not h.is_local}
        tags = ["", *(f".{n}" for n in range(1, step.retries + 1))]
        for host in sorted(set(held.hosts) & remote):
            keys = found.setdefault(host, [])
            keys.extend(f"{session}/{sid}/{host}/run{attempt}{tag}" for attempt in range(1, held.attempts + 1) for tag in tags)
            if undo_tag is not None and step.undo is not None:
                keys.append(f"{session}/{sid}/{host}/undo{held.attempts}{undo_tag}")
    return {host: tuple(keys) for host, keys in found.items()}
