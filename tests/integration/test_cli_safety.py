"""Secrets stay out of the journal and stdout; parameters stay data, on a real remote host."""

from __future__ import annotations

import uuid

import pytest
from integration_cli import Cli, events, of_type

pytestmark = pytest.mark.peers


def test_a_secret_echoed_by_a_remote_command_never_reaches_the_journal_or_stdout(cli: Cli) -> None:
    secret = f"s3cr3t-{uuid.uuid4().hex}"
    step = {
        "id": "leak",
        "title": "A command that prints its secret every way it can",
        "on": "g",
        "env": {"TOKEN": "{{ secrets.token }}"},
        "run": (
            'echo "inline={{ secrets.token }}"\n'
            'echo "env=$TOKEN"; echo "stderr=$TOKEN" >&2\n'
            # the secret split over two writes 0.3 s apart: two chunks on the wire
            'printf \'split=%s\' "$(printf %s "$TOKEN" | cut -c1-10)"; sleep 0.3; printf \'%s\\n\' "$(printf %s "$TOKEN" | cut -c11-)"\n'
        ),
        "expect": {"stdout": "env="},
        "verify": "none",
    }
    path = cli.runbook(
        "secret-echo", [{"id": "pre", "title": "Pre-checks", "kind": "precheck", "steps": [step]}],
        hosts=2, secrets={"token": {"env": "IT_SECRET_TOKEN"}},
    )  # fmt: skip

    result = cli.run("exec", str(path), "--solo", "integration", "--journal", "j.jsonl", env={"IT_SECRET_TOKEN": secret})

    assert result.returncode == 0, result.stdout + result.stderr
    journal_text = (cli.dir / "j.jsonl").read_text()
    for where, text in (("journal", journal_text), ("stdout", result.stdout), ("stderr", result.stderr)):
        assert secret not in text, f"the secret leaked into {where}"
        assert secret[:10] not in text and secret[10:] not in text, f"part of the secret leaked into {where}"
    output = "".join(e["text"] for e in of_type(events(cli.dir / "j.jsonl"), "output", host="peer02"))
    assert sorted(output.splitlines()) == ["env=***", "inline=***", "split=***", "stderr=***"]
    for line in ("peer01 | env=***", "peer02 | split=***", "peer01 ! stderr=***"):
        assert line in result.stdout


HOSTILE = "x; touch pwned; $(touch pwned2) `touch pwned3` 'q' \"dq\" | touch pwned4 && touch pwned5"


def injection_runbook(cli: Cli, run: str) -> str:
    step = {"id": "greet", "title": "Greet {{ name }}", "on": "g", "cwd": "{{ workdir }}", "env": {"NAME": "{{ name }}"}, "run": run, "verify": "none"}
    path = cli.runbook(
        "injection", [{"id": "pre", "title": "Pre-checks", "kind": "precheck", "steps": [step]}],
        hosts=1, params={"name": {"type": "string"}, "workdir": {"type": "string"}},
    )  # fmt: skip
    return str(path)


def test_a_hostile_parameter_stays_one_literal_word_on_the_remote_host(cli: Cli) -> None:
    workdir = cli.dir / "work dir"  # a space, to show cwd is passed as one word too
    workdir.mkdir()
    path = injection_runbook(cli, 'echo {{ name }}; printf "[%s]\\n" "$NAME"; test {{ name }} = "$NAME" && echo same')

    result = cli.run("exec", path, "-p", f"name={HOSTILE}", "-p", f"workdir={workdir}", "--solo", "integration", "--journal", "j.jsonl")

    assert result.returncode == 0, result.stdout + result.stderr
    assert list(workdir.iterdir()) == [], "nothing was created where the command ran"
    output = "".join(e["text"] for e in of_type(events(cli.dir / "j.jsonl"), "output", step="greet"))
    assert output == f"{HOSTILE}\n[{HOSTILE}]\nsame\n"


def test_a_hostile_parameter_inside_double_quotes_stays_inert(cli: Cli) -> None:
    workdir = cli.dir / "work"
    workdir.mkdir()
    path = injection_runbook(cli, 'echo "name: {{ name }}"')

    cli.run("exec", path, "-p", f"name={HOSTILE}", "-p", f"workdir={workdir}", "--solo", "integration", "--journal", "j.jsonl")

    assert sorted(p.name for p in workdir.iterdir()) == []
