"""Theme files: YAML in `themes/` (shipped) and in the user's themes folder, turned into Textual themes.

A theme file is a small mapping; every key but `primary` is optional:

```yaml
name: night            # defaults to the file name without .yaml
dark: true
primary: "#5f87a8"     # quote colours: an unquoted # starts a YAML comment
secondary: ...         # also accent, warning, error, success,
                       # foreground, background, surface, panel, boost
variables:             # optional overrides of Textual's derived variables
  text: "#b4bcc4"
```

Colours are anything `textual.color.Color.parse` reads. A file that is not
valid is reported ("FILE:LINE:COL: what is wrong, expected ...", as settings
are) and skipped; it never stops the program. A theme in a later folder replaces one of the same name
from an earlier folder, so the user's folder overrides the shipped themes.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from textual.color import Color, ColorParseError
from textual.css.constants import VALID_STYLE_FLAGS
from textual.theme import Theme

from runbook_tui.app.settings import config_dir
from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.diagnostics import RunbookInvalid
from runbook_tui.runbook.document import load_values
from runbook_tui.runbook.model import Mark
from runbook_tui.runbook.yaml_values import YMap

DEFAULT_THEME = "night"

COLOUR_KEYS = ("primary", "secondary", "accent", "warning", "error", "success", "foreground", "background", "surface", "panel", "boost")
KNOWN_KEYS = ("name", "dark", *COLOUR_KEYS, "variables")
SUFFIXES = (".yaml", ".yml")

#: A name usable with `--theme NAME` and in the command palette (Textual splits names on commas).
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_VARIABLE = re.compile(r"^[a-z][a-z0-9-]*$")
#: Colour variables may also be these words, or a colour followed by an alpha ("#81a1c1 35%").
_COLOUR_WORDS = frozenset({"auto", "transparent", "initial"})
_ALPHA = lazy_re.compile(r"^\d{1,3}(\.\d+)?%$")
_EXPECTED_COLOUR = 'expected a quoted colour such as "#5f87a8", "rgb(95, 135, 168)" or "steelblue"'


def theme_folders() -> list[Path]:
    """Where themes come from, in order: the shipped themes, then the user's (which win)."""
    packaged = Path(__file__).resolve().parents[1] / "themes"  # runbook_tui/themes, in the wheel
    if not packaged.is_dir():
        packaged = Path(__file__).resolve().parents[2] / "themes"  # the repository's themes/, in an editable install
    return [packaged, config_dir() / "themes"]


def load_themes(folders: Sequence[Path], *, shipped: Path | None = None) -> tuple[list[Theme], list[str]]:
    """Every valid theme file in `folders`, and one line per problem in the files that are not.

    Missing folders are fine (the user folder usually does not exist). Files in `shipped` (the package's own themes,
    which tests/ui/test_themes.py builds) skip the last check, Textual deriving every colour of the theme: the app
    derives the chosen one anyway, and every start paid for all of them.
    """
    themes: dict[str, Theme] = {}
    failures: list[str] = []
    for folder in folders:
        seen: dict[str, Path] = {}
        for path in _theme_files(folder):
            theme, problems = load_theme_file(path, build=folder != shipped)
            if theme is not None and theme.name in seen:
                problems = [f"theme {theme.name!r} is also defined in {seen[theme.name].name}, expected one file per theme name (this one is ignored)"]
            if problems:
                failures += [problem if problem.startswith(f"{path}:") else f"{path}: {problem}" for problem in problems]
                continue
            assert theme is not None
            seen[theme.name] = path
            themes[theme.name] = theme
    return list(themes.values()), failures


def _theme_files(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES and p.is_file())
    except OSError:  # missing or unreadable folder: nothing to load from it
        return []


