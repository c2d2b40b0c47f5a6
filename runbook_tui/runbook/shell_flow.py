"""Values that reach bash arithmetic through a variable: `n="{{ x }}"; (( n > 1 ))`.

Bash evaluates a variable's text as an expression wherever arithmetic reads
the variable (`$((n + 1))`, `((n))`, `let`, `[[ $n -eq 1 ]]`, `declare -i n`,
a subscript, `${!n}`), and an array subscript inside that text runs a command
substitution: `n='a[$(touch F)]'; echo $((n))` makes F. So a value is
followed into the variables it is assigned to (`n=`, `declare n=`, `for n
in`, `read n`, `printf -v n`, a function's or `set --`'s `$1`), from those
into others (`m=$n`), and a value that reaches a variable arithmetic reads
takes integers only, as one written there directly does.

The analysis is of one command text and does not follow control flow: a
variable assigned anywhere in it and read by arithmetic anywhere in it counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from runbook_tui.runbook import lazy_re
from runbook_tui.runbook import shell_commands as commands
from runbook_tui.runbook import shell_wrappers as wrappers
from runbook_tui.runbook.shell_places import EXPANSION, NAMING_ONLY, Place, Word, marker_index

#: Positional parameters (`$1`, `$@`, `$*`) are followed as one variable of this name.
#: What an awk program that runs commands reads on its input, followed as a variable (see `Flow.awk_runs`).
AWK_INPUT = "<awk input>"
#: What a program named by a command substitution reads on its input (`echo "{{ x }}" | $(echo sh)`).
UNKNOWN_INPUT = "<unknown program's input>"
POSITIONAL = "@"
#: `NAME=`, `NAME+=`, `NAME[SUBSCRIPT]=` at the start of a word.
_ASSIGNMENT = lazy_re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:\[(.*?)\])?\+?=", re.DOTALL)
_SUBSCRIPTED = lazy_re.compile(r"\[(.*?)\]\+?=", re.DOTALL)  # an element of a compound assignment
#: Names an arithmetic expression reads: bare or expanded (`n`, `$n`, `${n}`, `$1`); `${#n}` is only a length.
_LENGTH = lazy_re.compile(r"\$\{#[^}]*\}")
_NAMES = lazy_re.compile(r"[A-Za-z_][A-Za-z0-9_]*|(?<=\$)[0-9@*]|(?<=\$\{)[0-9@*]")
_DECLARING = frozenset({"declare", "typeset", "local"})
#: Variables a shell expands again when it reads them, `$(...)` included: `BASH_ENV` (every non-interactive bash),
#: `ENV` (sh -i, bash --posix -i), the prompts (`PS4` under `set -x` in bash, `PS0` before each interactive command),
#: `MAILPATH` (bash -i expands the message after `?` as a mail file it names grows).
REEXPANDED = frozenset({"BASH_ENV", "ENV", "PS0", "PS1", "PS2", "PS3", "PS4", "PROMPT_COMMAND", "MAILPATH"})
#: Variables naming the script a shell runs before its own (`BASH_ENV`: every non-interactive bash, `ENV`: sh -i), the
#: configuration git reads (`GIT_CONFIG_GLOBAL`: core.fsmonitor runs a command) and where an interpreter's modules are
#: found (`PYTHONPATH=/tmp/upload python3 -m app` imports app from there): a value there picks the code that runs, as
#: `sh {{ x }}` does, so it is one file or folder name, as in the program's path. So are the others that pick a file or
#: folder a program runs code from (each seen to run code: psql's `\!` in `PSQLRC`, wget's `use_askpass` in `WGETRC`,
#: core.fsmonitor in `$HOME/.gitconfig`, `$XDG_CONFIG_HOME/git/config` and `$GIT_DIR/config`, a `.pth` under `HOME` or
#: `PYTHONUSERBASE`, `$ZDOTDIR/.zshenv`, a kubeconfig's `exec:`, a library in `LD_LIBRARY_PATH`, `git-*` in `GIT_EXEC_PATH`,
#: a hook in `GIT_TEMPLATE_DIR`, a makefile in `MAKEFILES`, a provider `OPENSSL_CONF` loads; `CURL_HOME`'s `.curlrc` writes any
#: file).
SCRIPT_VARIABLES = frozenset({
    "BASH_ENV", "ENV", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "PYTHONPATH", "PERL5LIB", "NODE_PATH", "PSQLRC", "PGSYSCONFDIR",
    "MAKEFILES", "GIT_DIR", "GIT_EXEC_PATH", "GIT_TEMPLATE_DIR", "ZDOTDIR", "WGETRC", "CURL_HOME", "LD_LIBRARY_PATH", "GCONV_PATH",
    "PYTHONSTARTUP", "PYTHONHOME", "PYTHONUSERBASE", "HOME", "XDG_CONFIG_HOME", "KUBECONFIG", "DOCKER_CONFIG", "RUBYLIB", "PERLLIB",
    "AWKPATH", "AWKLIBPATH", "PHPRC", "PHP_INI_SCAN_DIR", "LUA_PATH", "LUA_CPATH", "OPENSSL_CONF", "OPENSSL_MODULES", "OPENSSL_ENGINES",
    "CDPATH",  # (where `cd rel` looks first: `cd rel && ./migrate.sh` runs that folder's script; session 36)
})  # fmt: skip
#: Variables whose text a program runs as a shell command line (`sh -c "$GIT_SSH_COMMAND ..."`): a value there is code to
#: that shell; by the program that runs it.
COMMAND_VARIABLES = {
    "PROMPT_COMMAND": "bash -i", "GIT_SSH_COMMAND": "git", "GIT_SSH": "git", "GIT_PROXY_COMMAND": "git",
    "GIT_EXTERNAL_DIFF": "git", "GIT_EDITOR": "git", "GIT_SEQUENCE_EDITOR": "git", "GIT_PAGER": "git", "GIT_ASKPASS": "git",
    "SSH_ASKPASS": "ssh", "SUDO_ASKPASS": "sudo", "PAGER": "man, git, systemctl...", "MANPAGER": "man",
    "SYSTEMD_PAGER": "systemctl", "EDITOR": "crontab -e, git, visudo...", "VISUAL": "crontab -e, git...", "LESSOPEN": "less",
    "LESSCLOSE": "less", "RSYNC_RSH": "rsync", "CVS_RSH": "cvs", "BROWSER": "xdg-open, git...", "SUDO_EDITOR": "sudoedit",
    "SYSTEMD_EDITOR": "systemctl edit", "KUBE_EDITOR": "kubectl edit", "KUBECTL_EXTERNAL_DIFF": "kubectl diff", "FCEDIT": "fc",
    "RSYNC_CONNECT_PROG": "rsync",  # (instead of connecting to an rsync:// daemon; session 36)
}  # fmt: skip
#: Variables an interpreter reads as options of its own, which load code: `PERL5OPT=-Mstrict;system(...)` is `use strict;
#: system(...)`, `NODE_OPTIONS=--import=data:text/javascript,...` runs that JavaScript, `RUBYOPT=-rLIB`: a value there is
#: code to that interpreter, a plain word only. git reads `GIT_CONFIG_PARAMETERS` as `-c` configuration (core.fsmonitor,
#: core.sshCommand run commands), the JVM `JAVA_TOOL_OPTIONS` as options (`-agentpath:LIB` loads it), make `MAKEFLAGS` as
#: options and variables (`X=$(shell CMD)` runs CMD), perl's debugger `PERL5DB` as code (`perl -d`).
OPTION_VARIABLES = {
    "PERL5OPT": "perl", "NODE_OPTIONS": "node", "RUBYOPT": "ruby", "GIT_CONFIG_PARAMETERS": "git", "JAVA_TOOL_OPTIONS": "java",
    "JDK_JAVA_OPTIONS": "java", "_JAVA_OPTIONS": "java", "MAKEFLAGS": "make (MAKEFLAGS)", "MFLAGS": "make (MAKEFLAGS)", "GNUMAKEFLAGS": "make (MAKEFLAGS)",
    "PERL5DB": "perl -d",
}  # fmt: skip
#: Variables naming code every program started with them loads (`LD_PRELOAD=/tmp/upload/evil.so ls` runs its
#: constructor), and options a program reads from its environment where a plain word runs a program
#: (`TAR_OPTIONS=--use-compress-program=PROG tar ...`, `MANOPT=--pager=PROG man ...`): a value there picks the code
#: that runs, as a command's whole name does.
LOADED_VARIABLES = {
    "LD_PRELOAD": "a library every program it starts loads (LD_PRELOAD)",
    "LD_AUDIT": "an audit library every program it starts loads (LD_AUDIT)",
    # `SHELL=/tmp/upload/evil sudo -s CMD` ran evil as root (sudo -s, su -m, script, vim's :! run $SHELL; /etc/shells
    # is not checked): refused whatever it holds, as `make SHELL=` (`shell_sudo`)
    "SHELL": "the shell sudo -s, su -m and others run commands with (SHELL)",
    # `CC=/tmp/upload/evil make hello` ran evil (make's environment overrides its built-in CC; configure, cmake read them)
    **{name: f"the program make, configure and cmake build with ({name})" for name in ("CC", "CXX", "CPP", "LD", "AR", "HOSTCC", "HOSTCXX")},
    "TAR_OPTIONS": "tar's options (TAR_OPTIONS), where --use-compress-program=PROG, --to-command=PROG and --checkpoint-action=exec=PROG run a program",
    "MANOPT": "man's options (MANOPT), where --pager=PROG and --html=PROG run a program",
    "PYTHONWARNINGS": "python's warning filters (PYTHONWARNINGS), where ignore::MODULE.Class imports MODULE",
    "PYTHONBREAKPOINT": "the function python's breakpoint() imports and calls (PYTHONBREAKPOINT)",
    "VIMINIT": "the commands vim runs as it starts (VIMINIT), where :! and system() run programs",
    "EXINIT": "the commands vi runs as it starts (EXINIT), where :! runs a program",
    "LUA_INIT": "the code lua runs as it starts (LUA_INIT, or the file @FILE names)",
    # `GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=core.fsmonitor GIT_CONFIG_VALUE_0=PROG git status` runs PROG (the first 32)
    **{
        f"GIT_CONFIG_{part}_{n}": f"a git setting (GIT_CONFIG_{part}_{n}), where core.fsmonitor=PROG runs a program"
        for part in ("KEY", "VALUE")
        for n in range(32)
    },
}
_ASSIGNING = _DECLARING | {"export", "readonly"}
#: Variables naming the shell itself (`$SHELL -c "..."`, `"$BASH" -c`, `$0 -c`): a command word expanding one is a shell.
_SHELL_NAMES = frozenset({"SHELL", "BASH"})
_LITERAL = lazy_re.compile(r"[A-Za-z0-9_./+-]+\Z")
_IDENTIFIERS = lazy_re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: A plain expansion of a variable in a prompt's text (`PS4='+ $HOST: '`): bash expands it once, its value is not read
#: again; what is left of a prompt without one, `$`, a backtick or a backslash (`\044` is `$` there) is plain text.
_PLAIN_EXPANSION = lazy_re.compile(r"\$(?:[A-Za-z_][A-Za-z0-9_]*|\{[A-Za-z_][A-Za-z0-9_]*\})")
PROMPTS = frozenset({"PS0", "PS1", "PS2", "PS3", "PS4"})


def assigns(text: str) -> bool:
    """Whether a word is an assignment (`a[{{ x }}]=1` too, which `command_start` takes for a command)."""
    return _ASSIGNMENT.match(text) is not None or _SUBSCRIPTED.match(text) is not None


def reference(name: str) -> str | None:
    """The variable a `$name` / `${name}` expansion reads, as followed here; None for `$?`, `$$`, `$#`..."""
    if name[:1].isdigit() or name in ("@", "*"):
        return POSITIONAL
    return name if name[:1].isalpha() or name[:1] == "_" else None


class Flow:
    """What flows into which variable, and which variables arithmetic reads, over one command text."""

    def __init__(self) -> None:
        self.links: list[tuple[str, set[int], set[str]]] = []  # variable <- values, variables
        self.arithmetic: set[str] = set()
        self.assigning: dict[str, str] = {}  # variables expanded where a `=` makes an assignment (`make "$t"`): which program
        self.names: dict[str, str] = {}  # variables whose text `export`/`readonly` reads as NAME=VALUE: which one
        self.prompt: set[str] = set()  # `${n@P}`: bash expands n's text as a prompt, `$(...)` in it runs
        self.seen: list[str] = []  # every variable expanded so far, in order (what a `$(...)` expands: its part)
        self.every_script = False  # read the scripts of inner shells (`bash -c '...'`) even where no value stands
        self.run_as_command: set[str] = set()  # variables expanded as a command's name (`$cmd --version`)
        self.program_path: set[str] = {"PATH"} | SCRIPT_VARIABLES  # variables expanded into a part of it (`"$bin/psql"`), and where it is looked for
        self.awk_runs: dict[str, str] = {}  # variables (and awk's input) an awk program that runs commands reads: its name
        self.substituted: set[str] = set()  # variables assigned what a command substitution prints (`e=$(which bash)`)
        self.descriptors: list[int] = []  # values `exec N<<< ...` made readable on a descriptor (`bash <&3` reads them)
        self.descriptor_refs: list[str] = []  # and the variables expanded there (`exec 3<<< "$v"`), see `shell_descriptors`
        self.shell_stdin: tuple[list[int], list[str]] = ([], [])  # what `exec <<< ...`, `exec 0<&3` gave the shell's stdin
        self.readers: list[list[str]] = []  # commands reading what is written to a descriptor later (`exec 3> >(sh)`, `coproc sh`)
        self.descriptor_files: list[str] = []  # files opened on a descriptor (`exec 3> f.sh`), which `>&3` writes
        self.output_captured = False  # `exec > FILE`, `exec > >(sh)`: every later command writes to those
        self.stdin: list[int] = []  # values fed to the command whose inner shell is being read (`| sh -c 'read l'`)
        self.stdin_refs: list[str] = []  # and the variables fed to it (`echo "$v" | ssh db1 sudo tee FILE`)
        self.stdin_heredocs: list[list[Any]] = []  # and the heredocs fed to it (`ssh db1 'tee f' <<EOF`), see `shell_files`
        self.printed: list[int] = []  # values a command printed from such a file (`cat f.sh`), in order
        self.file_refs: dict[str, set[str]] = {}  # variables written to each file (`printf '%s' "$v" > f.sh`)
        self.files: dict[str, set[int]] = {}  # values written to each file (`echo "{{ x }}" > f.sh`), see `shell_files`
        self.elsewhere: frozenset[str] = frozenset()  # the paths the runbook's other steps name (`shell_other_steps`)
        self.picks: dict[str, set[int | str]] = {}  # values and variables in the source a copy, link or archive takes, by name
        self.functions: dict[str, list[tuple[list[str], list[str]]]] = {}  # each function's commands (`shell_descriptors.called`)
        self.ran_files: dict[str, tuple[str, str]] = {}  # files run once some file was written: the word, what ran it
        self.loops = 0  # loops open (`for`, `while`, `until`, `select`): their bodies run again after themselves
        self.loop_ran: set[str] = set()  # files in `ran_files` only as a loop runs them before anything was written
        self.bodies = 0  # function bodies open (`f() { sh g; }`): they run at each call, anywhere after (`shell_files.ran`)
        self.literals: dict[str, str] = {}  # variables assigned a plain word (`e=eval`), by name
        self.reparsed: dict[str, str] = {}  # variables expanded into a script another shell parses (`eval "$v"`): by whom
        self.code: dict[str, str] = {}  # variables expanded into an interpreter's code (`python3 -c "...$v..."`): whose
        self.options: dict[str, str] = {}  # variables expanded where a program reads options (`ssh "$h"`): which program
        self.opened: dict[str, str] = {}  # variables expanded where perl's two-argument open reads them: `shell_perl_open`
        self.folder: str | None = None  # the folder the last `cd` named (`cd /etc/cron.d`), see `shell_files.placed`

    def defined(self, function: str, commands: list[tuple[list[str], list[str]]]) -> None:
        """The body of `function` ("": none) is read: its commands, which a call's input reaches (`f <<< "{{ x }}"`)."""
        if function:
            self.functions[function] = commands
            self.bodies -= 1

    def assign(self, name: str, markers: Iterable[int], refs: Iterable[str], text: str | None = None, source: str = "") -> None:
        """`name` is assigned the values and variables given; `text`: the plain word it is assigned, `source`: what is
        written after its `=` (`PS4='$(eval "$V")'`: a variable a prompt's text names runs as code, whatever it holds)."""
        read = set(refs)
        self.links.append((name, set(markers), read))
        if text is not None:
            self.literals[name] = text
        if name in REEXPANDED:  # every name its text keeps, bare too: `$((V))`, `declare -n r=V`, `printenv V | sh` read it
            text = "" if name in PROMPTS and not re.search(r"[$`\\]", _PLAIN_EXPANSION.sub("", source)) else source  # `PS4='+ V: '`
            for named in set(_IDENTIFIERS.findall(text)) - read:  # what `"$v"` gives it flows in (`expanded_by`)
                self.reparsed.setdefault(named, name)

    def command_name(self, word: Word) -> str:
        """What a word reads as, for the rules on command names: `$SHELL`, `"$BASH"`, `${SHELL:-sh}` name a shell, and
        `$e` the plain word assigned to e (`e=eval; $e "..."`); any other word its text."""
        text = word.text
        if len(word.refs) != 1 or text not in (f"${word.refs[0]}", EXPANSION):
            return text
        if word.refs[0] in _SHELL_NAMES or text == "$0":
            return "sh"
        return self.literals.get(word.refs[0], text)

    def arithmetic_text(self, text: str) -> None:
        self.arithmetic.update(reference(name) or name for name in _NAMES.findall(_LENGTH.sub("", text)))

    def finish(self, places: dict[int, Place]) -> None:
        """Mark as integers-only every value that reaches a variable arithmetic reads."""
        if not places:
            return
        for name in sorted(REEXPANDED & {link for link, _, _ in self.links}):
            for m in self._reaching({name}, {}):
                if isinstance(m, int):
                    places[m].expanded_by = name
        for name in COMMAND_VARIABLES.keys() & {link for link, _, _ in self.links}:  # `GIT_SSH_COMMAND="ssh {{ x }}"`
            self.reparsed.setdefault(name, COMMAND_VARIABLES[name])
        for m in self._reaching(self.run_as_command, {}):  # `cmd="{{ x }}"; $cmd --version`: the value is the program
            if isinstance(m, int):
                places[m].runs_as = places[m].runs_as or "the command's name, through a variable"
        for m in self._reaching(self.program_path, {}):  # `bin=/opt/{{ v }}/bin; "$bin/psql"`, `PATH=/opt/{{ v }}/bin:$PATH`
            if isinstance(m, int):
                places[m].program_path = True
        for m in self._reaching({UNKNOWN_INPUT}, {}):  # `echo "{{ x }}" | $(echo sh)`: eval or a shell may read it
            if isinstance(m, int):
                places[m].unknown_program = True
        for name, awk in self.awk_runs.items():  # `v="{{ x }}"; awk -v v="$v" 'BEGIN { system(v) }'`
            for m in self._reaching({name}, {}):
                if isinstance(m, int):
                    places[m].runs_commands_of = places[m].runs_commands_of or awk
        for name in LOADED_VARIABLES.keys() & {link for link, _, _ in self.links}:  # `LD_PRELOAD={{ x }} ls`
            for m in self._reaching({name}, {}):
                if isinstance(m, int):
                    places[m].runs_as = places[m].runs_as or LOADED_VARIABLES[name]
        for name in OPTION_VARIABLES.keys() & {link for link, _, _ in self.links}:  # `PERL5OPT="-M{{ x }}"`
            self.code.setdefault(name, OPTION_VARIABLES[name])
        for name, by in self.code.items():  # `v="{{ x }}"; sed "s/a/$v/"`: the value is sed code, a plain word only
            for m in self._reaching({name}, {}):
                if isinstance(m, int):
                    places[m].code_of = places[m].code_of or by
        for name, by in self.reparsed.items():  # `v="{{ x }}"; eval "$v"`: the value is code to eval
            for m in self._reaching({name}, {}):
                if isinstance(m, int) and not places[m].reparsed_variable:
                    places[m].reparsed_variable, places[m].by = name, places[m].by or by
        for name, program in self.options.items():  # `h="{{ x }}"; ssh "$h"`: a value starting with `-` is an option there
            for m in self._reaching({name}, {}):
                if isinstance(m, int):
                    places[m].option_of = places[m].option_of or program
        for name, program in self.opened.items():  # `f="{{ x }}"; perl -ne 'print' "$f"`: no `|` or `>` there
            for m in self._reaching({name}, {}):
                if isinstance(m, int):
                    places[m].opened_by = places[m].opened_by or program
        for variable, program in self.assigning.items():  # `t="{{ x }}"; make "$t"`
            for m in self._reaching({variable}, {}):
                if isinstance(m, int):
                    places[m].assigned_by = places[m].assigned_by or program
        for variable, builtin in self.names.items():  # `n="{{ x }}"; export "$n"`
            for m in self._reaching({variable}, {}):
                if isinstance(m, int):
                    places[m].name_of = places[m].name_of or builtin
        if not (self.arithmetic or self.prompt):
            return
        for m in self._reaching(self.arithmetic, {}):
            if isinstance(m, int):
                places[m].integer = True
        for m in self._reaching(self.prompt, {}):
            if isinstance(m, int):
                places[m].code_of = "${VAR@P}"

    def environment_in_arithmetic(self, names: Iterable[str]) -> set[str]:
        """Which of these environment variables (a step's `env:`) reach a variable arithmetic reads."""
        if not self.arithmetic:
            return set()
        return {m for m in self._reaching(self.arithmetic, {name: {name} for name in names}) if isinstance(m, str)}

    def environment_in_program_path(self, names: Iterable[str]) -> set[str]:
        """Which of these environment variables (a step's `env:`) reach the path of a program that runs (`$PATH`, `"$BIN/psql"`)."""
        return {m for m in self._reaching(self.program_path, {name: {name} for name in names}) if isinstance(m, str)}

    def environment_reparsed(self, names: Iterable[str]) -> dict[str, str]:
        """Which of these environment variables reach a variable expanded into a script another shell parses, by whom."""
        sources: dict[str, set[int | str]] = {name: {name} for name in names}
        found: dict[str, str] = {}
        for target, by in self.reparsed.items():
            for m in self._reaching({target}, sources):
                if isinstance(m, str):
                    found.setdefault(m, by)
        return found

    def environment_code(self, names: Iterable[str], targets: dict[str, str] | None = None) -> dict[str, str]:
        """Which of these environment variables reach an interpreter's code (`python3 -c "...$V..."`), with whose; or
        the other `targets` (`options`: where a program reads a word starting with them as an option, `ssh "$H"`)."""
        sources: dict[str, set[int | str]] = {name: {name} for name in names}
        found: dict[str, str] = {}
        for target, by in (self.code if targets is None else targets).items():
            for m in self._reaching({target}, sources):
                if isinstance(m, str):
                    found.setdefault(m, by)
        return found

    def _reaching(self, targets: set[str], sources: dict[str, set[int | str]]) -> set[int | str]:
        """The values (markers) and `sources` whose text reaches one of the `targets` variables."""
        values: dict[str, set[int | str]] = {name: set(held) for name, held in sources.items()}
        changed = True
        while changed:
            changed = False
            for name, markers, refs in self.links:
                reached = values.setdefault(name, set())
                before = len(reached)
                reached |= markers
                for ref in refs:
                    reached |= values.get(ref, set())
                changed = changed or len(reached) != before
        return {m for name in targets for m in values.get(name, ())}


