"""Secret values replaced by `***` wherever they would be written or shown."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

MASK = "***"


class Redactor:
    """Masks every known secret value in text and in nested JSON-like values.

    Longest values first, so a secret that contains another is masked whole.
    """

    def __init__(self, values: Iterable[str] = ()) -> None:
        secrets = sorted({v for v in values if v}, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(v) for v in secrets)) if secrets else None

    def __bool__(self) -> bool:
        return self._pattern is not None

    def text(self, text: str) -> str:
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(MASK, text)

    def value(self, value: Any) -> Any:
        """The same structure with every string masked (dict keys included)."""
        if self._pattern is None:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(k) if isinstance(k, str) else k: self.value(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.value(v) for v in value]
        return value
