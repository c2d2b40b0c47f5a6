"""Fixtures for the runbook model tests; the helper functions live in helpers_runbook.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers_runbook import dedent


@pytest.fixture
def write_runbook(tmp_path: Path) -> Callable[..., Path]:
    """`write_runbook(yaml_text, name="runbook.yaml") -> Path`: the text dedented and written under tmp_path."""

    def write(text: str, name: str = "runbook.yaml") -> Path:
        path = tmp_path / name
        path.write_text(dedent(text), encoding="utf-8")
        return path

    return write
