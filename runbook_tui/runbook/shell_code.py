"""What an interpreter runs as its own code among its words: `python3 -c CODE`, `perl -lne CODE`, `awk 'PROG'`,
`sed 's/a/b/'`, `gdb -ex CMD`, `pwsh -Command ...`, `redis-cli EVAL SCRIPT`.

Used by `shell_commands.program_code` once the command word is found (behind wrappers); the names here count among
the command names `shell_commands` knows.
"""

from __future__ import annotations

import re

from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.shell_make import make_assignments

#: Interpreters whose code comes in an option's argument (`python3 -c CODE`, `perl -e CODE`): option -> takes the code.
_CODE_OPTIONS: dict[str, frozenset[str]] = {
    "python": frozenset({"-c"}), "python3": frozenset({"-c"}), "perl": frozenset({"-e", "-E"}), "ruby": frozenset({"-e"}),
    "node": frozenset({"-e", "-p", "--eval", "--print", "-r", "--require", "--import", "--loader", "--experimental-loader"}), "php": frozenset({"-r"}), "lua": frozenset({"-e"}),
    "sed": frozenset({"-e", "--expression"}),
    # shells whose quoting is not sh's (fish reads `\\'` inside '...'): only a plain word, `| shq` is no fix there
    "fish": frozenset({"-c", "--command", "-C", "--init-command"}), "csh": frozenset({"-c"}), "tcsh": frozenset({"-c"}),
    "bun": frozenset({"-e", "--eval", "-p", "--print"}),
    "elixir": frozenset({"-e", "--eval"}), "raku": frozenset({"-e"}), "guile": frozenset({"-c"}), "racket": frozenset({"-e", "--eval"}),
    "groovy": frozenset({"-e"}),
    # gawk's program text in `-e PROG` / `--source=PROG` (any number, joined); `awk` is often gawk
    **dict.fromkeys(("awk", "gawk", "mawk", "nawk"), frozenset({"-e", "--source"})),
}  # fmt: skip
#: Interpreters whose code option may come after their operands (`gdb -p PID -ex CMD`, `mongosh URI --eval JS`): every
#: word is looked at, up to `--` (gdb's `--args`: the rest is the debugged program's).
_CODE_ANYWHERE: dict[str, frozenset[str]] = {
    "gdb": frozenset(f"{dash}{o}" for dash in ("-", "--") for o in ("ex", "eval-command", "iex", "init-eval-command")),
    "mongosh": frozenset({"--eval"}), "mongo": frozenset({"--eval"}), "Rscript": frozenset({"-e"}), "R": frozenset({"-e"}),
    "osascript": frozenset({"-e"}), "expect": frozenset({"-c"}), "julia": frozenset({"-e", "-E", "--eval", "--print"}),
    "dc": frozenset({"-e", "--expression"}), "make": frozenset({"--eval"}), "sqlite3": frozenset({"-cmd", "--cmd"}),
    "erl": frozenset({"-eval"}),  # Erlang: `os:cmd(...)` runs a shell command
    "deno": frozenset({"--eval"}),  # `deno repl --eval CODE`; `deno eval CODE`: see `_code_anywhere`
    # vim's commands (`-c CMD`, `--cmd CMD`, and `+CMD`: see `PLUS_COMMANDS`): `|` chains another, `:!` runs a shell
    **dict.fromkeys(("vim", "vi", "nvim", "ex", "view", "vimdiff", "rvim", "gvim", "evim"), frozenset({"-c", "--cmd"})),
}  # fmt: skip
#: `deno eval`'s options taking the next word (so it is not the code).
_DENO_NEXT = frozenset({"--ext", "--location", "--seed", "-c", "--config", "--cert", "--import-map", "--lock", "--v8-flags"})
#: Programs running a word starting with `+` as a command of theirs (`vim +CMD`, `less +CMD`: less's `!` runs a shell).
PLUS_COMMANDS = frozenset({"vim", "vi", "nvim", "ex", "view", "vimdiff", "rvim", "gvim", "evim", "less"})
#: jq-like programs: their first operand is their filter, a program that reads the environment (`env.SECRET`, `$ENV`,
#: the values passed out of band included) and, for yq, files (`load("/etc/shadow")`); value: options taking one word,
#: options taking two (`--arg NAME VALUE`), options naming the filter's file, and those after which operands are data.
_JQ_OPTIONS = (
    frozenset({"--indent", "-L", "--seq-separator"}),
    frozenset({"--arg", "--argjson", "--slurpfile", "--rawfile", "--argfile"}),
    frozenset({"-f", "--from-file"}),
)
_JQS = frozenset({"jq", "gojq", "jaq", "yq"})
#: PowerShell: `-Command` (any case, any prefix: `-c`, `-Com`) makes every word after it the code, unless it is `-`.
_PWSH = frozenset({"pwsh", "powershell", "pwsh.exe", "powershell.exe", "pwsh-preview"})
#: redis-cli commands whose next word (`EVAL SCRIPT`) or next but one (`FUNCTION LOAD CODE`) is Lua the server runs.
_REDIS_CODE = {"EVAL": 1, "EVAL_RO": 1, "SCRIPT": 2, "FUNCTION": 2}
#: Short options of those interpreters that take an argument (`-Mstrict`, `-Wignore`, `-i.bak`), the ones of them
#: that take the next word when nothing is attached (`-W ignore`, `-I dir`), and those whose argument is only digits
#: (`perl -l0`, `-0777`): in a bundle of letters (`perl -lane`, `python3 -uc`) the rest of the word after one of the
#: first kind is its argument, not more options.
_ARGUMENT_LETTERS: dict[str, tuple[str, str, str]] = {
    "python": ("WXm", "WX", ""), "python3": ("WXm", "WX", ""), "perl": ("CDdFIiMmx", "I", "0l"),
    "ruby": ("CEFIiKrTx", "CEIr", "0W"), "node": ("r", "r", ""), "php": ("cdfz", "cdfz", ""), "lua": ("l", "l", ""),
    **dict.fromkeys(("awk", "gawk", "mawk", "nawk"), ("FvfEilW", "FvfEilW", "")),
    "fish": ("dop", "dop", ""), "csh": ("", "", ""), "tcsh": ("", "", ""),
}  # fmt: skip
#: Short options whose attached argument is code, by interpreter: perl's `-MMOD` and `-mMOD` become `use MOD;` (so
#: `-M'strict;system(...)'` runs system), `-d:MOD` / `-dt:MOD` become `use Devel::MOD`; value: what the argument starts with.
_CODE_ATTACHED: dict[str, dict[str, tuple[str, ...]]] = {"perl": {"M": ("",), "m": ("",), "d": (":", "t:")}}
#: Interpreters that take a code option's argument only as the next word (`node -pe CODE`; `node -eCODE` is an error).
_CODE_NEXT_ONLY = frozenset({"node"})
#: Interpreters whose first operand is their program unless one comes from an option (`awk 'PROG'`, `sed 's/a/b/'`);
#: value: the options that take an argument (`awk -F :`), and those naming the program so no operand is one (`-f FILE`).
_AWK_OPTIONS = (
    frozenset({"-F", "-v", "-f", "-E", "-i", "-l", "-W", "--assign", "--field-separator", "--file", "--exec", "--include", "--load"}),
    frozenset({"-f", "--file", "-E", "--exec", "-e", "--source"}),  # gawk: `-e PROG` gives (part of) the program
)
_PROGRAM_OPERAND: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    **dict.fromkeys(("awk", "gawk", "mawk", "nawk"), _AWK_OPTIONS),
    "sed": (frozenset({"-e", "--expression", "-f", "--file", "-l"}), frozenset({"-e", "--expression", "-f", "--file"})),
}

