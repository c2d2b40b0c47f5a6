"""Interpreters that read their program on stdin: a value in a heredoc, here-string or pipe feeding one is code.

`python3 <<EOF`, `python3 - <<EOF`, `perl`, `ruby`, `node`, `php`, `lua`, `tclsh`, `expect`, `Rscript -`, `awk -f -`,
`sed -f -` and `make -f -` run what their stdin says; the SQL clients `psql`, `mysql` and `sqlite3` read commands there that run a
shell (`\\!`, `system`, `.shell`). The shell expands a value into that text as data, but the interpreter then reads it
as its own code: `print("{{ x }}")` with x = `"); import os; os.system("touch F"); ("` makes F. So such a value is
refused at `validate`, at its position (`shell_values.refusal`); it reaches the program as an argument (`python3 -
"{{ x }}" <<'EOF'` and `sys.argv[1]`), a psql variable (`psql -v x="{{ x }}"` and `:'x'`) or an environment variable.

A program given another way (`python3 -c CODE`, `python3 app.py`, `perl -ne CODE`, `awk 'PROG'`, `psql -c SQL`, `psql
-f FILE`, `sqlite3 DB SQL`) reads its stdin as data: a value there is fine (`python3 app.py <<EOF`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.shell_commands import remote_words, stdin_script_reader, xargs_replaced_code
from runbook_tui.runbook.shell_manifests import MANIFEST_START, manifest_reader
from runbook_tui.runbook.shell_places import Place, marker_index
from runbook_tui.runbook.shell_psql import psql_variables
from runbook_tui.runbook.shell_wrappers import command_start

if TYPE_CHECKING:
    from runbook_tui.runbook.shell_context import Tokenizer

#: Operands and option arguments that name stdin.
STDIN = frozenset({"-", "/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"})


class _Reader(NamedTuple):
    """How an interpreter's arguments say where its program comes from."""

    code: frozenset[str]  # options giving the program (or running none: `psql -l`): stdin is data
    files: frozenset[str]  # options naming the program's file: stdin is the program when it names stdin (`awk -f -`)
    attached: str  # short option letters taking an argument: the rest of the word, when there is one...
    next_word: str  # ...else, for these, the next word (`-W ignore`, `-I dir`)
    long_next: frozenset[str] = frozenset()  # long options taking the next word (`--require mod`)
    operands: str = "program"  # "program": the first operand is its file; "data": never (awk, sed); "none": no
    # operand names a program (psql's are the database and user); "sqlite": the second operand is SQL
    bundles: bool = True  # short options bundle (`-XAtc`); sqlite3's and tclsh's options are words (`-cmd`)
    dashdash_arguments: bool = False  # words after `--` are the program's arguments, not its file (`php -- ARGS`)
    batch: frozenset[str] = frozenset()  # options after which stdin is not read, unless a `files` option names it
    # (`gdb -batch` runs its -ex and -x and exits; `gdb -batch -x /dev/stdin` still reads it); with them, a `files`
    # option naming a file does not stop stdin from being read (`gdb -x FILE` runs FILE, then reads stdin)
    stdin_options: frozenset[str] = frozenset()  # options that make it read commands on stdin (`redis-cli --pipe`)
    ends: frozenset[str] = frozenset()  # options after which every word is the debugged program's (`gdb --args`)


def _set(*items: str) -> frozenset[str]:
    return frozenset(items)


#: Options of gdb, pwsh, mongosh and redis-cli that take the next word (so it is no operand).
_GDB_NEXT = _set(
    *(f"{dash}{o}" for dash in ("-", "--") for o in ("ex", "eval-command", "iex", "init-eval-command", "p", "pid", "c", "core", "d", "directory",
                                                      "cd", "s", "symbols", "e", "exec", "se", "tty", "b", "l", "data-directory", "D"))
)  # fmt: skip
_PWSH_NEXT = _set("-executionpolicy", "-ep", "-workingdirectory", "-wd", "-outputformat", "-of", "-inputformat", "-if", "-configurationname",
                  "-config", "-custompipename", "-windowstyle", "-settingsfile")  # fmt: skip
_MONGO_NEXT = _set("--host", "--port", "-u", "--username", "-p", "--password", "--authenticationDatabase", "--authenticationMechanism",
                   "--tlsCAFile", "--tlsCertificateKeyFile", "--apiVersion", "--awsAccessKeyId", "--awsSecretAccessKey", "--gssapiServiceName")  # fmt: skip
