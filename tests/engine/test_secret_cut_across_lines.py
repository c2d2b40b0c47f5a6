"""A secret a command prints cut across lines, wrapped, coloured or reversed is masked in the journal and on stdout.

The mask matched a secret's text (and its encodings) only as one unbroken run of characters: `printf '%s\\n'` of its
two halves, `fold`, `base64` wrapping a long token at 76 letters, `grep --color` painting part of it, `rev`, all
printed the value whole, only with a line break or an escape inside.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from runbook_tui import cli
from runbook_tui.engine.redact import Redactor

RUNBOOK = """\
    runbook: 1
    id: cut-secret
    title: Output that cuts a secret
    secrets:
      token: {env: CUT_TOKEN}
    sections:
      - id: pre
        title: Pre-checks
        kind: precheck
        steps:
          - id: dump
            title: Print the secret cut
            run: |
              COMMAND
"""

#: How real commands print a value cut: each is run by `sh` (dash) with the token in $CUT_TOKEN.
CUTS = {
    "two lines at once": """printf '%s\\n' "$CUT_TOKEN" | cut -c1-9; printf '%s\\n' "$CUT_TOKEN" | cut -c10-""",
    "two lines a moment apart": """printf '%s\\n' "$CUT_TOKEN" | cut -c1-9; sleep 0.3; printf '%s\\n' "$CUT_TOKEN" | cut -c10-""",
    "two lines apart, cut after 2 letters": """printf '%s\\n' "$CUT_TOKEN" | cut -c1-2; sleep 0.3; printf '%s\\n' "$CUT_TOKEN" | cut -c3-""",
    "CRLF line ends": """printf '%s\\r\\n' "$CUT_TOKEN" | cut -c1-9; printf '%s\\r\\n' "$CUT_TOKEN" | cut -c10-""",
    "fold": """printf '%s' "$CUT_TOKEN" | fold -w 7; echo""",
    "base64 wrapped at 76": """printf 'x%s%s' "$CUT_TOKEN" "$CUT_TOKEN" | base64""",
    "hex wrapped at 60": """printf '%s' "$CUT_TOKEN" | od -An -tx1 -v | tr -d ' \\n' | fold -w 60; echo""",
    "grep --color": """printf 'key=\\033[01;31m\\033[K%s\\033[m\\033[K%s\\n' "$(echo "$CUT_TOKEN" | cut -c1-6)" "$(echo "$CUT_TOKEN" | cut -c7-)" """,
    "rev": """printf '%s\\n' "$CUT_TOKEN" | rev""",
}


def _forms(secret: str) -> list[str]:
    """The secret and the encoded texts a reader could rebuild it from, line breaks and escapes left out."""
    wrapped = base64.b64encode(f"x{secret}{secret}".encode()).decode()  # the second copy is cut at letter 76
    return [secret, secret[::-1], secret.encode().hex(), wrapped[52:92]]


def _rebuilt(text: str) -> str:
    """What a reader sees once line breaks and colour escapes are taken out."""
    return re.sub(r"\r|\n|\x1b\[[0-9;]*[mK]", "", text)


@pytest.mark.parametrize("cut", sorted(CUTS))
def test_a_secret_printed_cut_is_masked_in_the_journal_and_on_stdout(
    tmp_path: Path, write_runbook: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], cut: str
) -> None:
    secret = f"tok-{uuid.uuid4().hex}"
    monkeypatch.setenv("CUT_TOKEN", secret)
    monkeypatch.chdir(tmp_path)
    path = write_runbook(RUNBOOK.replace("COMMAND", CUTS[cut]))
    code = cli.main(["exec", str(path), "--solo", "e2e test", "--journal", "run.jsonl"])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    events = [json.loads(line) for line in (tmp_path / "run.jsonl").read_text(encoding="utf-8").splitlines()]
    stream = "".join(e["text"] for e in events if e["type"] == "output" and e["step"] == "dump")
    assert "***" in stream, f"nothing masked in {stream!r}"
    for form in _forms(secret):
        assert form not in _rebuilt(stream), f"the journaled output rebuilds the secret: {stream!r}"
        assert form not in _rebuilt(out.replace("  local | ", "")), f"exec's stdout rebuilds the secret: {out!r}"


def test_lines_keep_their_breaks_and_a_line_ending_in_a_common_letter_is_not_held() -> None:
    """Masking a secret cut across lines keeps the line count; a line that merely ends with the secret's first
    letters is handed on at once (held, it would show only with the command's next output, maybe minutes later)."""
    redactor = Redactor(["hunter2-long-token"])
    assert redactor.text("a hunter2-\r\nlong-token b\n") == "a ***\r\n*** b\n"
    assert redactor.text("hunter2-long-token\n") == "***\n"
    assert redactor.holdback("restarting: hu\n") == 0, "two letters of a secret at a line's end are ordinary text"
    assert redactor.holdback("key: hunter2-\n") == len("hunter2-\n"), "the secret's start waits for its end"
    assert redactor.holdback("done\n") == 0


def test_a_key_file_as_a_secret_is_masked_whole_and_its_mask_is_made_at_once() -> None:
    """A 3 KB private key read from the keyring: a gap allowed between every two of its letters (and of each encoded
    form's) made a pattern that took 10 s to compile, at every run start; it is masked as it is printed instead."""
    import base64 as b64
    import os
    import time

    key = "-----BEGIN OPENSSH PRIVATE KEY-----\n" + "\n".join(b64.b64encode(os.urandom(54)).decode() for _ in range(45)) + "\n-----END OPENSSH PRIVATE KEY-----"
    started = time.monotonic()
    redactor = Redactor([key, "hunter2-long-token"])
    assert time.monotonic() - started < 3, "the mask of a key file took seconds to make"
    assert redactor.text(f"cat id:\n{key}\nhunter2-\nlong-token\n") == "cat id:\n***\n***\n***\n"


def test_a_whole_secret_at_a_line_s_end_is_handed_on_with_its_line_end() -> None:
    """A secret ending like one of its forms starts (here its reversed form: `…xyzzyx` / `xyzzyx…`) read as a form's
    first letters: the line was cut before its newline, and another stream's line was shown in between
    (`token=***env=***`)."""
    redactor = Redactor(["abc-token-xyzzyx"])
    assert redactor.holdback("token=abc-token-xyzzyx\n") == 0
    assert redactor.holdback("token=abc-token-xyzzyx\nxyzz") == len("xyzz"), "a next line's start of a form still waits"
