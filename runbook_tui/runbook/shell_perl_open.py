"""Perl's operands it opens with its two-argument ("magic") open, where the text picks the mode: `cmd|` runs cmd
through a shell, `|cmd` too, `>file` truncates file (session 37).

Perl opens each file of `@ARGV` that way when it reads them as its input: `-n`, `-p` (and `-a`, `-F`, which imply
`-n`), or `<>`, `<ARGV>`, `readline(ARGV)`, `eof()` in its code; and `open(F, $ARGV[0])`, any `open` given two
arguments, opens whatever it is given so. So `perl -ne 'print if /ERROR/' "{{ log }}"` with log = `touch F|` ran
touch, and `/var/log/{{ x }}` with x = `a;touch F|` too. `-i` opens them raw (a file named so is read as a file), and
so does `<<>>`. What `xargs` appends to such a command is an operand too (`echo "{{ x }}" | xargs perl -ne CODE`). A value in such an operand (or in a variable expanded there) is refused at run time when it holds `|`
or `>`: no file name a runbook reads holds either (`shell_values.command_from`).
"""

from __future__ import annotations

from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.shell_code import canonical, interpreter_code, options_end

#: Perl code reading `@ARGV`'s files by the magic open: `<>` (not `<<>>`), `<ARGV>`, `readline(ARGV)`, `eof()`.
_READS_ARGV = lazy_re.compile(r"(?<!<)<>(?!>)|<\s*\$?ARGV\s*>|\breadline\s*\(?\s*\*?ARGV\b|\beof\s*\(\s*\)")
#: Where an `open` call starts (not `opendir`, `sysopen`, `$fh->open`).
_OPEN = lazy_re.compile(r"(?<![\w$>:])open\b\s*(\()?")
#: What ends an `open` written without parentheses: `open F, $f or die ...`.
_LOW_PRECEDENCE = lazy_re.compile(r"\s(?:or|and)\b|\|\||&&")
#: Switch letters after which the rest of a bundled switch word is their argument (`-i.bak`, `-F:`, `-Mstrict`).
_ARGUMENT_LETTERS = "CDdFIiMmxeE"
#: What makes the magic open read a name as a command or write to a file.
MODE_CHARACTERS = frozenset("|>")


def magic_opened(words: list[str], start: int) -> list[int] | None:
    """The words of the perl command at `start` that perl may open with its two-argument open: every operand after its
    code or script (none: what `xargs` appends), when it reads them as input (`-n`, `-p`, `<>`) or calls a
    two-argument `open`; None when it opens none so."""
    if start >= len(words) or canonical(words[start]) != "perl":
        return None
    code_at = {k for k, _ in interpreter_code(words, start)}
    first = options_end(words, start)
    if first is None:
        return None
    code = [words[k] for k in sorted(code_at)]
    switches = [word for k, word in enumerate(words[start + 1 : first], start=start + 1) if k not in code_at]
    if not any(k >= start + 1 and k < first for k in code_at):
        first += 1  # no -e: the first operand is the script, the rest its @ARGV
    letters = "".join(_letters(word) for word in switches)
    loops = bool(set(letters) & set("npaF")) and "i" not in letters
    opens = any(_READS_ARGV.search(text) for text in code) and "i" not in letters
    if not (loops or opens or any(_two_argument_open(text) for text in code)):
        return None
    return [k for k in range(first, len(words)) if words[k] != "--" or k != first]


def _letters(word: str) -> str:
    """The switch letters of one perl switch word (`-lane` -> `lane`, `-F:` -> `F`, `-i.bak` -> `i`); "" for others."""
    if not word.startswith("-") or word.startswith("--") or word == "-":
        return ""
    out = ""
    for letter in word[1:]:
        if letter.isdigit():
            continue  # `-0777`, `-l0`
        out += letter
        if letter in _ARGUMENT_LETTERS:
            break
    return out


def _two_argument_open(code: str) -> bool:
    """Whether perl code calls `open` with exactly two arguments (`open(F, $ARGV[0])`, `open F, "$f"`)."""
    for found in _OPEN.finditer(code):
        if _arguments(code, found.end(), parenthesized=found.group(1) is not None) == 2:
            return True
    return False


def _arguments(code: str, at: int, *, parenthesized: bool) -> int:
    """How many arguments the call whose list starts at `at` has: its commas outside quotes and brackets, plus one."""
    depth, commas, quote, k = 0, 0, "", at
    while k < len(code):
        char = code[k]
        if quote:
            k += 2 if char == "\\" else 1
            quote = "" if char == quote else quote
            continue
        if char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif (char in ")]}" and depth == 0) or (char == ";" and depth == 0):
            break
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            commas += 1
        elif depth == 0 and not parenthesized and _LOW_PRECEDENCE.match(code, k):
            break
        k += 1
    return commas + 1


def refusal(clipped: str, by: str) -> str:
    """Why a value (`clipped`, as a refusal quotes it) cannot stand in an operand `by` opens with its two-argument open."""
    return (
        f"{by} opens this operand with its two-argument open, where a | makes the text a command a shell runs"
        f" (touch F|) and a > truncates a file, so this value ({clipped}) could run code; expected a value without"
        f' | or >, or read the file another way: {by} ... < "{{{{ x }}}}" (the shell opens it), or <<>> instead of <>'
    )