_REDIS_NEXT = _set("--user", "--pass", "--sni", "--cacert", "--cacertdir", "--cert", "--key", "--tls-ciphers", "--tls-ciphersuites",
                   "--rdb", "--functions-rdb", "--bigkeys", "--pattern", "--count", "--quoted-pattern", "--memkeys-samples")  # fmt: skip
_PYTHON = _Reader(_set("-c", "-m"), _set(), "WXcm", "WX")
_SQL_CLIENT = _Reader(_set("-e", "--execute", "-V", "--version", "-?", "--help"), _set(), "DehPSup", "DehPSu", operands="none")
_AWK = _Reader(_set("-e", "--source"), _set("-f", "--file"), "Fvfe", "Fvfe", _set("--assign", "--field-separator"), "data")
_READERS: dict[str, _Reader] = {
    "python": _PYTHON,
    "perl": _Reader(_set("-e", "-E"), _set(), "CDdFIiMmx", "I"),
    "ruby": _Reader(_set("-e"), _set(), "CEFIiKrTx", "CEIr"),
    "node": _Reader(_set("-e", "-p", "--eval", "--print"), _set(), "r", "r", _set("--require", "--import", "--loader", "--conditions")),
    "php": _Reader(_set("-r"), _set("-f", "--file"), "cdfz", "cdfz", dashdash_arguments=True),
    "lua": _Reader(_set("-e"), _set(), "l", "l"),
    "tclsh": _Reader(_set(), _set(), "", "", _set("-encoding"), bundles=False),
    "expect": _Reader(_set("-c"), _set("-f"), "cf", "cf"),
    "Rscript": _Reader(_set("-e"), _set(), "", ""),
    "awk": _AWK,
    "sed": _Reader(_set("-e", "--expression"), _set("-f", "--file"), "efil", "efl", operands="data"),
    "psql": _Reader(
        _set("-c", "--command", "-l", "--list", "-V", "--version", "-?", "--help"),
        _set("-f", "--file"),
        "cdfFhLoPpRTUv",
        "cdfFhLoPpRTUv",
        _set("--dbname", "--host", "--port", "--username", "--set", "--variable", "--pset", "--output", "--log-file"),
        "none",
    ),
    "mysql": _SQL_CLIENT,
    # Command languages with a `!` that runs a shell command: `ed file <<EOF` with `s/a/{{ x }}/` and x = `b\n!touch F`.
    "ed": _Reader(_set(), _set(), "p", "p", operands="none"),
    "ex": _Reader(_set(), _set(), "c", "c", operands="none"),
    "sftp": _Reader(_set(), _set("-b"), "BbcDFiJlPRSso", "BbcDFiJlPRSso", operands="none"),
    "ftp": _Reader(_set(), _set(), "", "", operands="none"),
    "lftp": _Reader(_set("-c"), _set("-f"), "cefpu", "cefpu", operands="none"),
    "dc": _Reader(_set("-e", "--expression"), _set("-f", "--file"), "ef", "ef"),
    "R": _Reader(_set("-e"), _set("-f", "--file"), "ef", "ef", operands="none"),
    "julia": _Reader(_set("-e", "-E", "--eval", "--print"), _set(), "CeEJLpt", "CeEJLpt"),
    "sqlite3": _Reader(_set("-version", "-help"), _set(), "", "", _set("-cmd", "-init", "-separator", "-nullvalue", "-newline", "-vfs"), "sqlite", False),
    # gdb reads commands on stdin (its `shell` runs one) after its -ex and -x, unless -batch; operands: program, pid, core
    "gdb": _Reader(
        _set("--version", "-version", "--help", "-help"),
        _set("-x", "--x", "-command", "--command", "-ix", "--ix", "-init-command", "--init-command"),
        "",
        "",
        _GDB_NEXT,
        "none",
        False,
        batch=_set("-batch", "--batch", "-batch-silent", "--batch-silent"),
        ends=_set("--args", "-args"),
    ),
    # pwsh: `-Command -` and `-File -` read stdin, and so does pwsh with neither (and no script operand)
    "pwsh": _Reader(_set("-encodedcommand", "-version"), _set("-command", "-file"), "", "", _PWSH_NEXT, bundles=False),
    # mongosh and mongo run JavaScript (require('child_process'), runProgram) from stdin unless --eval or a .js file
    "mongosh": _Reader(_set("--eval", "--version", "--help", "-h"), _set("-f", "--file"), "", "", _MONGO_NEXT, "js", False),
    # redis-cli reads commands on stdin when none is given (CONFIG SET dir + SAVE writes files; EVAL runs Lua)
    "redis-cli": _Reader(_set("--eval", "-v", "--version", "--help"), _set(), "hpsaunrid", "hpsaunrid", _REDIS_NEXT, stdin_options=_set("--pipe")),
    "osascript": _Reader(_set("-e"), _set(), "els", "els"),
    # make reads its makefile on stdin with `-f -`; a recipe's lines run as shell commands (and `$(shell ...)`)
    "make": _Reader(_set(), _set("-f", "--file", "--makefile"), "CfIoW", "CfIoW", _set("--directory", "--include-dir", "--old-file"), "data"),
    # curl reads options of its own on stdin with `-K -`: a value with a line break adds any (`output = ~/.bashrc`)
    "curl": _Reader(_set(), _set("-K", "--config"), "K", "K", operands="data"),
}
#: Other names of those interpreters (`python3.12`, `pypy3`, `gawk`, `nodejs`, `mariadb`, `luajit`).
_ALIASES = {
    "vi": "ex",
    "vim": "ex",
    "nvi": "ex",
    "nodejs": "node",
    "mariadb": "mysql",
    "luajit": "lua",
    "gawk": "awk",
    "mawk": "awk",
    "nawk": "awk",
    "busybox-awk": "awk",
    "powershell": "pwsh",
    "powershell.exe": "pwsh",
    "pwsh.exe": "pwsh",
    "pwsh-preview": "pwsh",
    "mongo": "mongosh",
    "gmake": "make",
}
_VERSIONED = lazy_re.compile(r"(python|pypy|lua|perl|ruby|php|tclsh)[0-9.]*\Z")