def simple_command(flow: Flow, words: list[Word], places: dict[int, Place]) -> list[str]:
    """Follow a simple command's assignments and arithmetic (`let`, `declare -i`) into `flow`; returns the variables
    it reads its input into (`read n`), which the caller links to the values in that input."""
    k = 0
    while k < len(words) and words[k].text in wrappers.COMPOUND_START:
        k += 1  # `while read n`, `if let ...`
    while k < len(words) and _assigned(flow, words[k], places):
        k += 1
    texts = [w.text for w in words]
    start = k + wrappers.command_start(texts[k:])
    for word in words[k:start]:  # `env BASH_ENV=... bash`, `sudo PS4=... bash -x`: the command's environment
        if assignment := _ASSIGNMENT.match(word.text):
            flow.assign(assignment.group(1), word.markers + word.expanded_markers, word.refs, source=word.text[assignment.end() :])
    if start >= len(words):
        return []
    name = texts[start]
    rest = words[start + 1 :]
    reads: list[str] = []
    if name == "let":
        for w in rest:
            flow.arithmetic_text(w.text)
            flow.arithmetic.update(w.refs)
            for m in w.markers:
                places[m].integer = True
    elif name == "for" and len(texts) > start + 2 and texts[start + 2] == "in":
        flow.assign(texts[start + 1], _markers(words[start + 3 :]), _refs(words[start + 3 :]))
    elif name in _ASSIGNING:
        _declaration(flow, name, rest, places)
    elif name in ("read", "mapfile", "readarray"):
        reads = [w.text for w in rest if not w.text.startswith("-")]
    elif name == "printf" and len(texts) > start + 2 and texts[start + 1] == "-v":
        flow.assign(texts[start + 2], _markers(rest), _refs(rest))
    else:
        flow.assign(POSITIONAL, _markers(rest), _refs(rest))  # a function's or `set --`'s $1, $2...
    for index in commands.naming_arguments(texts):
        named = _ASSIGNMENT.match(texts[index])
        if named is None and name in NAMING_ONLY:  # `export "$n"`: n's text is NAME=VALUE, any variable set
            flow.names.update(dict.fromkeys(words[index].refs, name))
        elif named is None or named.group(2) is not None:  # `export A="$v"` names A: v's text is only its value
            flow.arithmetic.update(words[index].refs)  # `unset "$n"`, `printf -v "$n"`: n's text is a name
    for w in words:  # `a=([SUBSCRIPT]=v)`: a compound assignment's subscripts are arithmetic
        subscript = _SUBSCRIPTED.match(w.text)
        if subscript is not None:
            _arithmetic_subscript(flow, w, subscript.group(1), places)
    return reads


