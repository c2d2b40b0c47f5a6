"""The command line's parser builds only the command it is given (start-up time); it parses as the whole one."""

from __future__ import annotations

import pytest

from runbook_tui.cli.parser import COMMANDS, parser

COMMAND_LINES = [
    ["exec", "rb.yaml", "--solo", "ci", "--journal", "j.jsonl", "-p", "a=1", "--on-failure", "rollback", "--ack-manual", "read"],
    ["exec", "rb.yaml", "--share", ":2222", "--verifier-key", "v.pub", "--identity", "k", "--approval", "rb.approval"],
    ["run", "--solo", "x", "--runbooks", "a", "--runbooks", "b", "--theme", "day"],
    ["resume", "j.jsonl", "--rollback", "--full", "--solo", "gone"],
    ["resume", "j.jsonl", "--mark-done", "checked by hand", "--continue", "--headless"],
    ["journal", "verify", "j.jsonl", "--allowed-signers", "signers"],
    ["report", "j.jsonl", "--format", "html", "-o", "out.html"],
    ["replay", "j.jsonl", "--practice", "--speed", "2.5"],
    ["validate", "a.yaml", "folder", "-p", "x=1", "--format", "github"],
    ["new", "rb.yaml", "--kind", "k8s-rollout"],
    ["plan", "rb.yaml", "--format", "md"],
    ["approve", "rb.yaml", "-o", "rb.approval"],
    ["rehearse", "rb.yaml", "--yes", "--fail-at", "s2"],
    ["preflight", "rb.yaml", "--notify-test"],
    ["join", "host:2222", "--observe"],
    ["demo", "--exec", "--on-failure", "stop"],
    ["schema"],
]


@pytest.mark.parametrize("argv", COMMAND_LINES, ids=lambda argv: " ".join(argv[:2]))
def test_a_command_line_parses_as_with_every_commands_arguments_built(argv: list[str]) -> None:
    assert parser(argv).parse_args(argv) == parser().parse_args(argv)


def test_every_command_is_listed_in_the_help_and_in_an_unknown_commands_error() -> None:
    for argv in (["--help"], ["-h", "exec"], ["exce", "rb.yaml"], []):
        listing = parser(argv).format_help()
        assert all(name in listing for name in COMMANDS), argv


def test_every_command_has_a_command_line_here() -> None:
    assert {argv[0] for argv in COMMAND_LINES} == set(COMMANDS)