def interpreter(word: str) -> str | None:
    """The interpreter a command word names (its key in the table above), if any."""
    name = word.rpartition("/")[2]
    versioned = _VERSIONED.match(name)
    if versioned:
        name = "python" if versioned.group(1) == "pypy" else versioned.group(1)
    name = _ALIASES.get(name, name)
    return name if name in _READERS else None


#: Commands that run a command named among their words, passing it their stdin (`ssh HOST psql`, `docker exec -i C
#: python3`, `runuser -u postgres -- psql`): the interpreter is looked for among all their words. Elsewhere only the
#: command word counts (`... | grep node` reads no program).
_RUNNERS = frozenset(
    {"ssh", "docker", "podman", "kubectl", "oc", "nerdctl", "crictl", "lxc", "incus", "runuser", "su", "nsenter", "unshare", "setpriv",
     "systemd-run", "machinectl", "flock", "ip", "chpst", "firejail", "bwrap", "sg"}
)  # fmt: skip


def stdin_program_reader(words: list[str]) -> str | None:
    """The interpreter among the command's words that reads its program on stdin (`python3`, `docker exec -i c
    perl -`, `ssh db psql`), as written; None when there is none, or it takes its program another way."""
    words = remote_words(words)
    start = command_start(words)
    runner = start < len(words) and words[start].rpartition("/")[2] in _RUNNERS
    for k in range(start, len(words) if runner else min(start + 1, len(words))):
        name = interpreter(words[k])
        if name is not None:
            return words[k].rpartition("/")[2] if _reads_stdin(_READERS[name], words[k + 1 :]) else None
    return None


