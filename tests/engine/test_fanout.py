"""The fan-out scheduler: batch sizes, failure limits, concurrency bound, order, exceptions."""

from __future__ import annotations

import asyncio
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runbook_tui.engine.fanout import HostOutcome, batch_size, batches, fail_limit, fan_out
from runbook_tui.engine.ports import Result
from runbook_tui.runbook.model import Host, Mark

OK = Result("ok", 0)
FAIL = Result("ok", 1)


def hosts(n: int) -> list[Host]:
    return [Host(name=f"h{i:02d}", address=f"10.0.0.{i}", mark=Mark("<test>", 1, 1)) for i in range(n)]


def sizes(serial: list[int | str], total: int) -> list[int]:
    return [len(b) for b in batches(list(range(total)), serial)]


# --- batches -----------------------------------------------------------------


def test_rolling_batches_from_the_format_example() -> None:
    assert sizes([1, "25%", "100%"], 20) == [1, 5, 14]


def test_no_serial_is_one_batch_of_all() -> None:
    assert batches(["a", "b", "c"], []) == [["a", "b", "c"]]
    assert batches([], []) == []
    assert batches([], [1]) == []


def test_the_last_size_repeats() -> None:
    assert sizes([1, 2], 7) == [1, 2, 2, 2]
    assert sizes(["30%"], 10) == [3, 3, 3, 1]


def test_percent_rounds_up_and_is_at_least_one() -> None:
    assert batch_size("25%", 10) == 3  # 2.5 -> 3
    assert batch_size("1%", 10) == 1  # 0.1 -> 1
    assert batch_size("0%", 10) == 1
    assert batch_size("12.5%", 8) == 1  # exactly 1, no float drift to 2
    assert batch_size("100%", 20) == 20
    assert sizes(["50%"], 3) == [2, 1]


def test_batches_keep_order() -> None:
    assert batches(list("abcdef"), [1, 2]) == [["a"], ["b", "c"], ["d", "e"], ["f"]]


@pytest.mark.parametrize("bad", [0, -1, "x%", "abc", "-5%", True, 1.5])
def test_bad_sizes_are_refused(bad: object) -> None:
    with pytest.raises(ValueError):
        batches([1, 2], [bad])  # type: ignore[list-item]


@given(
    total=st.integers(0, 300),
    serial=st.lists(st.one_of(st.integers(1, 50), st.integers(1, 100).map(lambda p: f"{p}%")), max_size=5),
)
def test_batches_place_every_host_once_in_order(total: int, serial: list[int | str]) -> None:
    items = list(range(total))
    result = batches(items, serial)
    assert [x for b in result for x in b] == items
    assert all(b for b in result)


# --- fail_limit --------------------------------------------------------------


def test_fail_limit() -> None:
    assert fail_limit(0, 20) == 0
    assert fail_limit(3, 20) == 3
    assert fail_limit("10%", 20) == 2
    assert fail_limit("10%", 19) == 1  # 1.9 -> 1
    assert fail_limit("10%", 9) == 0
    assert fail_limit("100%", 7) == 7
    with pytest.raises(ValueError):
        fail_limit(-1, 5)


# --- fan_out -----------------------------------------------------------------


def scripted(results: dict[str, Result], delay: float = 0.0):  # type: ignore[no-untyped-def]
    ran: list[str] = []

    async def run_one(host: Host) -> Result:
        ran.append(host.name)
        await asyncio.sleep(delay)
        return results.get(host.name, OK)

    return run_one, ran


def test_all_ok_runs_everything_in_order() -> None:
    group = hosts(10)
    run_one, ran = scripted({})
    seen: list[tuple[int, list[str]]] = []
    outcomes = asyncio.run(fan_out(group, run_one, serial=[1, "30%"], on_batch=lambda i, b: seen.append((i, [h.name for h in b]))))
    assert outcomes == [HostOutcome(h.name, OK) for h in group]
    assert sorted(ran) == [h.name for h in group]
    assert [len(b) for _, b in seen] == [1, 3, 3, 3]
    assert [i for i, _ in seen] == [0, 1, 2, 3]


def test_default_max_fail_stops_before_the_next_batch() -> None:
    group = hosts(10)
    run_one, ran = scripted({"h02": FAIL})
    outcomes = asyncio.run(fan_out(group, run_one, serial=[1, 2]))
    # batches: [h00] [h01 h02] [h03 h04] ...: the failure is in batch 2, so batch 3 never runs
    assert [o.result for o in outcomes[:3]] == [OK, OK, FAIL]
    assert all(o.result is None for o in outcomes[3:])
    assert sorted(ran) == ["h00", "h01", "h02"]
    assert [o.host for o in outcomes] == [h.name for h in group]


def test_timeout_and_error_count_as_failures() -> None:
    for bad in (Result("timeout"), Result("error", error="refused")):
        run_one, _ = scripted({"h00": bad})
        outcomes = asyncio.run(fan_out(hosts(3), run_one, serial=[1]))
        assert [o.result for o in outcomes] == [bad, None, None]


def test_failures_up_to_max_fail_are_tolerated() -> None:
    group = hosts(8)
    run_one, _ = scripted({"h00": FAIL, "h02": FAIL, "h05": FAIL})
    outcomes = asyncio.run(fan_out(group, run_one, serial=[2], max_fail=2))
    # after batch [h04 h05] the count is 3 > 2: [h06 h07] do not run
    assert [o.result for o in outcomes] == [FAIL, OK, FAIL, OK, OK, FAIL, None, None]