def load_theme_file(path: Path, *, build: bool = True) -> tuple[Theme | None, list[str]]:
    """One file: the theme, or None and what is wrong with it, each `FILE:LINE:COL: message` as settings say it (a
    value's problem at the value, a key's at the key: before, only YAML's own errors had a place; a wrong colour said
    `FILE: primary: ...`, on no line); `build`: check that Textual can derive the theme's colours."""
    top = Mark(str(path), 1, 1)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [f"{top}: cannot read the file ({exc}), expected a readable UTF-8 YAML file"]
    try:  # as settings are read (libyaml, as fast): a syntax error, a tab, a key given twice at FILE:LINE:COL
        data: Any = load_values(text, str(path))
    except RunbookInvalid as invalid:
        return None, [str(problem) for problem in invalid.errors]
    if not isinstance(data, YMap):
        return None, [f"{top}: expected a mapping of theme keys ({', '.join(KNOWN_KEYS)}), got {_kind(data)}"]

    problems = [f"{data.key_mark(key)}: {_unknown_key(key)}" for key in data if key not in KNOWN_KEYS]
    name = data.get("name", path.stem)
    if not isinstance(name, str) or not _NAME.match(name):
        problems.append(f"{data.value_mark('name')}: name: {name!r} is not a usable theme name, expected letters, digits, '-', '_' or '.'")
    dark = data.get("dark", True)
    if not isinstance(dark, bool):
        problems.append(f"{data.value_mark('dark')}: dark: {dark!r}, expected true or false")
    colours: dict[str, Any] = {}  # Theme's colour arguments, by name
    for key in COLOUR_KEYS:
        if key not in data:
            if key == "primary":
                problems.append(f"{data.mark}: primary is missing, {_EXPECTED_COLOUR}")
            continue
        problem = _colour_problem(data[key])
        if problem:
            problems.append(f"{data.value_mark(key)}: {key}: {problem}")
        else:
            colours[key] = data[key].strip()
    variables, variable_problems = _variables(data)
    problems += variable_problems
    if problems:  # in the file's order, as settings list theirs
        return None, sorted(problems, key=lambda problem: _place(problem, str(path)))
    theme = Theme(name=name, dark=dark, variables=variables, **colours)
    if not build:
        return theme, []
    try:
        theme.to_color_system().generate()  # the colours Textual derives: a last check before the app uses it
    except (ColorParseError, ValueError) as exc:
        return None, [f"{data.mark}: Textual cannot build the theme ({exc}), expected colours it can parse"]
    return theme, []


def _place(problem: str, file: str) -> tuple[int, int]:
    """The LINE and COL of a `FILE:LINE:COL: message`."""
    line, col, _ = problem[len(file) + 1 :].split(":", 2)
    return int(line), int(col)


def _kind(value: Any) -> str:
    if value is None:
        return "an empty file"
    if isinstance(value, list):  # (a YList, as YAML read it: said `YList`)
        return "a list"
    return "a single string" if isinstance(value, str) else type(value).__name__


def _unknown_key(key: Any) -> str:
    close = difflib.get_close_matches(str(key), KNOWN_KEYS, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown key {key!r}{hint}, expected one of: {', '.join(KNOWN_KEYS)}"


def _colour_problem(value: Any) -> str | None:
    if value is None:
        return f"no value (an unquoted # starts a YAML comment), {_EXPECTED_COLOUR}"
    if not isinstance(value, str):
        return f"{value!r} is not text, {_EXPECTED_COLOUR}"
    try:
        Color.parse(value.strip())
    except ColorParseError:
        return f"cannot read {value!r} as a colour, {_EXPECTED_COLOUR}"
    return None


def _variables(data: YMap) -> tuple[dict[str, str], list[str]]:
    """Overrides of Textual's variables (`data`'s `variables:`): colours (with an optional alpha), or text styles for
    `*-style` names."""
    value = data.get("variables")
    if value is None:
        return {}, []
    if not isinstance(value, YMap):
        return {}, [f"{data.value_mark('variables')}: variables: expected a mapping of variable names to values, got {_kind(value)}"]
    variables: dict[str, str] = {}
    problems: list[str] = []
    for key, raw in value.items():
        if not isinstance(key, str) or not _VARIABLE.match(key):
            said = f"variables: {key!r} is not a variable name, expected lower-case words joined by '-' (e.g. footer-key-foreground)"
            problems.append(f"{value.key_mark(key)}: {said}")
            continue
        problem = _style_problem(raw) if key.endswith("style") else _variable_colour_problem(raw)
        if problem:
            problems.append(f"{value.value_mark(key)}: variables: {key}: {problem}")
        else:
            variables[key] = str(raw).strip()
    return variables, problems


def _style_problem(value: Any) -> str | None:
    words = str(value).split() if isinstance(value, str) else []
    if not words or any(word not in VALID_STYLE_FLAGS for word in words):
        return f"{value!r} is not a text style, expected words from: {', '.join(sorted(VALID_STYLE_FLAGS))}"
    return None


def _variable_colour_problem(value: Any) -> str | None:
    words = value.split() if isinstance(value, str) else []
    if 1 <= len(words) <= 2 and (len(words) == 1 or _ALPHA.match(words[1])):
        if words[0] in _COLOUR_WORDS or _colour_problem(words[0]) is None:
            return None
    return f"cannot read {value!r} as a colour, {_EXPECTED_COLOUR}, optionally followed by an alpha like 35%"
