"""Module patterns compiled at their first use (`runbook.lazy_re`): the same answers as `re`'s, and every one valid.

A pattern that no longer compiles would otherwise fail only when a run first needs it: each one in the
package is compiled here, in a fresh interpreter (this process may hold the modules already).
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from runbook_tui.runbook import lazy_re

EVERY_MODULE_COMPILED = """
import importlib, pkgutil, re, sys
import runbook_tui
from runbook_tui.runbook.lazy_re import LazyPattern
found = 0
for info in pkgutil.walk_packages(runbook_tui.__path__, "runbook_tui."):
    if info.name.endswith("__main__"):  # runs the command
        continue
    module = importlib.import_module(info.name)
    for name, value in vars(module).items():
        if isinstance(value, LazyPattern):
            try:
                value.groups  # compiles it
            except re.error as error:
                sys.exit(f"{info.name}.{name}: {error}")
            found += 1
print(found)
"""


def test_every_lazy_pattern_in_the_package_compiles() -> None:
    proc = subprocess.run([sys.executable, "-c", EVERY_MODULE_COMPILED], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"a module pattern does not compile:\n{proc.stdout}{proc.stderr}"
    assert int(proc.stdout.split()[-1]) >= 100, "the package's module patterns were not found as lazy ones"


def _span(found: re.Match[str] | None) -> tuple[int, int] | None:
    return None if found is None else found.span()


@pytest.mark.parametrize(
    ("source", "flags", "texts"),
    [
        (r"(?P<word>\w+)=(\d+)", 0, ["a=1 b=22", "", "x=", "=3 é=4"]),
        (r"^step-\d+$", re.MULTILINE | re.IGNORECASE, ["STEP-1\nstep-2\nstep-x", "nope"]),
    ],
)
def test_a_lazy_pattern_answers_as_the_compiled_one(source: str, flags: int, texts: list[str]) -> None:
    lazy, compiled = lazy_re.compile(source, flags), re.compile(source, flags)
    assert lazy.pattern == compiled.pattern
    for text in texts:
        assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in compiled.finditer(text)]
        for method in ("match", "search", "fullmatch"):
            assert _span(getattr(lazy, method)(text)) == _span(getattr(compiled, method)(text)), (method, text)
        assert lazy.findall(text) == compiled.findall(text)
        assert lazy.split(text) == compiled.split(text)
        assert lazy.sub("<\\g<0>>", text) == compiled.sub("<\\g<0>>", text)
        assert lazy.subn("-", text) == compiled.subn("-", text)
    assert (lazy.flags, lazy.groups, dict(lazy.groupindex)) == (compiled.flags, compiled.groups, dict(compiled.groupindex))


def test_a_lazy_pattern_is_compiled_at_its_first_use_not_before() -> None:
    broken = lazy_re.compile(r"(unclosed")  # nothing compiled yet: no error while a module is imported
    assert broken.pattern == "(unclosed"
    with pytest.raises(re.error):
        broken.search("unclosed")
    bytes_pattern = lazy_re.compile(rb"\x00+")
    assert bytes_pattern.search(b"a\x00\x00b") is not None and bytes_pattern.search(b"ab") is None
