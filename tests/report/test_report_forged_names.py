"""A person's name is read in the report's Participants, Verifier and Assignee rows beside the report's own words
(`bob (2 steps)`, `joined: bob, carol`, `bob (verifier) 10:00–10:05`): a name holding those words' marks could forge
them. Before, a key whose comment was `bob (verifier) 01:00–02:00, eve` was let in as the verifier `bob (verifier)
01:00–02:00, eve`, and the Participants row read as if eve had been there too. Now the one place names are checked
(`person_name_problem`: the key's comment, a participants file's entry, RUNBOOK_TUI_USER) refuses them, saying which
marks; ordinary names (spaces, dots, dashes, apostrophes, accents) still pass. A key whose comment has an accent
(`ssh-keygen -C "José Núñez"`) was refused as `expected an SSH public key ...: Invalid encoding for key`; it is let in."""

from __future__ import annotations

from pathlib import Path

import asyncssh
import pytest

from runbook_tui.app.session import operator_name
from runbook_tui.engine.errors import StartRefused
from runbook_tui.share.participants import ParticipantsError, from_participants_file, gather

FORGED = "bob (verifier) 01:00-02:00, eve"  # the report writes 01:00–02:00; a key file's comment is ASCII


def _pub(tmp_path: Path, comment: str, file: str) -> tuple[str, str]:
    key = asyncssh.generate_private_key("ssh-ed25519", comment=comment)
    line = key.export_public_key().decode().strip()
    (tmp_path / file).write_text(line + "\n")
    return line, str(tmp_path / file)


@pytest.mark.parametrize("name", [FORGED, "bob, carol", "bob; then solo", "bob: 3 steps", "bob | eve", "bob [verifier]"])
def test_a_name_that_reads_as_the_records_words_is_refused_everywhere_names_come_in(tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    line, pub = _pub(tmp_path, name, "bob.pub")
    with pytest.raises(ParticipantsError, match=r"bob\.pub:1:1: the key's comment \(or the file's name\) names this person: .* expected a name without"):
        gather([pub], [], None)
    people = tmp_path / "people.yaml"
    people.write_text(f"- {{name: {name!r}, role: verifier, key: '{line}'}}\n".replace("'", '"'))
    with pytest.raises(ParticipantsError, match=r"entry 1: name: .* expected a name without"):
        from_participants_file(str(people), [])
    monkeypatch.setenv("RUNBOOK_TUI_USER", name)
    with pytest.raises(StartRefused, match="expected a name without"):
        operator_name()


@pytest.mark.parametrize("name", ["Bob Smith", "bob.smith", "o'brien", "José Núñez", "ops-bot_2"])
def test_ordinary_names_still_pass(tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _line, pub = _pub(tmp_path, name, "key.pub")  # `José Núñez`: ssh-keygen -C writes it as UTF-8
    assert [p.name for p in gather([pub], [], None)] == [name]
    monkeypatch.setenv("RUNBOOK_TUI_USER", name)
    assert operator_name() == name