def read_stdin(tok: Tokenizer, texts: list[str], input: tuple[list[int], list[str]], heredocs: list[list[Any]]) -> None:
    """The command `texts` reads on stdin the values and variables of `input` (earlier stages of its pipeline,
    here-strings) and the `heredocs`: a shell parses them again (`| sh`, `ssh HOST <<EOF`), an interpreter runs them as
    its program (`v="{{ x }}"; echo "$v" | python3 -`: what v holds is its code)."""
    fed, refs = input
    reader = stdin_script_reader(texts)
    if reader:
        tok._output_reparsed(fed, f"{reader} reading stdin")
        for ref in refs:
            tok.flow.reparsed.setdefault(ref, f"{reader} reading stdin")
        for heredoc in heredocs:
            heredoc[3] = reader
        return
    replaced = xargs_replaced_code(texts)  # `echo "{{ x }}" | xargs -I{} python3 -c "print('{}')"`: the input is code there
    for fed_marker in fed if replaced else ():
        tok.places[fed_marker].code_of = tok.places[fed_marker].code_of or replaced
    program = stdin_program_reader(texts) or manifest_reader(texts)
    if reads := replaced or program:  # (a manifest's values through a variable: plain words, as code's)
        for ref in refs:
            tok.flow.code.setdefault(ref, reads)
    if program:
        mark(tok.places, fed, program)
        for heredoc in heredocs:
            heredoc[5] = program  # its body's values are marked once it is read (`shell_heredocs.bodies`)
    start = command_start(texts)
    variables = {name: [m for c in texts[k] if (m := marker_index(c)) is not None] for name, k in psql_variables(texts, start).items()}
    for heredoc in heredocs if any(variables.values()) else ():
        heredoc[7] = {name: markers for name, markers in variables.items() if markers}  # `psql -v t=... <<'SQL'` reading `:t`


def reads_code(texts: list[str]) -> bool:
    """Whether the command `texts` runs what it reads on stdin: a shell its script (`sh`), an interpreter its program."""
    return bool(stdin_script_reader(texts) or stdin_program_reader(texts))


def mark(places: dict[int, Place], markers: Iterable[int], program: str) -> None:
    """Values in the text an interpreter reads as its program on stdin: code to it (in a manifest kubectl reads: plain words)."""
    for m in markers:
        if program.startswith(MANIFEST_START):  # `shell_manifests.manifest_reader`
            places[m].document_of = places[m].document_of or program
        else:
            places[m].program_of = places[m].program_of or program


def _pwsh_option(word: str) -> str:
    """A PowerShell option as the table names it: any case, `--` or `-`, any unique prefix (`-c`, `-Com`, `-f`)."""
    option, equals, attached = word.partition(":")  # `-File:-` is one way to write `-File -`
    lowered = {"-ec": "-encodedcommand"}.get("-" + option.lower().lstrip("-"), "-" + option.lower().lstrip("-"))
    for full in ("-command", "-file", "-encodedcommand", "-executionpolicy", "-workingdirectory"):
        if len(lowered) > 1 and full.startswith(lowered):  # `-e` is -encodedcommand, listed before -executionpolicy
            return full + (f"={attached}" if equals else "")
    return lowered + (f"={attached}" if equals else "")


def _reads_stdin(spec: _Reader, args: list[str]) -> bool:
    """Whether an interpreter with these arguments reads its program on stdin."""
    if spec is _READERS["pwsh"]:
        args = [_pwsh_option(a) if a.startswith("-") and a != "-" else a for a in args]
    operands: list[str] = []
    batch = False
    k = 0
    while k < len(args):
        word = args[k]
        k += 1
        if word == "--" or word in spec.ends:
            operands.extend([] if spec.dashdash_arguments or word in spec.ends else args[k:])
            break
        if not word.startswith("-") or word == "-":
            operands.append(word)
            if spec.operands == "program":
                break
            continue
        if word.startswith("--") or not spec.bundles:
            option, equals, attached = word.partition("=")
            if option in spec.code:
                return False
            if option in spec.stdin_options:
                return True
            batch = batch or option in spec.batch
            if option in spec.files:
                named = attached if equals else args[k] if k < len(args) else ""
                if named in STDIN or not spec.batch:
                    return named in STDIN
                k += not equals  # `gdb -x FILE` runs FILE, then reads stdin all the same (unless -batch)
                continue
            if not equals and option in spec.long_next:
                k += 1
            continue
        for i in range(1, len(word)):  # short options, maybe bundled: `-XAtc`, `-uW ignore`, `-Mstrict`
            letter, rest = word[i], word[i + 1 :]
            if f"-{letter}" in spec.code:
                return False
            if f"-{letter}" in spec.files:
                return (rest or (args[k] if k < len(args) else "")) in STDIN
            if letter in spec.attached:
                if not rest and letter in spec.next_word:
                    k += 1
                break
    if batch:
        return False
    if spec.operands == "program":
        return not operands or operands[0] in STDIN
    if spec.operands == "sqlite":
        return len(operands) < 2
    if spec.operands == "js":  # mongosh's address, then script files: one of those and stdin is not read
        return not any(o.endswith(".js") for o in operands)
    return spec.operands == "none"