#: SQL clients whose option takes SQL the server runs (`psql -c SQL`, `mysql -e SQL`; PostgreSQL's `COPY ... TO PROGRAM`
#: runs a shell command): the options, their short letters taking an argument (`psql -XAtc SQL`: the bundle ends in c),
#: and letters whose argument is only ever attached (`mysql -pSECRET`).
_SQL: dict[str, tuple[frozenset[str], str, str]] = {
    "psql": (frozenset({"-c", "--command"}), "cdfvLoFPRThpU", ""),
    "mysql": (frozenset({"-e", "--execute"}), "eDhPSuOWT", "p"),
}
_SQL["mariadb"] = _SQL["mysql"]

#: Every interpreter named here.
INTERPRETERS = frozenset(_CODE_OPTIONS) | frozenset(_PROGRAM_OPERAND) | frozenset(_CODE_ANYWHERE) | _PWSH | {"redis-cli"} | frozenset(_SQL)
INTERPRETERS |= PLUS_COMMANDS | _JQS | {"rabbitmqctl", "rabbitmq-diagnostics", "gmake"}


#: Versioned and other names of those interpreters (`python3.11`, `pypy3`, `perl5.36`, `nodejs`, `luajit`).
_VERSIONED = re.compile(r"(python|pypy|perl|ruby|php|lua)[0-9.]*\Z")
_ALIASES = {"nodejs": "node", "luajit": "lua", "pypy": "python"}


