"""A secret printed in base64 is masked whole: its last letter and padding too, at each of its three alignments.

The mask covered only the letters made of the secret's bits alone: `printf '%s' "$S" | base64` printed `***g==`, the
last letter (the secret's last bits) and the padding (its length modulo 3) left in sight; inside a longer text the
letter at each end that shares bits with a neighbour byte showed too.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from runbook_tui import cli
from runbook_tui.engine.redact import Redactor

RUNBOOK = """\
    runbook: 1
    id: b64-secret
    title: Output holding a secret in base64
    secrets:
      token: {env: B64_TOKEN}
    sections:
      - id: pre
        title: Pre-checks
        kind: precheck
        steps:
          - id: dump
            title: Print the secret in base64
            run: |
              COMMANDS
"""

#: The bytes around the secret (before, after), each line printed by `base64` of before + secret + after.
AROUND = [("", ""), ("x", ""), ("xy", ""), ("", "!"), ("x", "!?"), ("xy", "!"), ("abc", "defghi")]
#: An ordinary line that must stay as it is: padding and short base64-looking words are no secret.
ORDINARY = "ok == done; Zg== QUJD"


def _shown(before: str, secret: str, after: str) -> str:
    """The line as it may be shown: every letter carrying any of the secret's bits (and the padding) masked, the letters
    made of the neighbours' bits alone left as they are."""
    letters = base64.b64encode(f"{before}{secret}{after}".encode()).decode()
    start = 8 * len(before) // 6
    end = -(-8 * (len(before) + len(secret)) // 6)
    tail = letters[end:] if after else ""  # the padding at the secret's end is masked with it
    return letters[:start] + "***" + tail


@pytest.mark.parametrize("secret", ["tok-5e3a9c1f", "tok-5e3a9c1f7", "tok-5e3a9c1f7b"])  # length 0, 1 and 2 modulo 3
def test_a_secret_printed_in_base64_shows_none_of_its_letters_nor_its_padding(
    tmp_path: Path, write_runbook: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], secret: str
) -> None:
    monkeypatch.setenv("B64_TOKEN", secret)
    monkeypatch.chdir(tmp_path)
    commands = [f"""printf '{before}%s{after}' "$B64_TOKEN" | base64""" for before, after in AROUND] + [f"echo '{ORDINARY}'"]
    path = write_runbook(RUNBOOK.replace("COMMANDS", ("\n" + " " * 14).join(commands)))
    code = cli.main(["exec", str(path), "--solo", "e2e test", "--journal", "run.jsonl"])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    events = [json.loads(line) for line in (tmp_path / "run.jsonl").read_text(encoding="utf-8").splitlines()]
    journaled = "".join(e["text"] for e in events if e["type"] == "output" and e["step"] == "dump").splitlines()
    printed = [line.removeprefix("  local | ") for line in out.splitlines() if line.startswith("  local | ")]
    expected = [_shown(before, secret, after) for before, after in AROUND] + [ORDINARY]
    assert journaled == expected, f"the journal shows more of the secret's base64 than its neighbours' letters: {journaled}"
    assert printed == expected, f"exec's printout shows more of the secret's base64 than its neighbours' letters: {printed}"


@pytest.mark.parametrize("secret", ["p>?~p>?~x", "56oz3w7w0r+69ay3"])  # end letters `+` and `/` (`-` and `_` URL-safe)
def test_base64_of_either_alphabet_with_or_without_padding_is_masked_whole(secret: str) -> None:
    """A form spelled alike in both alphabets (no `+` or `/` inside) took only the URL-safe alphabet's end letters:
    a standard text whose last letter was `+` or `/` showed it."""
    redactor = Redactor([secret])
    for offset in range(3):
        start, end = 8 * offset // 6, -(-8 * (offset + len(secret)) // 6)
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            followed = encode(bytes(offset) + secret.encode() + b"\xff\xfe\xfd").decode()
            assert redactor.text(followed) == followed[:start] + "***" + followed[end:], (offset, followed)
            ending = encode(bytes(offset) + secret.encode()).decode()
            for letters in (ending, ending.rstrip("=")):
                assert redactor.text(letters) == letters[:start] + "***", (offset, letters)
