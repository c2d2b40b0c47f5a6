"""Every template in every example and test runbook renders: no `{{` is left anywhere a person or a host sees.

Load-time fields (hosts: name, address, user, port, identity; titles; ticket)
must be rendered by the loader; step strings that use `captured.*` or `host`
(title, run, undo, note, ask, confirm, expect, env, cwd) must render just
before their step, given the values the earlier steps captured.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from runbook_tui.runbook.display import display_text
from runbook_tui.runbook.loader import load_runbook, probe_runbook
from runbook_tui.runbook.model import Host, Mark, Param, Runbook, Step, Text

ROOT = Path(__file__).resolve().parents[2]
RUNBOOKS = sorted(
    [*ROOT.glob("runbooks/*.yaml"), *ROOT.glob("tests/*/data/*.yaml"), ROOT / "runbook_tui/demo/demo.yaml"],
    key=lambda p: str(p),
)
SAMPLE = {"string": "sample", "int": 3, "bool": True, "list": ["h1", "h2"]}
#: Required values with a pattern the sample does not fit.
FITTING = {"sandbox": "/tmp/sandbox", "config_version": "v12"}


def values_for(params: tuple[Param, ...]) -> dict[str, Any]:
    """A value for each required parameter without a default (choices: the first one)."""
    values: dict[str, Any] = {}
    for param in params:
        if param.default is None:
            values[param.name] = FITTING.get(param.name) or (param.choices[0] if param.choices else SAMPLE.get(param.type, "sample"))
    return values


def strings(value: Any, where: str, runbook: Runbook, step: Step | None, captured: Mapping[str, str]) -> Iterator[tuple[str, str]]:
    """(where, text) for every string in the model, each Text rendered as it will be shown."""
    if isinstance(value, Mark) or value is None:
        return
    if isinstance(value, Text):
        hosts = runbook.targets(step) if step is not None else ()
        for host in hosts or (None,):
            yield where, display_text(runbook, value, host=host if step is not None else None, captured=captured)
        return
    if isinstance(value, str):
        yield where, value
        return
    if isinstance(value, Step):
        for field in dataclasses.fields(value):
            if field.name != "title" or value.title_text is None:  # a lazy title is checked through title_text
                yield from strings(getattr(value, field.name), f"{where}.{field.name}", runbook, value, captured)
        return
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            if isinstance(value, Runbook) and field.name == "source":
                continue  # the file's text as read (journaled so that resume needs only the journal): never shown
            yield from strings(getattr(value, field.name), f"{where}.{field.name}", runbook, step, captured)
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from strings(item, f"{where}[{key}]", runbook, step, captured)
        return
    if isinstance(value, (tuple, list, frozenset, set)):
        for index, item in enumerate(value):
            yield from strings(item, f"{where}[{index}]", runbook, step, captured)


@pytest.mark.parametrize("path", RUNBOOKS, ids=lambda p: p.name)
def test_no_template_is_left_after_rendering(path: Path) -> None:
    probe = probe_runbook(path, {})
    loaded = load_runbook(path, values_for(probe.params))
    runbook = loaded.runbook
    captured = {step.capture: f"value-of-{step.capture}" for step in runbook.steps if step.capture}
    seen = 0
    for where, text in strings(runbook, "runbook", runbook, None, captured):
        seen += 1
        assert "{{" not in text and "{%" not in text, f"{path.name}: {where} still holds a template: {text!r}"
    assert seen > 20, "the walk reached the runbook's strings"


def test_templated_hosts_render_from_params_at_load() -> None:
    path = ROOT / "tests/runbook/data/templated-hosts.yaml"
    runbook = load_runbook(path, {"replica": "db7", "address": "10.0.0.7", "port": 2222, "user": "pg", "identity": "/keys/db7"}).runbook
    [host] = dict(runbook.hosts)["replicas"]
    assert (host.name, host.address, host.port, host.user, host.identity) == ("db7", "10.0.0.7", 2222, "pg", "/keys/db7")
    assert runbook.step("read").on == "db7", "`on:` names the rendered host"
    assert isinstance(runbook.targets(runbook.step("read"))[0], Host)


def test_a_captured_value_in_a_title_waits_for_its_step() -> None:
    runbook = load_runbook(ROOT / "tests/runbook/data/templated-hosts.yaml", {}).runbook
    step = runbook.step("set")
    assert step.title_text is not None
    [host] = runbook.targets(step)
    title = display_text(runbook, step.title_text, host=host, captured={"old_workers": "4"})
    assert title == "Set workers from 4 to 8 on db2"