def cond(flow: Flow, cond: list[Word], places: dict[int, Place]) -> None:
    """In `[[ ... ]]`, operands of -eq, -lt, ... (and -v) are arithmetic in bash."""
    for k, w in enumerate(cond):
        if w.text in commands.ARITH_OPS:
            for neighbour in (cond[k - 1 : k] if k else []) + cond[k + 1 : k + 2]:
                flow.arithmetic_text(neighbour.text)
                flow.arithmetic.update(neighbour.refs)
                for m in neighbour.markers:
                    places[m].integer = True


def _assigned(flow: Flow, word: Word, places: dict[int, Place]) -> bool:
    """Follow `NAME=VALUE` (a subscript is arithmetic); False: the word is no assignment."""
    match = _ASSIGNMENT.match(word.text)
    if match is None:
        return False
    if match.group(2) is not None:
        _arithmetic_subscript(flow, word, match.group(2), places)
    literal = word.text[match.end() :]
    plain = not (word.markers or word.expanded_markers or word.refs) and _LITERAL.match(literal) is not None
    flow.assign(match.group(1), word.markers + word.expanded_markers, word.refs, literal if plain else None, literal)
    return True


def _arithmetic_subscript(flow: Flow, word: Word, subscript: str, places: dict[int, Place]) -> None:
    """`a[SUBSCRIPT]=v`: the subscript is an arithmetic expression; values in it take integers only."""
    flow.arithmetic_text(subscript)
    inside = [marker_index(c) for c in subscript]
    for m in [i for i in inside if i is not None] + (word.expanded_markers if EXPANSION in subscript else []):
        places[m].integer = True


