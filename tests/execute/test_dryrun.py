"""DryRunExecutor says what it would run and starts nothing."""

from __future__ import annotations

import asyncio
import subprocess

import pytest

from runbook_tui.engine.ports import Command, Result
from runbook_tui.execute.dryrun import DryRunExecutor
from runbook_tui.runbook.model import Host, Mark
from runbook_tui.runbook.templating import render_command

WEB1 = Host(name="web1", address="10.0.0.1", mark=Mark("<test>", 1, 1))


def dry(command: Command) -> tuple[Result, list[tuple[str, bytes]]]:
    chunks: list[tuple[str, bytes]] = []
    result = asyncio.run(DryRunExecutor().run(command, lambda s, d: chunks.append((s, d))))
    return result, chunks


def test_plain_command() -> None:
    result, chunks = dry(Command(WEB1, "systemctl restart nginx"))
    assert result == Result("ok", 0)
    assert chunks == [("stdout", b"[dry-run] would run on web1: systemctl restart nginx\n")]


def test_cwd_env_sudo_are_shown_env_by_name_only() -> None:
    _, chunks = dry(Command(WEB1, "make deploy", cwd="/srv/app", env=(("STAGE", "prod"), ("TOKEN", "s3cret")), sudo=True))
    [(stream, data)] = chunks
    line = data.decode()
    assert stream == "stdout"
    assert line.startswith("[dry-run] would run on web1: make deploy")
    assert "/srv/app" in line and "STAGE" in line and "TOKEN" in line and "sudo" in line
    assert "s3cret" not in line and "prod" not in line
    assert line.endswith("\n") and line.count("\n") == 1


def test_templated_values_are_shown_inline_not_as_references() -> None:
    """What runs refers to RBT_V1 in its environment; a dry run shows people the value (secrets masked by the journal)."""
    rendered = render_command("systemctl restart {{ service }}", {"service": "nginx api"})
    _, chunks = dry(Command(WEB1, rendered.text, env=rendered.env, shown=rendered.shown))
    line = chunks[0][1].decode()
    assert line == "[dry-run] would run on web1: systemctl restart 'nginx api'\n"


def test_starts_no_process(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("dry run started a process")

    monkeypatch.setattr(asyncio, "create_subprocess_exec", forbidden)
    monkeypatch.setattr(asyncio, "create_subprocess_shell", forbidden)
    monkeypatch.setattr(subprocess, "Popen", forbidden)
    monkeypatch.setattr("os.fork", forbidden)
    monkeypatch.setattr("os.posix_spawn", forbidden)
    result, chunks = dry(Command(WEB1, "rm -rf /", sudo=True, timeout=1))
    assert result == Result("ok", 0)
    assert len(chunks) == 1


def test_close() -> None:
    asyncio.run(DryRunExecutor().close())


def test_a_command_of_several_lines_is_under_the_lead_indented_with_its_extras_after_it() -> None:
    """`run: |` of three lines: the lead on a line of its own, each command line under it indented; no `│ ` (behind the
    output's gutter it read as a second column), no empty line for the block scalar's last newline."""
    _, chunks = dry(Command(WEB1, "set -e\n\ncp a b\necho done\n", cwd="/srv/app", sudo=True))
    assert chunks[0][1].decode().splitlines() == [
        "[dry-run] would run on web1:",
        "    set -e",
        "",
        "    cp a b",
        "    echo done  (cwd /srv/app; sudo)",
    ]