def canonical(word: str) -> str:
    """The name this table knows an interpreter by (`/usr/bin/python3.11` -> `python`), else the word's last part."""
    name = word.rpartition("/")[2]
    versioned = _VERSIONED.match(name)
    if versioned and name not in _CODE_OPTIONS:
        name = versioned.group(1)
    return _ALIASES.get(name, name)


def interpreter_code(words: list[str], start: int) -> list[tuple[int, str]]:
    """Words the interpreter at `start` runs as its own code (`sed "s/x/VALUE/"`, `awk 'PROG'`, `python3 -c CODE`,
    `perl -e`): a value there is code to that program (sed's `e` command runs a shell), whatever the shell's quoting."""
    name = canonical(words[start])
    found: list[tuple[int, str]] = []
    code_options = _CODE_OPTIONS.get(name, frozenset())
    with_argument, naming_program = _PROGRAM_OPERAND.get(name, (frozenset(), frozenset()))
    program_given = False
    k = start + 1
    while k < len(words):
        word = words[k]
        option, equals, _rest = word.partition("=")
        if word == "--":
            k += 1
            break
        if not word.startswith("-") or word == "-":
            break
        if equals and option in code_options:
            found.append((k, name))
        if word in code_options and k + 1 < len(words):
            found.append((k + 1, name))
        program_given = program_given or word in naming_program or (bool(equals) and option in naming_program)
        bundle = _bundled_code(name, word, code_options)
        if _attached_code(name, word):  # `perl -M{{ x }}`, `perl -wMstrict=...`: the word is perl code
            found.append((k, name))
        if bundle is not None:
            found.extend((j, name) for j in (k + bundle,) if j < len(words))
            program_given = True  # `gawk -e'PROG'`: operands are its input
        k += 2 if word in with_argument or word in code_options or bundle == 1 or _takes_next(name, word) else 1
    if name in _PROGRAM_OPERAND and not program_given and k < len(words):
        found.append((k, name))
    return found + _code_anywhere(name, words, start) + sql_code(name, words, start) + [(k, "make") for k in make_assignments(words, start)]


def _code_anywhere(name: str, words: list[str], start: int) -> list[tuple[int, str]]:
    """Code options that may follow operands (`_CODE_ANYWHERE`), PowerShell's `-Command`, redis-cli's `EVAL SCRIPT`."""
    found: list[tuple[int, str]] = []
    if name in _PWSH:
        for k in range(start + 1, len(words)):
            option = words[k].lower().lstrip("-")
            if words[k].startswith("-") and option[:1] == "c" and "command".startswith(option):
                return [] if words[k + 1 : k + 2] == ["-"] else [(j, name) for j in range(k + 1, len(words))]
            if words[k].startswith("-") and option in ("cwa", "commandwithargs"):  # pwsh 7.4: the code, then its $args
                return [(k + 1, name)] if k + 1 < len(words) else []
            if words[k].startswith("-") and option[:1] == "f" and "file".startswith(option):
                return []  # the rest are the script's arguments
        return []
    if name == "redis-cli":
        at = next((j for j in range(start + 1, len(words)) if words[j].upper() in _REDIS_CODE), None)
        if at is None or (_REDIS_CODE[words[at].upper()] == 2 and words[at + 1 : at + 2] not in (["LOAD"], ["load"])):
            return []
        code = at + _REDIS_CODE[words[at].upper()]
        return [(code, name)] if code < len(words) else []
    options = _CODE_ANYWHERE.get(name, frozenset())
    for k in range(start + 1, len(words)) if options else ():
        word = words[k]
        if word in ("--", "--args", "-args"):
            break
        option, equals, _rest = word.partition("=")
        if word in options and k + 1 < len(words):
            found.append((k + 1, name))
        elif equals and option.startswith("--") and option in options:
            found.append((k, name))
    if name in ("rabbitmqctl", "rabbitmq-diagnostics") and "eval" in words[start + 1 :]:  # `rabbitmqctl eval EXPR`: Erlang
        at = words.index("eval", start + 1) + 1
        found.extend((k, name) for k in range(at, len(words)) if not words[k].startswith("-"))
    subcommand = next((k for k in range(start + 1, len(words)) if not words[k].startswith("-")), len(words)) if name == "deno" else 0
    if name == "deno" and words[subcommand : subcommand + 1] == ["eval"]:  # `deno eval [-p] CODE`: TypeScript, any API
        deno_code = [k for k in range(subcommand + 1, len(words)) if not words[k].startswith("-") and words[k - 1] not in _DENO_NEXT]
        found.extend((k, name) for k in deno_code[:1])
    if name in PLUS_COMMANDS:  # `vim +CMD`, `less +CMD`
        found.extend((k, name) for k in range(start + 1, len(words)) if words[k].startswith("+") and "--" not in words[start + 1 : k])
    if name in _JQS:
        found.extend((k, name) for k in [_jq_filter(name, words, start)] if k is not None)
    shell = gdb_shell_commands(words, start) if name == "gdb" else []
    return [(k, by) for k, by in found if k not in shell]


