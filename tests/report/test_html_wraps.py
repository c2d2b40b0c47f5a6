"""The HTML plan and report keep a long word inside the page.

A 300-character title, step title or parameter value (no space to break at) widened the tables and headings past
the page: it scrolled sideways, and a printed copy lost the right of every row (`overflow-wrap: break-word` does not
narrow a table's column). Now a word longer than `LONG_WORD` characters gets a `<wbr>` after each stretch (a break
the browser may take, copied as nothing), except where the page shows it as text: the `<title>` and attributes. A
hash stays whole, so a search of the file finds it. The
report's commands broke inside any word at the line's end (`word-break: break-all`), also where a space was near.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

from runbook_tui.report.html import LONG_WORD

WORD = "W" * 300
ID = "step-" + "i" * 80
RUNBOOK = f"""\
runbook: 1
id: long-words
title: "Rotate {WORD} <b>bold</b> &amp;{"&" * 40}"
params:
  target: {{type: string, default: "{"x" * 300}"}}
sections:
  - id: main
    steps:
      - id: {ID}
        title: "Step {WORD}"
        run: echo {{{{ target }}}}
"""


def _cli(tmp_path: Path, *args: str) -> str:
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CONFIG_HOME": str(tmp_path / "config"), "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "runbook_tui", *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _assert_long_words_break(page: str) -> None:
    head, body = page.split("</head>", 1)
    title = re.search(r"<title>(.*)</title>", head)
    assert title and "<wbr>" not in title[1] and f"Rotate {WORD} &lt;b&gt;bold&lt;/b&gt;" in title[1], head
    assert "<b>bold" not in page and "&lt;b&gt;bold&lt;/b&gt;" in body  # escaped, as ever
    assert "&amp;am<wbr>" not in body and "&a<wbr>mp;" not in body  # a break never inside an entity
    words = html.unescape(re.sub(r"<[^>]*>", " ", body)).split()
    assert max(map(len, words)) <= LONG_WORD, max(words, key=len)
    shown = html.unescape(re.sub(r"<[^>]*>", "", body.replace("<wbr>", "")))
    assert f"Rotate {WORD} <b>bold</b> &amp;{'&' * 40}" in shown  # copied, the words are whole
    assert "break-all" not in head
    assert re.search(r"<code>(sha256:)?[0-9a-f]{64}</code>", body)  # a hash whole


def test_the_plan_and_the_report_break_a_word_wider_than_the_page(tmp_path: Path) -> None:
    (tmp_path / "long.yaml").write_text(RUNBOOK, encoding="utf-8")
    _assert_long_words_break(_cli(tmp_path, "plan", "long.yaml", "--format", "html"))
    _cli(tmp_path, "exec", "long.yaml", "--solo", "test")
    journal = next((tmp_path / "state").rglob("*.jsonl"))
    report = _cli(tmp_path, "report", str(journal), "--format", "html")
    _assert_long_words_break(report)
    assert f'href="#step-{ID}"' in report and f'id="step-{ID}"' in report  # the step's link still leads to it
    assert "x" * 300 in html.unescape(re.sub(r"<[^>]*>", "", report.replace("<wbr>", "")))  # the command and its output