def test_percent_max_fail() -> None:
    group = hosts(20)  # "10%" of 20 -> 2 failures tolerated
    run_one, _ = scripted({"h00": FAIL, "h05": FAIL})
    outcomes = asyncio.run(fan_out(group, run_one, serial=[5], max_fail="10%"))
    assert all(o.result is not None for o in outcomes)

    run_one, _ = scripted({"h00": FAIL, "h05": FAIL, "h06": FAIL})
    outcomes = asyncio.run(fan_out(group, run_one, serial=[5], max_fail="10%"))
    assert [o.result is None for o in outcomes] == [False] * 10 + [True] * 10


def test_a_failure_in_the_last_batch_leaves_nothing_unrun() -> None:
    run_one, _ = scripted({"h03": FAIL})
    outcomes = asyncio.run(fan_out(hosts(4), run_one, serial=[2]))
    assert [o.result for o in outcomes] == [OK, OK, OK, FAIL]


def test_custom_is_failure() -> None:
    run_one, _ = scripted({"h00": Result("ok", 3)})
    outcomes = asyncio.run(fan_out(hosts(3), run_one, serial=[1], is_failure=lambda r: r.status != "ok" or r.exit_code not in (0, 3)))
    assert all(o.result is not None for o in outcomes)


def test_concurrency_bound_is_respected() -> None:
    in_flight = 0
    peak = 0

    async def run_one(host: Host) -> Result:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(random.uniform(0, 0.01))
        in_flight -= 1
        return OK

    outcomes = asyncio.run(fan_out(hosts(40), run_one, max_concurrency=7))
    assert peak == 7
    assert len(outcomes) == 40 and all(o.result == OK for o in outcomes)

    peak = 0
    asyncio.run(fan_out(hosts(40), run_one, serial=["10%"], max_concurrency=7))
    assert peak == 4  # a batch of 4 never reaches the bound


def test_order_is_the_hosts_order_whatever_finishes_first() -> None:
    group = hosts(12)

    async def run_one(host: Host) -> Result:
        await asyncio.sleep((12 - int(host.name[1:])) * 0.002)  # later hosts finish first
        return Result("ok", int(host.name[1:]))

    outcomes = asyncio.run(fan_out(group, run_one, serial=["50%"], is_failure=lambda r: False))
    assert [o.host for o in outcomes] == [h.name for h in group]
    assert [o.result.exit_code for o in outcomes if o.result] == list(range(12))


def test_duplicate_host_names_keep_their_own_results() -> None:
    same = Host(name="dup", address="a", mark=Mark("<test>", 1, 1))
    calls = iter([Result("ok", 0), Result("ok", 1)])

    async def run_one(host: Host) -> Result:
        return next(calls)

    outcomes = asyncio.run(fan_out([same, same], run_one, serial=[1], max_fail=5))
    assert [o.result for o in outcomes] == [Result("ok", 0), Result("ok", 1)]


def test_an_exception_propagates_and_cancels_the_rest_of_the_batch() -> None:
    cancelled: list[str] = []
    started: list[str] = []

    async def run_one(host: Host) -> Result:
        started.append(host.name)
        if host.name == "h01":
            await asyncio.sleep(0.01)
            raise RuntimeError("bug in run_one")
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.append(host.name)
            raise
        return OK

    with pytest.raises(RuntimeError, match="bug in run_one"):  # itself, not the task group's ExceptionGroup: callers catch what they know
        asyncio.run(fan_out(hosts(8), run_one, serial=[4]))
    assert sorted(cancelled) == ["h00", "h02", "h03"]
    assert sorted(started) == ["h00", "h01", "h02", "h03"]  # the next batch never started


def test_no_hosts() -> None:
    run_one, ran = scripted({})
    assert asyncio.run(fan_out([], run_one, serial=[1])) == []
    assert ran == []


def test_bad_max_concurrency() -> None:
    run_one, _ = scripted({})
    with pytest.raises(ValueError):
        asyncio.run(fan_out(hosts(1), run_one, max_concurrency=0))


def test_a_persons_stop_starts_no_host_waiting_for_a_slot_nor_a_later_batch() -> None:
    """Two running at once, batches of four: the stop comes while h00 and h01 run. h02 and h03 (waiting for a slot)
    and the second batch never start (no result: not run). The batch's end says no failure budget was spent (two
    failed, eight allowed): the stop is the person's, and `wave_finished` must not call it the budget's."""
    started: list[str] = []
    stop: list[str] = []
    ended: list[tuple[int, bool]] = []

    async def run_one(host: Host) -> Result:
        started.append(host.name)
        if len(started) == 2:
            stop.append("stopped by alice")
        await asyncio.sleep(0)
        return Result("stopped", error="stopped by alice")

    async def after(number: int, batch: list[Host], failed: list[Host], stopped: bool) -> bool:
        ended.append((number, stopped))
        return True

    outcomes = asyncio.run(fan_out(hosts(8), run_one, serial=[4], max_fail=8, max_concurrency=2, after_batch=after, stop_asked=lambda: bool(stop)))
    assert started == ["h00", "h01"]
    assert [o.host for o in outcomes if o.result is None] == ["h02", "h03", "h04", "h05", "h06", "h07"]
    assert ended == [(0, False)]