def _jq_filter(name: str, words: list[str], start: int) -> int | None:
    """The word holding a jq's filter (its first operand; yq's after `e`/`eval`), None when it comes from a file."""
    one, two, from_file = _JQ_OPTIONS
    k = start + 1
    operands: list[int] = []
    while k < len(words):
        word = words[k]
        if word in from_file or word in ("--args", "--jsonargs"):
            return None if word in from_file else (operands[0] if operands else (k + 1 if k + 1 < len(words) else None))
        if word == "--":
            operands.extend(range(k + 1, len(words)))
            break
        if word.startswith("-") and len(word) > 1:
            k += 3 if word in two else 2 if word in one else 1
            continue
        operands.append(k)
        k += 1
    if name == "yq" and operands and words[operands[0]] in ("e", "eval", "ea", "eval-all"):
        operands = operands[1:]
    return operands[0] if operands else None


#: A gdb command handing its text to a shell: `shell CMD`, `!CMD`, and `pipe GDBCMD | CMD` (or `| GDBCMD | CMD`);
#: with `--eval-command=` before it when attached. What it matches is cut off before the rest is parsed as a script.
GDB_SHELL = lazy_re.compile(r"(?:--?(?:ex|eval-command|iex|init-eval-command)=)?\s*(?:shell\b|!|(?:pipe\b|\|)[^|]*\|)")
#: gdb's options taking the next word (so it is no operand), and the commands that run the debugged program.
_GDB_NEXT = frozenset(f"{dash}{o}" for dash in ("-", "--") for o in (
    "ex", "eval-command", "iex", "init-eval-command", "x", "command", "ix", "init-command", "p", "pid", "c", "core", "d",
    "directory", "cd", "s", "symbols", "e", "exec", "se", "tty", "b", "l", "data-directory", "D"))  # fmt: skip
_GDB_RUN = lazy_re.compile(r"\s*(?:r|run|start|starti)\b")


def gdb_shell_commands(words: list[str], start: int) -> list[int]:
    """The `-ex` commands of the gdb at `start` that run a shell command line (`-ex "shell kill {{ x }}"`)."""
    code = _CODE_ANYWHERE["gdb"]
    found: list[int] = []
    for k in range(start + 1, len(words)):
        if words[k] in ("--", "--args", "-args"):
            break
        if words[k - 1] in code and k - 1 > start and GDB_SHELL.match(words[k]):
            found.append(k)
        elif words[k].partition("=")[0] in code and "=" in words[k] and GDB_SHELL.match(words[k]):
            found.append(k)
    return found


def gdb_program(words: list[str], start: int) -> int | None:
    """The word naming the program the gdb at `start` runs: the one after `--args`, or its first operand when an `-ex`
    command runs it (`gdb -batch -ex run {{ x }}`); None when it only loads one (`gdb -batch -ex bt PROG CORE`)."""
    if start >= len(words) or words[start].rpartition("/")[2] != "gdb":
        return None
    runs = False
    first: int | None = None
    k = start + 1
    while k < len(words):
        word = words[k]
        if word in ("--args", "-args"):
            return k + 1 if k + 1 < len(words) else None
        if word in _GDB_NEXT:
            runs = runs or (word in _CODE_ANYWHERE["gdb"] and k + 1 < len(words) and _GDB_RUN.match(words[k + 1]) is not None)
            k += 2
            continue
        if word.startswith("-"):
            runs = runs or (word.partition("=")[0] in _CODE_ANYWHERE["gdb"] and _GDB_RUN.match(word.partition("=")[2]) is not None)
        elif first is None:
            first = k
        k += 1
    return first if runs else None


