"""The detail pane's folder, environment and host list wrap with a hanging indent, at 80x24 and 140x45.

Walked in tmux: a step with `cwd`, `sudo` and three `env` variables read, at 80 columns,

    in /var/lib/…/long; env
    ALPHA=some-long-value-…-yes-real
    ly-long, BETA=two words here,
    GAMMA=/opt/a/b/…

every line at the pane's edge, a value folded inside a word and the next variable's name at the start of a line, as
if it were a command of its own; at 140 columns `, BETA=…` began a line. The host list of a step on 120 hosts
(`hosts: h001, h002, …`) went on at the pane's edge too, read as more text of the undo above it. Now each of the
folder, sudo and the environment's variables starts a line of its own under the command, a wrapped value goes on
indented under it, and the host list's lines go on under the first host.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import make_app, painted, prepare_workdir, settled, started

FOLDER = "/var/lib/some/really/deep/folder/structure/that/is/long/enough/to/need/two/lines/at/eighty"
LONG = "some-long-value-that-goes-on-and-on-for-a-while-yes-really-long-more-than-eighty-columns-wide-END"
ENV_RUNBOOK = f"""\
runbook: 1
id: env
title: Where it runs
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - id: envstep
        title: Step with an environment
        cwd: {FOLDER}
        sudo: true
        env: {{ALPHA: "{LONG}", BETA: "two words here", GAMMA: /opt/a/b/c}}
        run: echo "$ALPHA"
        undo: echo back
"""

HOSTS = [f"host{i:03d}" for i in range(1, 121)]
FLEET_RUNBOOK = """\
runbook: 1
id: fleet
title: The fleet
params:
  fleet: {type: list, default: [], description: every host}
hosts:
  fleet: {from_param: fleet}
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - id: restart
        title: Restart every host
        on: fleet
        run: echo restart
        undo: echo start
"""

SIZES = pytest.mark.parametrize("size", [(80, 24), (140, 45)], ids=["80x24", "140x45"])


def _between(pane: str, first: str, last: str | None) -> list[str]:
    """The pane's lines from the one starting `first` up to (not with) the one starting `last`."""
    lines = pane.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith(first)), None)
    assert start is not None, f"no line starts {first!r}:\n{pane}"
    end = next((i for i, line in enumerate(lines) if i > start and last and line.startswith(last)), len(lines))
    return lines[start:end]


@pytest.mark.asyncio
@SIZES
async def test_the_folder_and_each_variable_start_a_line_and_go_on_indented(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    prepare_workdir(tmp_path, monkeypatch, ENV_RUNBOOK)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await started(pilot)
        await settled(pilot)
        pane = painted(app.screen.query_one("#step-detail"))
        how = _between(pane, "in /var/lib", "undo:")
        starts = [line for line in how if not line.startswith(" ")]
        # The folder, sudo and each variable begin a line; nothing else does (a wrapped part goes on indented).
        assert [line.split()[0] for line in starts] == ["in", "with", "env"], pane
        assert how[0].startswith(f"in {FOLDER[:20]}") and "with sudo -n" in starts[1], pane
        assert starts[2].startswith("env ALPHA=some-long-value"), pane
        variables = [line.strip() for line in how if line.startswith("    ") and not line.startswith("     ")]
        assert [v.split("=")[0] for v in variables] == ["BETA", "GAMMA"], f"each variable on a line of its own, under ALPHA:\n{pane}"
        assert variables == ["BETA=two words here", "GAMMA=/opt/a/b/c"], pane
        joined = "".join(line.strip() for line in how)
        assert FOLDER in joined and LONG in joined, f"the folder and the value whole, only wrapped:\n{pane}"


@pytest.mark.asyncio
@SIZES
async def test_the_host_list_goes_on_under_its_first_host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    prepare_workdir(tmp_path, monkeypatch, FLEET_RUNBOOK)
    app = make_app(params={"fleet": ",".join(HOSTS)})
    async with app.run_test(size=size) as pilot:
        await started(pilot)
        await settled(pilot)
        pane = painted(app.screen.query_one("#step-detail"))
        assert "on fleet (120 hosts, listed below)" in pane, pane
        listed = _between(pane, "hosts: ", None)
        assert len(listed) > 2, pane
        assert all(line.startswith(" " * len("hosts: ")) and not line.startswith(" " * (len("hosts: ") + 1)) for line in listed[1:]), (
            f"every further line of the list starts under the first host:\n{pane}"
        )
        names = " ".join(listed).replace("hosts: ", "").replace(",", " ").split()
        assert names[:100] == HOSTS[:100] and " ".join(listed).endswith("and 20 more"), pane
