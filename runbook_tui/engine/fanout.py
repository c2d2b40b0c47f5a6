"""The fan-out scheduler: one step over a group of hosts, in rolling batches.

Pure asyncio on purpose: it decides only order and when to stop, and takes
the work as a `run_one(host)` coroutine, so the controller can wrap each
host's run in its events and tests can drive it with fakes. See the runbook
format's "Fan-out": `serial` batch sizes (the last one repeats), `max_fail`
failed hosts stop the rollout before the next batch.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Sequence
from fractions import Fraction
from typing import TypeVar

from runbook_tui.engine.ports import Result
from runbook_tui.runbook.lean_dataclass import dataclass
from runbook_tui.runbook.model import Host

T = TypeVar("T")

#: Hosts running at once when nothing else is said (the format's default).
DEFAULT_MAX_CONCURRENCY = 50


def _percent(value: str) -> Fraction:
    """`"25%"` -> 25 (exactly: `"12.5%"` of 8 hosts is 1, not 0.99999)."""
    text = value.strip()
    if not text.endswith("%"):
        raise ValueError(f"expected a count or a percentage like '25%', got {value!r}")
    try:
        share = Fraction(text[:-1].strip())
    except ValueError:
        raise ValueError(f"expected a count or a percentage like '25%', got {value!r}") from None
    if share < 0:
        raise ValueError(f"a percentage cannot be negative, got {value!r}")
    return share


def _count(value: int | str, total: int, what: str, least: int, too_small: str, rounded: Callable[[Fraction], int]) -> int:
    """An int as is (at least `least`), or a percentage of `total`, `rounded`."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError(f"{what} is a count or a percentage, got {value!r}")
    if isinstance(value, int):
        if value < least:
            raise ValueError(f"{what} {too_small}, got {value}")
        return value
    return rounded(_percent(value) * total / 100)


def batch_size(size: int | str, total: int) -> int:
    """One `serial` entry as a number of hosts: an int as is, `"25%"` of `total` rounded up, at least 1."""
    return max(1, _count(size, total, "a batch size", 1, "must be at least 1", math.ceil))


def batches(hosts: Sequence[T], serial: Sequence[int | str]) -> list[list[T]]:
    """Split `hosts` into rolling batches, in order; `serial` empty means one batch of all."""
    if not hosts:
        return []
    if not serial:
        return [list(hosts)]
    sizes = [batch_size(s, len(hosts)) for s in serial]
    result: list[list[T]] = []
    start = 0
    index = 0
    while start < len(hosts):
        size = sizes[min(index, len(sizes) - 1)]  # the last size repeats until all are placed
        result.append(list(hosts[start : start + size]))
        start += size
        index += 1
    return result


def fail_limit(max_fail: int | str, total: int) -> int:
    """How many failed hosts are tolerated: an int as is, `"10%"` of `total` rounded down."""
    return _count(max_fail, total, "max_fail", 0, "cannot be negative", math.floor)


def default_is_failure(result: Result) -> bool:
    """A host failed unless its command ran to the end with exit code 0."""
    return result.status != "ok" or result.exit_code != 0


@dataclass(frozen=True)
class HostOutcome:
    """What became of one host: its `Result`, or None when the rollout stopped before its batch."""

    host: str
    result: Result | None


async def fan_out(
    hosts: Sequence[Host],
    run_one: Callable[[Host], Awaitable[Result]],
    *,
    serial: Sequence[int | str] = (),
    max_fail: int | str = 0,
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
    is_failure: Callable[[Result], bool] = default_is_failure,
    on_batch: Callable[[int, list[Host]], None] | None = None,
    after_batch: Callable[[int, list[Host], list[Host], bool], Awaitable[bool]] | None = None,
    stop_asked: Callable[[], bool] | None = None,
    progress: dict[str, str] | None = None,
) -> list[HostOutcome]:
    """Run `run_one` on every host, batch after batch, and stop once failures exceed `max_fail`.

    Outcomes come back in the hosts' order. An exception from `run_one` is a
    bug, or the journal failing (a full disk while a host prints), not a host failure (executors report failures as a
    `Result`): it cancels the rest of its batch and propagates as itself (the first, when several came at once; the
    `TaskGroup`'s group is its cause), so the caller's `except JournalError` catches it. `after_batch(number, hosts,
    failed, spent)` is awaited once each batch is done (`failed`: its
    hosts that failed; `spent`: more hosts failed than `max_fail` allows); it returns
    False to stop the rollout there. Once `stop_asked()` (a person stopped the
    step), no host starts: those waiting for a slot and later batches have
    no result (not run), and no later batch starts. `progress`, when given, says of each host that began
    `running` (its `run_one` is under way, a wait before a retry included), then `ended`: a host waiting for a slot
    is not in it yet. No event says that one host ended; the `k` dialog reads this to say where the step still runs.
    """
    if max_concurrency < 1:
        raise ValueError(f"max_concurrency must be at least 1, got {max_concurrency}")
    limit = fail_limit(max_fail, len(hosts))
    gate = asyncio.Semaphore(max_concurrency)
    results: dict[int, Result] = {}  # position in `hosts` -> result; positions keep duplicates apart

    def halted() -> bool:
        return stop_asked is not None and stop_asked()

    async def one(position: int, host: Host) -> None:
        async with gate:
            if not halted():
                if progress is not None:
                    progress[host.name] = "running"
                try:
                    results[position] = await run_one(host)
                finally:
                    if progress is not None:
                        progress[host.name] = "ended"

    positions = list(range(len(hosts)))
    failed = 0
    for number, batch in enumerate(batches(positions, serial)):
        if on_batch is not None:
            on_batch(number, [hosts[p] for p in batch])
        try:
            async with asyncio.TaskGroup() as group:
                for position in batch:
                    group.create_task(one(position, hosts[position]))
        except ExceptionGroup as raised:  # before: the runner took a full disk for a bug ("step crashed: ExceptionGroup")
            raise _first(raised) from raised
        failures = [p for p in batch if p in results and is_failure(results[p])]
        failed += len(failures)
        spent = failed > limit  # a person's stop is no spent budget: its own note says who stopped it
        go_on = True
        if after_batch is not None:
            go_on = await after_batch(number, [hosts[p] for p in batch], [hosts[p] for p in failures], spent)
        if spent or not go_on or halted():  # a stop while `after_batch` waited (the verifier's word): no later batch
            break
    return [HostOutcome(host.name, results.get(position)) for position, host in enumerate(hosts)]


def _first(group: BaseExceptionGroup[Exception]) -> Exception:
    """The first exception a task group gathered, out of any groups nested in it."""
    first = group.exceptions[0]
    return _first(first) if isinstance(first, BaseExceptionGroup) else first


async def at_most(limit: int, jobs: Sequence[Awaitable[T]]) -> list[T]:
    """Await `jobs` with at most `limit` of them under way at once; the results in their order.

    A rollback's undos of one step on its hosts: before, all of them started at once (a gather), whatever
    `max_concurrency` said, where the step itself ran on at most that many hosts at a time (`fan_out`)."""
    if limit < 1:
        raise ValueError(f"max_concurrency must be at least 1, got {limit}")
    gate = asyncio.Semaphore(limit)

    async def one(job: Awaitable[T]) -> T:
        async with gate:
            return await job

    return list(await asyncio.gather(*(one(job) for job in jobs)))