def _bundled_code(name: str, word: str, code_options: frozenset[str]) -> int | None:
    """Where an interpreter's code is when `word` bundles short options (`perl -lne CODE`, `python3 -uc CODE`,
    `perl -e'CODE'`): 0 for this word (the code is attached), 1 for the next word, None when it names no code."""
    if name not in _ARGUMENT_LETTERS or len(word) < 3 or word.startswith("--") or word in code_options:
        return None
    with_argument, _next_word, digits = _ARGUMENT_LETTERS[name]
    i = 1
    while i < len(word):
        letter = word[i]
        if f"-{letter}" in code_options:
            attached = i + 1 < len(word) and name not in _CODE_NEXT_ONLY
            return 0 if attached else 1
        if letter in with_argument:
            return None  # the rest of the word is that option's argument (`-Mfeature=say`, `-i.bak`)
        i += 1
        while letter in digits and i < len(word) and word[i].isdigit():
            i += 1  # `-l0ne`: -l's octal number, then more options
    return None


def code_option(name: str, word: str) -> bool:
    """Whether `word` is (or bundles) the option of the interpreter `name` that gives its code inline (`-e`, `-lne`)."""
    options = _CODE_OPTIONS.get(name, frozenset())
    return word in options or _bundled_code(name, word, options) is not None


def python_module(words: list[str], start: int) -> tuple[int, int] | None:
    """The word naming the module the python at `start` runs (`-m MOD`, `-Im MOD`, `-mMOD`) and where the name starts in
    it; None when it runs no module (`-c CODE` or a script comes first)."""
    if start >= len(words) or canonical(words[start]) not in ("python", "python3"):
        return None
    with_argument = _ARGUMENT_LETTERS["python"][0]
    k = start + 1
    while k < len(words) and words[k].startswith("-") and words[k] not in ("-", "--") and not words[k].startswith("--"):
        word = words[k]
        for i, letter in enumerate(word[1:], start=1):
            if letter == "c":
                return None
            if letter == "m":
                return (k, i + 1) if i + 1 < len(word) else ((k + 1, 0) if k + 1 < len(words) else None)
            if letter in with_argument:  # `-W ignore`, `-Xdev`: the rest, or the next word, is its argument
                k += 0 if i + 1 < len(word) else 1
                break
        k += 1
    return None


def _attached_code(name: str, word: str) -> bool:
    """True when `word` bundles short options ending in one whose attached argument is code (`perl -lMstrict;...`)."""
    code_letters = _CODE_ATTACHED.get(name)
    if not code_letters or len(word) < 3 or word.startswith("--") or not word.startswith("-"):
        return False
    with_argument, _next_word, digits = _ARGUMENT_LETTERS[name]
    i = 1
    while i < len(word):
        letter = word[i]
        if letter in code_letters:
            rest = word[i + 1 :]
            return bool(rest) and rest.startswith(code_letters[letter])
        if letter in with_argument:
            return False  # the rest is that option's argument (`-i.bak`, `-I/opt/lib`)
        i += 1
        while letter in digits and i < len(word) and word[i].isdigit():
            i += 1
    return False


#: Interpreters and shells whose options come before their script (or code) and the script's arguments after it.
SCRIPT_RUNNERS = frozenset({"python", "python3", "perl", "ruby", "node", "php", "lua", "sh", "bash", "dash", "zsh", "ksh", "ash", "mksh"})
_SHELL_NEXT = frozenset({"-o", "-O", "+o", "+O", "--rcfile", "--init-file"})
_SHELL_NAMES = frozenset({"sh", "bash", "dash", "zsh", "ksh", "ash", "mksh"})


