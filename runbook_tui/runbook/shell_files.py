"""Scripts a command writes to a file and runs later: `echo "{{ x }}" > f.sh; sh f.sh`, `cat > f <<EOF`, `| tee f`.

The shell writes a value into a file as data (`"${RBT_V1}"` expands to its text), but a shell that then runs that file
(`sh f.sh`, `bash f`, `. ./f.sh`, `source f`, `./f.sh`, `sh < f.sh`, `cat f.sh | sh`) or an interpreter running it as
its program (`python3 f.py`), `crontab f` or `at -f f` parses the text again: `a; touch F` in it runs touch. So each
file a command's output goes to (`>`, `>>`, `>|`, `tee FILE`) is noted with the values that command holds (its words,
what its pipeline or here-string feeds it, its heredocs' bodies), and a value written to a file that is then run is
refused at its position (`shell_values.refusal`). Files are told apart by the word naming them (`./f.sh` and `f.sh`
are one), over the whole command text, without following control flow; a file written under a name made at run time
(`"$(mktemp)"`) is followed only by that same word.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from runbook_tui.runbook import lazy_re
from runbook_tui.runbook import shell_archives as archives
from runbook_tui.runbook import shell_commands as commands
from runbook_tui.runbook import shell_downloads as downloads
from runbook_tui.runbook import shell_other_steps as other_steps
from runbook_tui.runbook import shell_programs as programs
from runbook_tui.runbook import shell_wrappers as wrappers
from runbook_tui.runbook.shell_code import python_module
from runbook_tui.runbook.shell_places import EXPANSION, MARKER_BASE, MARKERS, WHOLE_NAME, has_markers

if TYPE_CHECKING:
    from runbook_tui.runbook.shell_context import Tokenizer
    from runbook_tui.runbook.shell_flow import Flow
    from runbook_tui.runbook.shell_places import Word

#: Commands copying their first operands to the last one.
COPIERS = frozenset({"cp", "mv", "install", "ln", "rsync", "scp"})
#: A shell's start-up file named in its environment (`BASH_ENV=f bash -c ...`, `export ENV=f`): it runs that file first.
_START_UP_FILE = re.compile(r"(BASH_ENV|ENV)=(.+)", re.DOTALL)
#: Words opening a loop, whose body `done` closes.
_LOOPS = frozenset({"for", "while", "until", "select"})
#: How `ran` says a command's own name runs (`./f.sh`).
RUN_AS_COMMAND = "is then run as a command"
#: Commands printing the files they are given (what `cat f.sh | sh` feeds the shell).
_PRINTERS = frozenset({"cat", "tac", "head", "tail"})


#: Files another program runs later as code, by where they are (after the home folder for a user's own: `~/`, `$HOME/`,
#: `${HOME}/`, `~USER/`, `/root/`, `/home/USER/`): a value written there is code to that program (`Place.code_of`: a plain
#: word only).
_RUN_LATER = (
    ("/etc/cron", "cron"), ("/var/spool/cron/", "cron"), ("/etc/anacrontab", "cron"), ("/etc/profile", "a login shell"),
    ("/etc/bash.bashrc", "a login shell"), ("/etc/environment", "a login shell"), ("/etc/systemd/", "systemd"),
    ("/lib/systemd/", "systemd"), ("/usr/lib/systemd/", "systemd"), ("/etc/sudoers", "sudo"), ("/etc/rc.local", "init"),
    ("/etc/init.d/", "init"), ("/etc/ld.so.preload", "the dynamic loader"), ("/etc/ld.so.conf", "the dynamic loader"),
    ("/etc/bash_completion", "a login shell"), ("/etc/zsh/", "a login shell"), ("/etc/update-motd.d/", "a login shell"),
    ("/etc/gitconfig", "git"), ("/etc/postgresql-common/psqlrc", "psqlrc"), ("/etc/vim/", "vim"), ("/etc/apt/apt.conf", "apt"),
    ("/etc/logrotate", "logrotate"), ("/etc/udev/", "udev"), ("/lib/udev/", "udev"), ("/etc/sysctl", "the kernel"),
    ("/etc/modprobe.d/", "modprobe"), ("/etc/ssh/", "ssh"), ("/etc/pam.d/", "PAM"), ("/etc/network/if-", "ifupdown"),
    ("/etc/NetworkManager/dispatcher.d/", "NetworkManager"), ("/etc/xdg/autostart/", "a desktop session"),
    ("/usr/local/bin/", "sh"), ("/usr/local/sbin/", "sh"), ("/usr/bin/", "sh"), ("/usr/sbin/", "sh"), ("/bin/", "sh"),
    ("/sbin/", "sh"), ("/etc/default/", "an init script"), ("/etc/periodic/", "cron"), ("/etc/incron.d/", "incron"),
    ("/etc/dhcp/dhclient-", "dhclient"), ("/etc/X11/Xsession.d/", "a desktop session"), ("/etc/polkit-1/rules.d/", "polkit"),
    ("/usr/share/polkit-1/rules.d/", "polkit"), ("/etc/kubernetes/manifests/", "the kubelet"), ("/etc/containers/systemd/", "systemd"),
    ("/etc/supervisor", "supervisord"), ("/etc/needrestart/", "needrestart"), ("/run/systemd/", "systemd"),
    ("/etc/tmpfiles.d/", "systemd-tmpfiles"), ("/usr/lib/tmpfiles.d/", "systemd-tmpfiles"), ("/run/tmpfiles.d/", "systemd-tmpfiles"),
)  # fmt: skip
#: A git repository's own configuration and hooks, wherever it is (`/srv/app/.git/config`, `.git/hooks/post-merge`).
_GIT_FILES = lazy_re.compile(r"(?:\A|/)\.git/(?:config\Z|hooks/)")
#: What python runs at every start from a folder of modules: a `.pth` file's `import` lines, `sitecustomize.py`.
_PYTHON_STARTUP = lazy_re.compile(r"(?:\A|/)(?:site|dist)-packages/(?:[^/]*\.pth|sitecustomize\.py|usercustomize\.py)\Z")
_HOME_RUN_LATER = (
    (".bashrc", "a login shell"), (".bash_profile", "a login shell"), (".bash_login", "a login shell"), (".profile", "a login shell"),
    (".bash_logout", "a login shell"), (".zshrc", "a login shell"), (".zprofile", "a login shell"), (".zshenv", "a login shell"),
    (".zlogin", "a login shell"), (".config/fish/", "a login shell"), (".config/systemd/", "systemd"),
    (".ssh/authorized_keys", "sshd"), (".ssh/rc", "sshd"), (".ssh/environment", "sshd"), (".ssh/config", "ssh"),
    (".gitconfig", "git"), (".config/git/", "git"), (".psqlrc", "psqlrc"), (".wgetrc", "wget"), (".vimrc", "vim"), (".vim/", "vim"),
    (".kube/config", "kubectl"), (".docker/", "docker"), (".config/autostart/", "a desktop session"), (".local/bin/", "sh"),
    ("bin/", "sh"),
)  # fmt: skip
#: Where a path names a user's home folder: `~`, `~USER`, `$HOME`, `${HOME}`, `/root`, `/home/USER`.
_HOME = lazy_re.compile(r"(?:~[A-Za-z0-9._-]*|\$HOME|\$\{HOME\}|/root|/home/[^/]+)/")
#: A home's hidden files in any folder: a user's home may be anywhere (`/var/lib/postgresql`, `/srv/app` in /etc/passwd,
#: unknown here), and a relative path starts in one (over SSH a command starts in the home folder).
_ANY_HOME_RUN_LATER = tuple((start, by) for start, by in _HOME_RUN_LATER if start.startswith("."))
_HIDDEN = lazy_re.compile(r"(?:\A|(?<=/))\.[^./]")

RUN_LATER_BY = frozenset(by for _, by in (*_RUN_LATER, *_HOME_RUN_LATER)) | {"site.py"}
_RUN_LATER_STARTS = tuple(start for start, _ in _RUN_LATER)


def runs_later(target: str) -> str | None:
    """The program that later runs the file `target` names as code (`/etc/cron.d/job`: cron, `"$HOME/.bashrc"` or
    `/var/lib/postgresql/.profile`: a login shell), or None; `//` and `/./` in the path are read as the kernel reads
    them, `$XDG_CONFIG_HOME` as `~/.config`, a relative path going up (`../../etc/cron.d`) as reaching `/`."""
    if "/" not in target and not target.startswith("."):  # `>> marks` in each of 300 steps (the first frame): only a
        return None  # hidden name (`.bashrc` in the home folder) is among the places below without a slash
    path = posixpath.normpath(re.sub("/+", "/", target)) + ("/" if target.endswith("/") else "")
    path = re.sub(r"\A\$XDG_CONFIG_HOME/", "~/.config/", path)
    path = re.sub(r"\A(?:\.\./)+", "/", path)  # `../../etc/cron.d/job` from a home folder: /etc/cron.d/job
    path = path if path.startswith(("/", "~", "$", EXPANSION)) or has_markers(path[:1]) else f"~/{path}"  # `bin/tool`
    if _GIT_FILES.search(path):
        return "git"
    if _PYTHON_STARTUP.search(path):
        return "site.py"
    home = _HOME.match(path)
    if home and (by := next((by for start, by in _HOME_RUN_LATER if path[home.end() :].startswith(start)), None)):
        return by
    for hidden in _HIDDEN.finditer(path):  # `/var/lib/postgresql/.psqlrc`, `.ssh/authorized_keys`
        if by := next((by for start, by in _ANY_HOME_RUN_LATER if path[hidden.start() :].startswith(start)), None):
            return by
    if not path.startswith(_RUN_LATER_STARTS):  # most paths: told in one call, not 48
        return None
    return next((by for start, by in _RUN_LATER if path.startswith(start)), None)


def named_file(word: Word) -> str:
    """The file a word names, as `runs_later` reads it: a leading `${HOME}` (an expansion in the word's text) is `$HOME`,
    `${XDG_CONFIG_HOME}` is `$XDG_CONFIG_HOME`, `${PWD}` is `$PWD`."""
    text = word.text
    return f"${word.refs[0]}{text[1:]}" if text.startswith(EXPANSION) and word.refs[:1] in (["HOME"], ["XDG_CONFIG_HOME"], ["PWD"]) else text


def code_run_later(tok: Tokenizer, targets: list[str], markers: list[int], refs: set[str]) -> None:
    """Values written to files another program runs later (`runs_later`): code to it, and so is what the variables
    written there hold (`refs`: `v="{{ x }}"; echo "$v" > /etc/cron.d/job`); to a file a value names, known when the
    values render (`rendered_run_later`)."""
    for by in filter(None, map(runs_later, targets)):
        for m in markers:
            tok.places[m].code_of = tok.places[m].code_of or by
        for ref in refs:
            tok.flow.code.setdefault(ref, by)
    named = [t for t in targets if has_markers(t)]
    for m in markers if named else ():  # (a value naming the file is not written to it)
        tok.places[m].written_files += tuple(t for t in named if chr(MARKER_BASE + m) not in t)


def rendered_run_later(targets: tuple[str, ...], value: Callable[[int], str]) -> str | None:
    """The program running later, as code, a file named by values (`> "{{ f }}"`, `tee /etc/{{ d }}/job`) once they
    render (`value`: the text of the value of each marker), or None."""
    for target in targets:
        if by := runs_later(MARKERS.sub(lambda found: value(ord(found.group()) - MARKER_BASE), target)):
            return by
    return None


#: `cd`'s and `pushd`'s options (`cd -P /etc`); a word `-` names the folder before, unknown here.
_FOLDER_OPTIONS = frozenset({"-L", "-P", "-e", "-@", "-n"})


def placed(tok: Tokenizer, path: str) -> str:
    """The file a path names after the last `cd` in the text (`cd /etc/cron.d && ... > job` writes /etc/cron.d/job), or
    in the step's folder before any (`cwd: /etc/cron.d`, see `step_folder`): `under` the folder the command is in."""
    return under(tok.flow.folder, path)


def under(folder: str | None, path: str) -> str:
    """The file `path` names in `folder` (None: not known here); a path starting with `/`, `~` or an expansion but
    `$PWD/` is where it says."""
    if folder is not None and path.startswith("$PWD/"):  # `"$PWD/job"`
        return f"{folder}/{path[5:]}"
    if folder is None or path.startswith(("/", "~", "$", EXPANSION)):
        return path
    return f"{folder}/{path}"


def step_folder(cwd: str | None) -> str | None:
    """The folder a step's command starts in, its rendered `cwd` (`/etc/cron.d`, `~`), as `under` reads paths in it;
    None when there is none or it is not known here (one holding an expansion's or a value's reserved character)."""
    if not cwd or has_markers(cwd) or EXPANSION in cwd:
        return None
    return posixpath.normpath(cwd)


def moved(tok: Tokenizer, texts: list[str], start: int) -> None:
    """`cd DIR`, `pushd DIR` (`cd` alone: the home folder): later relative paths are under DIR, read in the text's order
    as files are (without following control flow or subshells); `cd -`, `popd` and a folder a value names are unknown."""
    operands = [t for t in texts[start + 1 :] if t not in _FOLDER_OPTIONS]
    folder = (operands or ["~"])[0] if texts[start] in ("cd", "pushd") else "-"
    tok.flow.folder = None if folder == "-" or has_markers(folder) else posixpath.normpath(placed(tok, folder))


def key(word: str) -> str:
    """The file a word names, as told apart here: by its last part (`./f.sh`, `/tmp/w/f.sh` and, after `cd /tmp/w`,
    `f.sh` are one file; two files of one name in different folders are taken for one)."""
    return word.rstrip("/").rpartition("/")[2] or word


def wrote(tok: Tokenizer, words: list[Word], targets: list[str], input: tuple[list[int], list[str]], heredocs: list[list[Any]]) -> None:
    """A command is complete: the values it holds (`input`: in its words, a `{ ...; }` it closes, its input; and the
    variables its input expands, `echo "$v" | tee FILE`) go to each file its output is redirected to (and `tee`'s
    files); so do its heredocs' bodies, read after the line (`shell_heredocs.bodies` reads slot 6)."""
    held, piped_refs = input
    texts = [named_file(w) for w in words]
    start = wrappers.command_start(texts)
    name = texts[start].rpartition("/")[2] if start < len(texts) else ""
    if name in ("cd", "pushd", "popd"):
        moved(tok, texts, start)
    operands = [t for t in texts[start + 1 :] if not t.startswith("-")]
    for fifo in operands if name == "mkfifo" else ():  # `mkfifo f; sh f & echo "{{ x }}" > f`: its runs are noted (`ran`)
        tok.flow.files.setdefault(key(fifo), set())
    if name in ("tee", "sponge"):
        targets = [*targets, *operands]
    elif name == "dd":
        targets = [*targets, *(t[3:] for t in operands if t.startswith("of="))]
    copies = name in COPIERS and len(operands) >= 2  # `cp f.sh g.sh`, `install /dev/stdin f.sh`: what the sources hold too
    sources = operands[:-1] if copies else operands if name in _PRINTERS else []  # and what `cat f.sh > g.sh` prints
    held = [*held, *(m for source in sources for m in written(tok, source))]
    piped_refs = [*piped_refs, *(r for source in sources for r in tok.flow.file_refs.get(key(source), ()))]
    if copies:
        for source in sources:
            tok.flow.file_refs.setdefault(key(operands[-1]), set()).update(tok.flow.file_refs.get(key(source), ()))
        targets = [*targets, operands[-1]]
        # `cp /srv/releases/{{ v }}/migrate.sh . && ./migrate.sh`, `ln -s /srv/releases/{{ v }} current`: the value picks
        # what the copy (under its own name in a folder too) or the link holds, so what runs from it (`_run`; session 37);
        # it names a file and is not written to the copy (`cp /srv/{{ v }}/f.sh /tmp/g.sh && sh /tmp/g.sh`)
        naming = {k for k in range(start + 1, len(words)) if texts[k] in operands}
        held = [m for m in held if all(m not in words[k].markers for k in naming)]
        piped_refs = [r for r in piped_refs if all(r not in words[k].refs for k in naming)]
        picking = _values([words[k] for k in naming if texts[k] in sources])
        _picked(tok, picking, [operands[-1], *sources], _alone([words[k] for k in naming]))
        _one_name(tok, picking if runs_later(placed(tok, operands[-1])) else ())  # `cp /srv/{{ v }}/job /etc/cron.d/`
        words = [w for k, w in enumerate(words) if k not in naming]
    elif (unpacking := archives.unpacked(texts, start)) is not None:  # `tar -xzf /srv/{{ v }}.tgz -C d`: picks d's files
        fed: set[int | str] = {*held, *piped_refs} if unpacking.stdin else set()  # `curl URL/{{ v }}.tgz | tar -x`, `tar -x < /srv/{{ v }}.tgz`
        picking = _values([w for k, w in enumerate(words) if k > start and k not in unpacking.folder_words]) | fed
        _picked(tok, picking - _values([words[k] for k in unpacking.folder_words]), unpacking.folders, _alone(words))
    elif (fetching := downloads.downloaded(texts, start)) is not None:  # `curl -o m.sh URL/{{ v }}/m.sh`, `git clone`
        _picked(tok, _values([words[k] for k in fetching[0]]), fetching[1], _alone(words))
    if not targets:
        return
    if tok.level and (name in ("tee", "sponge", "dd") or (name in _PRINTERS and not operands)):
        held = [*held, *tok.flow.stdin]  # `echo "{{ x }}" | ssh db1 sudo tee FILE`: the input of the command running it
        piped_refs = [*piped_refs, *tok.flow.stdin_refs]
        heredocs = [*heredocs, *tok.flow.stdin_heredocs]  # `ssh db1 'cat > FILE' <<EOF`
    hold(tok, targets, (held, [*piped_refs, *(r for w in words for r in w.refs)]), heredocs)  # `printf '%s' "$v" > f.sh`


def hold(tok: Tokenizer, targets: list[str], input: tuple[list[int], list[str]], heredocs: list[list[Any]]) -> None:
    """The files `targets` take the values and variables of `input` and the `heredocs`' bodies (read after the line)."""
    held, refs = input[0], set(input[1])
    code_run_later(tok, [placed(tok, t) for t in targets], held, refs)  # `echo "* * * * * root {{ x }}" > /etc/cron.d/job`
    for target in targets:
        store(tok, target, held, refs)
    for heredoc in heredocs:
        heredoc[6] = [*heredoc[6], *(placed(tok, t) for t in targets)]


@contextmanager
def feeding(flow: Flow, fed: list[int], refs: list[str], heredocs: list[list[Any]]) -> Iterator[None]:
    """While a command is read: the values, variables (`refs`) and heredocs fed to it, which a shell it runs passes on
    to its commands (`| sh -c 'read l'`, `| ssh db1 sudo tee FILE`, `ssh db1 'cat > FILE' <<EOF`); a command fed
    nothing passes on what its own shell was fed."""
    outer = flow.stdin, flow.stdin_refs, flow.stdin_heredocs
    flow.stdin, flow.stdin_refs = list(fed) or flow.stdin, list(refs) or flow.stdin_refs
    flow.stdin_heredocs = heredocs if fed or refs or heredocs else flow.stdin_heredocs
    try:
        yield
    finally:
        flow.stdin, flow.stdin_refs, flow.stdin_heredocs = outer


def written(tok: Tokenizer, name: str) -> list[int]:
    """The values written to the file `name` so far (`sh < f.sh` reads them)."""
    return sorted(tok.flow.files.get(key(name), ()))


def printed(tok: Tokenizer, texts: list[str], input: tuple[list[int], list[str]]) -> list[int]:
    """The values a command prints from files written earlier (`cat f.sh | sh`), or from its `input` (in an inner shell:
    what that shell reads) when it reads no file: `cat`, `head -n 1`, and bash's `$(< f)`, a command of no words."""
    start = wrappers.command_start(texts)
    if start >= len(texts) and texts:
        return []
    name = texts[start].rpartition("/")[2] if texts else "cat"
    if name not in _PRINTERS:
        return []
    files = [t for t in texts[start + 1 :] if not t.startswith("-") and not t.isdigit()]
    fed, refs = (input[0] or tok.flow.stdin, input[1] or tok.flow.stdin_refs) if tok.level else input
    found = [m for t in files for m in written(tok, t)] if files else list(fed)
    tok.flow.printed.extend(found)  # what a `$(cat f.sh)` around the command expands to
    tok.flow.seen.extend([] if files else refs)  # and the variables it expands: `v="{{ x }}"; c=$(cat <<< "$v")`
    return found


def ran(tok: Tokenizer, texts: list[str]) -> None:
    """A command that runs a file written earlier as a script or a program: the values written there are code. In a
    loop, one written later too: its next round runs it (`for i in 1 2; do sh f; echo "{{ x }}" > f; done`); in a
    function's body, one written anywhere later: each call runs it (`f() { sh g; }; echo "{{ x }}" > g; f`)."""
    first, flow = texts[0] if texts else "", tok.flow
    flow.loops += (first in _LOOPS) - (first == "done" and flow.loops > 0)
    if flow.loop_ran and not flow.loops and first != "done":  # the loop is over (`done > f` writes in it): a file only
        flow.ran_files = {k: run for k, run in flow.ran_files.items() if k not in flow.loop_ran}  # it ran is not run again
        flow.loop_ran = set()
    if not (flow.files or flow.file_refs or flow.loops or flow.bodies or flow.picks):
        return
    start = wrappers.command_start(texts)
    if start >= len(texts):
        return
    found = [(start, RUN_AS_COMMAND), *((k, f"'{by}' then runs") for k, by in commands.script_files(texts))]
    name = texts[start].rpartition("/")[2]
    operands = [k for k in range(start + 1, len(texts)) if not texts[k].startswith("-")]
    if programs.interpreter(name) is not None and operands:
        found.append((operands[0], f"'{name}' then runs"))  # `python3 f.py`: its first operand is its program (a guess past options)
    if name == "crontab" and operands:
        found.append((operands[-1], "'crontab' then installs"))
    if name in ("at", "batch"):
        found.extend((k + 1, f"'{name}' then runs") for k in range(start + 1, len(texts) - 1) if texts[k] == "-f")
    named = [(texts[k], by) for k, by in found] + implicit_programs(texts, start)
    named += [(m.group(2), f"'bash' then runs as it starts ({m.group(1)})") for t in texts if (m := _START_UP_FILE.match(t))]  # `BASH_ENV=f bash`
    for name, by in named:
        if key(name) not in tok.flow.ran_files and not (tok.flow.files or tok.flow.file_refs or tok.flow.bodies):
            tok.flow.loop_ran.add(key(name))  # noted only as the loop's next round runs it
        tok.flow.ran_files.setdefault(key(name), (name, by))
        _run(tok, name, by)


def implicit_programs(texts: list[str], start: int) -> list[tuple[str, str]]:
    """Files a command runs without naming them: `make`'s makefile in the folder it starts in (no `-f`, `-C`), the
    module file `python3 -m MOD` imports from it (`echo "{{ x }}" > Makefile; make`: `$(shell CMD)` runs CMD)."""
    name, rest = texts[start].rpartition("/")[2], texts[start + 1 :]
    if name in ("make", "gmake") and not any(t.startswith(("-f", "-C", "--file", "--makefile", "--directory")) for t in rest):
        return [(makefile, "'make' then reads") for makefile in ("GNUmakefile", "makefile", "Makefile")]
    module = python_module(texts, start)
    text = texts[module[0]][module[1] :] if module is not None else ""
    return [(f"{text.replace('.', '/')}.py", "'python3 -m' then imports"), (f"{text.replace('.', '/')}/__main__.py", "'python3 -m' then runs")] if text else []


def store(tok: Tokenizer, target: str, markers: Iterable[int], refs: Iterable[str]) -> None:
    """The file `target` takes these values and variables; a file run before takes them to what runs it (a FIFO a shell
    reads as its script: `mkfifo f; sh f & echo "{{ x }}" > f`)."""
    if target == "/dev/null":  # (what is written there is gone: `> /dev/null; sh < /dev/null` reads nothing of it)
        return
    tok.flow.files.setdefault(key(target), set()).update(markers)
    tok.flow.file_refs.setdefault(key(target), set()).update(refs)
    if key(target) in tok.flow.ran_files:
        _run(tok, *tok.flow.ran_files[key(target)])


def _values(words: list[Word]) -> set[int | str]:
    """The values in these words and the variables they expand (`src=/srv/{{ v }}/f.sh; cp "$src" .`)."""
    values: set[int | str] = {m for w in words for m in w.markers + w.expanded_markers}
    return values | {r for w in words for r in w.refs}


def _alone(words: list[Word]) -> set[int | str]:
    """The values and variables that are the whole of one of these words (`cp {{ src }} /srv/app/`)."""
    return _values([w for w in words if WHOLE_NAME.fullmatch(w.text)])


def _picked(tok: Tokenizer, picking: set[int | str], names: list[str], alone: set[int | str]) -> None:
    """The values and variables `picking` pick what the files and folders `names` hold (a copy, a link, an archive
    unpacked there): `_run` holds them to one name when a file of those runs. A folder is known by its last part, also
    as placed after a `cd` or in the step's folder (`.` in `/srv/work` is `work`). When another step names a path where
    they land (`shell_other_steps`), they are one name at once, but for a value that is a whole word (`alone`)."""
    for name in {n for named in names for n in (key(named), key(posixpath.normpath(placed(tok, named))))} if picking else ():
        tok.flow.picks.setdefault(name, set()).update(picking)
    if picking - alone and any(other_steps.runs_under(placed(tok, named), tok.flow.elsewhere) for named in names):
        _one_name(tok, picking - alone)  # `tar -xzf /srv/{{ v }}.tgz -C /srv/app`, another step runs /srv/app/migrate.sh
        # (a value alone names the whole file or archive, as the author chose: `cp -a {{ cert }} /srv/backup/`)


def _one_name(tok: Tokenizer, values: Iterable[int | str]) -> None:
    """These values, and what these variables hold (`Flow.finish`), pick the code that runs: each is one name."""
    for m in values:
        if isinstance(m, str):
            tok.flow.program_path.add(m)
        else:
            tok.places[m].program_path = True


def _run(tok: Tokenizer, name: str, by: str) -> None:
    """The file `name` runs as code (`by`: what runs it): the values and variables written there are code; one that
    picked what a copy, a link or an archive holds (`cp /srv/{{ v }}/f.sh .`, the link `current` of `current/f.sh`,
    `tar -xzf /srv/{{ v }}.tgz -C d` of `d/f.sh`) is one name."""
    folder = posixpath.dirname(posixpath.normpath(placed(tok, name))) or "."  # `sh f.sh`, `./f.sh` after `cd d`
    looked_up = "/" not in name and by == RUN_AS_COMMAND  # `git diff` after `git apply`: git is found on $PATH, not in `.`
    parts = {key(name)} if looked_up else {key(name), *name.split("/")[:-1], *folder.split("/")}  # (a copy named so runs)
    _one_name(tok, (m for part in parts for m in tok.flow.picks.get(part, ())))
    for ref in tok.flow.file_refs.get(key(name), ()):
        tok.flow.reparsed.setdefault(ref, f"{name}, written with it, then run")
    for m in written(tok, name):
        place = tok.places[m]
        if not place.written_to:
            place.written_to, place.by = name, by