#: How to pass a value instead, per interpreter.
_INSTEAD = {
    "python": "{p} - \"{{{{ {x} }}}}\" <<'EOF' and sys.argv[1] (or os.environ)",
    "perl": "{p} - \"{{{{ {x} }}}}\" <<'EOF' and $ARGV[0] (or $ENV{{...}})",
    "ruby": "{p} - \"{{{{ {x} }}}}\" <<'EOF' and ARGV[0] (or ENV)",
    "node": "{p} - \"{{{{ {x} }}}}\" <<'EOF' and process.argv[2] (or process.env)",
    "php": "{p} -- \"{{{{ {x} }}}}\" <<'EOF' and $argv[1] (or getenv())",
    "lua": "{p} - \"{{{{ {x} }}}}\" <<'EOF' and arg[1] (or os.getenv)",
    "awk": "{p} -v v=\"{{{{ {x} }}}}\" -f - <<'EOF' and v (or ENVIRON)",
    **dict.fromkeys(("ed", "ex"), "an editor taking it as data: python3 - \"{{{{ {x} }}}}\" FILE <<'EOF' and sys.argv[1]"),
    **dict.fromkeys(("sftp", "ftp", "lftp"), 'scp -- "{{{{ {x} }}}}" HOST:DIR (an argument)'),
    "R": "Rscript - \"{{{{ {x} }}}}\" <<'EOF' and commandArgs(TRUE)[1] (or Sys.getenv)",
    "psql": "{p} -v v=\"{{{{ {x} }}}}\" <<'SQL' and :'v' (a literal) or :\"v\" (a name)",
    "gdb": '{p} -batch -p "{{{{ {x} }}}}" -ex bt (an argument; -ex takes only a plain word, checked when it runs)',
    "pwsh": 'V="{{{{ {x} }}}}" {p} -Command - <<\'EOF\' and $env:V (or {p} -File FILE "{{{{ {x} }}}}" and $args[0])',
    "mongosh": "V=\"{{{{ {x} }}}}\" {p} DB <<'EOF' and process.env.V",
    "redis-cli": '{p} SET KEY "{{{{ {x} }}}}" (the command and its values as arguments)',
    "osascript": "{p} - \"{{{{ {x} }}}}\" <<'EOF' and `on run argv` ... item 1 of argv",
    "make": 'V="{{{{ {x} }}}}" {p} -f - <<\'EOF\' and "$$V" in the recipe (an environment variable)',
    "curl": '{p} -K FILE "https://host/{{{{ {x} }}}}" (the value as an argument: a URL, -H "Name: {{{{ {x} }}}}", --data-urlencode)',
}


#: Why a SQL client's input is more than SQL.
_SHELL_ESCAPE = {
    "psql": "\\! runs a shell command there",
    "mysql": "system runs a shell command there",
    "sqlite3": ".shell runs a shell command there",
    **dict.fromkeys(("ed", "ex", "sftp", "ftp", "lftp", "dc"), "! runs a shell command there"),
    "gdb": "shell runs a shell command there",
    "redis-cli": "each line is a command to the server: CONFIG SET and SAVE write files, EVAL runs Lua",
    "osascript": "do shell script runs a shell command there",
    "mongosh": "require('child_process') runs a command there",
    "make": "its recipes run as shell commands",
    "curl": "each line is a curl option: output = PATH writes any file, upload-file = PATH sends one",
}


def why(reader: str) -> str:
    """What makes the text an interpreter reads dangerous beyond its own language (a SQL client's shell escape), or ""."""
    escape = _SHELL_ESCAPE.get(interpreter(reader) or "")
    return f" ({escape})" if escape else ""


def instead(reader: str, name: str) -> str:
    """The fix for a value in the program `reader` reads on stdin: pass it as an argument or a variable."""
    key = interpreter(reader) or reader
    example = _INSTEAD.get(key, "{p} ... \"{{{{ {x} }}}}\" <<'EOF' (as an argument) or in an environment variable")
    return example.format(p=reader, x=name)