def options_end(words: list[str], start: int) -> int | None:
    """Where the options of the interpreter or shell at `start` end (`SCRIPT_RUNNERS`): its first operand (the script),
    or right after its code option's code (`python3 -c CODE ARGS`); later words are the program's arguments. None for
    another command."""
    name, k = canonical(words[start]), start + 1
    if name not in SCRIPT_RUNNERS:
        return None
    code_options = _CODE_OPTIONS.get(name, frozenset()) if name not in _SHELL_NAMES else frozenset()
    python = {"-c", "-m"} if name in ("python", "python3") else set()
    while k < len(words) and words[k].startswith(("-", "+")) and words[k] not in ("-", "--", "+"):
        word = words[k]
        code = word in code_options | python or _bundled_code(name, word, code_options | python) == 1
        if python and (code or word[1:2] == "m" or (word[1:2] != "-" and "c" in word[1:])):
            return k + 1 if code else k  # python stops at -c CODE / -m MOD: the rest is sys.argv (perl and node go on)
        k += 2 if code or _takes_next(name, word) or word in _SHELL_NEXT or (name == "node" and word in ("-r", "--require", "--import")) else 1
    return k


def _takes_next(name: str, word: str) -> bool:
    """True when an interpreter's short option (alone or ending a bundle: `-W`, `-uW`) takes the next word as its argument."""
    if name not in _ARGUMENT_LETTERS or len(word) < 2 or word.startswith("--"):
        return False
    with_argument, next_word, _digits = _ARGUMENT_LETTERS[name]
    for i, letter in enumerate(word[1:], start=1):
        if letter in with_argument:
            return letter in next_word and i == len(word) - 1
    return False


def sql_code(name: str, words: list[str], start: int) -> list[tuple[int, str]]:
    """The words a SQL client (`words[start]`, called `name`) sends as SQL (`psql -XAtc SQL`, `mysql --execute=SQL`)."""
    return [(k, name) for k in _sql_words(name, words, start) if not shell_escape(name, words[k])]


def sql_shell_escapes(words: list[str], start: int) -> list[int]:
    """The words a SQL client's shell escape runs as a shell command line (`psql -c '\\! ls {{ x | shq }}'`)."""
    name = words[start].rpartition("/")[2] if start < len(words) else ""
    return [k for k in _sql_words(name, words, start) if shell_escape(name, words[k])]


#: psql meta-commands handing the rest of the text to a shell (`psql -c` runs one meta-command when its text starts
#: with a backslash): `\\! CMD`, and output sent to a pipe, `\\o |CMD`, `\\g |CMD`, `\\w |CMD` (`\\g (opts) |CMD`).
_PSQL_SHELL = lazy_re.compile(r"\s*\\(?:!|(?:o|out|g|gx|w|write)\b(?:\s*\([^)]*\))?\s*\|)")
#: mysql's `\\!` runs a shell command wherever it stands in the text (`select 1; \\! CMD`), and so does `system CMD`
#: at a statement's start.
_MYSQL_SHELL = lazy_re.compile(r"\\!|(?:^|[;\n])\s*system\s", re.IGNORECASE)


def shell_escape(name: str, sql: str) -> bool:
    """Whether the text a SQL client (`name`) runs hands a command to a shell (`psql -c '\\o |CMD'`, `mysql -e
    'select 1; \\! CMD'`): the text is then a script another shell parses."""
    if name == "psql":
        return _PSQL_SHELL.match(sql) is not None
    return _MYSQL_SHELL.search(sql) is not None


def sql_escape_label(name: str, sql: str) -> str:
    """How a refusal names a SQL client's shell escape: `psql -c \\!`, `psql -c \\o |`, `mysql -e \\!`."""
    if name != "psql":
        return f"{name} -e \\!" if "\\!" in sql else f"{name} -e system"
    found = _PSQL_SHELL.match(sql)
    meta = found.group().strip() if found else "\\!"
    return f"psql -c {meta.split()[0].split('|')[0]}{' |' if meta.endswith('|') else ''}"


def _sql_words(name: str, words: list[str], start: int) -> list[int]:
    if name not in _SQL:
        return []
    options, letters, attached_only = _SQL[name]
    found: list[int] = []
    k = start + 1
    while k < len(words):
        word = words[k]
        option, equals, _rest = word.partition("=")
        if word == "--" or not word.startswith("-") or word == "-":
            k += 1
            continue  # operands (the database, the user) and options after them
        if word.startswith("--"):
            if equals and option in options:
                found.append(k)
            elif word in options:
                found.append(k + 1)
            k += 1
            continue
        for i, letter in enumerate(word[1:], 1):
            if letter in attached_only:
                break
            if letter in letters:
                attached = i + 1 < len(word)
                if f"-{letter}" in options:
                    found.append(k if attached else k + 1)
                k += 0 if attached else 1  # `-c SQL`, `-h HOST`: the next word is the option's
                break
        k += 1
    return [j for j in found if j < len(words)]