def _declaration(flow: Flow, builtin: str, args: list[Word], places: dict[int, Place]) -> None:
    """`declare -i n=VALUE`, `local -n ref=VALUE`: the value is arithmetic (or a name); `export n=VALUE` flows into n."""
    options = "".join(w.text[1:] for w in args if w.text.startswith("-"))
    evaluated = builtin in _DECLARING and ("i" in options or "n" in options)
    for w in args:
        match = _ASSIGNMENT.match(w.text)
        if match is None and w.text.startswith("-"):
            continue
        name = match.group(1) if match else w.text
        if match:
            flow.assign(name, w.markers + w.expanded_markers, w.refs, source=w.text[match.end() :])
        if evaluated:
            flow.arithmetic.add(name)
            for m in w.markers + w.expanded_markers:
                places[m].integer = True


def _markers(words: list[Word]) -> list[int]:
    return [m for w in words for m in w.markers + w.expanded_markers]


def _refs(words: list[Word]) -> list[str]:
    return [r for w in words for r in w.refs]


def printed_words(words: list[Word]) -> list[Word]:
    """The words a command prints (`echo`, `printf`): what a `read` after it in the pipeline reads. The output of
    other commands is theirs (`curl "{{ url }}" | read code` reads the status curl prints, not the url)."""
    start = wrappers.command_start([w.text for w in words])
    return words[start + 1 :] if start < len(words) and words[start].text in ("echo", "printf") else []