#: awk's names; in their programs `system()` and pipes (`print | CMD`, `CMD | getline`, gawk's `|&`) run `/bin/sh -c`.
_AWKS = frozenset({"awk", "gawk", "mawk", "nawk"})
_AWK_STRING = lazy_re.compile(r'"(?:\\.|[^"\\\n])*"')
_AWK_COMMENT = lazy_re.compile(r"#[^\n]*")
#: A regular expression literal: where an operand starts (`$1 ~ /a|b/`, `/x|y/ { ... }`), not after a value (`a / b`).
_AWK_REGEX = lazy_re.compile(r"(^|[(,~!{};\n])(\s*)/(?:\\.|[^/\\\n])*/")
_AWK_RUNS = lazy_re.compile(r"\bsystem\s*\(|\|")
_AWK_ASSIGNMENT = lazy_re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=")


def _awk_runs_commands(program: str) -> bool:
    """Whether an awk program calls `system()` or opens a pipe (strings, comments, regular expressions and `||` aside)."""
    text = _AWK_COMMENT.sub("", _AWK_STRING.sub('""', program)).replace("||", ";").replace("&&", ";")
    return _AWK_RUNS.search(_AWK_REGEX.sub(r"\1\2", text)) is not None


def awk_running_commands(words: list[str], start: int) -> tuple[str, list[str]]:
    """The awk at `start` when its program runs commands (else ""), and the environment variables it reads there
    (`ENVIRON["V"]`): what it reads, on its input too (`echo ... | awk '{ system($0) }'`), may run as a command."""
    name = words[start].rpartition("/")[2] if start < len(words) else ""
    if name not in _AWKS:
        return "", []
    program = _awk_program(name, words, start)
    if program is None or not _awk_runs_commands(program):
        return "", []
    return name, re.findall(r'ENVIRON\s*\[\s*"([A-Za-z_][A-Za-z0-9_]*)"\s*\]', program)


def _awk_program(name: str, words: list[str], start: int) -> str | None:
    """The program text of the awk at `start` (gawk joins every `-e PROG`), None when it is in a file (`-f FILE`)."""
    parts = [words[k] for k, by in interpreter_code(words, start) if by == name]
    return "\n".join(part.partition("=")[2] if part.startswith("--source=") else part for part in parts) if parts else None


def awk_data_into_commands(words: list[str], start: int) -> list[int]:
    """Words whose values an awk program that runs commands reads (`-v NAME=V`, `--assign=NAME=V`, an operand
    `NAME=V`, any operand when it reads ARGV, the command's environment when the program reads ENVIRON): it may hand
    them to `system()` or a pipe."""
    name = words[start].rpartition("/")[2] if start < len(words) else ""
    if name not in _AWKS:
        return []
    codes = [k for k, by in interpreter_code(words, start) if by == name]
    program = _awk_program(name, words, start)
    if program is None or not _awk_runs_commands(program):  # no program here (`-f FILE`), or one that runs nothing
        return []
    at = codes[-1]
    program = _AWK_STRING.sub('""', program)
    names = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", program))
    found: list[int] = []
    for k in range(start + 1, len(words)):
        word = words[k]
        if words[k - 1] in ("-v", "--assign") and k - 1 > start:
            assignment = word
        elif word.startswith("--assign="):
            assignment = word.partition("=")[2]
        elif word.startswith("-v") and len(word) > 2 and k < at:
            assignment = word[2:]
        elif k > at:  # an operand: an assignment, and any word the program reads as a string in ARGV
            assignment = word if _AWK_ASSIGNMENT.match(word) or "ARGV" in names else ""
        else:
            continue
        variable = _AWK_ASSIGNMENT.match(assignment)
        if assignment and (variable is None or variable.group(1) in names or names & {"SYMTAB", "ARGV"}):
            found.append(k)
    if "ENVIRON" in names:  # `V="{{ x }}" awk '... system(ENVIRON["V"])'`, `env V=... awk`
        found.extend(k for k in range(start) if _AWK_ASSIGNMENT.match(words[k]))
    return found
