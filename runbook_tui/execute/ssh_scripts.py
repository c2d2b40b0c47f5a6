"""The shell scripts the SSH executor sends: the detached wrapper, the start-and-follow script, the kill script.

See `runbook_tui.execute.ssh` for how they work together (detached runs that
survive a dropped connection); this module only writes their text. Every
value reaches the host quoted, or on the session's stdin.
"""

from __future__ import annotations

import hashlib
import shlex
import uuid

from runbook_tui.engine.ports import Command
from runbook_tui.execute.ssh_drain import DRAIN, DRAIN_MARGIN, POLL_SECONDS
from runbook_tui.execute.ssh_plain import plain_call
from runbook_tui.runbook import lazy_re

_UNSAFE = lazy_re.compile(r"[^A-Za-z0-9._-]+")


def run_dir_name(key: str) -> str:
    """The remote name (the prefix of its files) for a command key: readable, filesystem-safe and collision-free.

    The readable part alone could collide (`a/b` and `a_b`), hence the hash
    suffix; the same key always maps to the same name, which is what lets a
    later process re-attach to a run by its key.
    """
    if not key:
        return uuid.uuid4().hex
    safe = _UNSAFE.sub("_", key).strip("._-")[:80]
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return f"{safe}-{digest}" if safe else digest


def dir_expr(remote_dir: str, name: str) -> str:
    """Shell text for the run's prefix (`PREFIX.out`, ...): relative paths are under `$HOME` (expanded remotely)."""
    path = f"{remote_dir.rstrip('/')}/{name}"
    if path.startswith("/"):
        return shlex.quote(path)
    path = path.removeprefix("~/")
    return '"$HOME"/' + shlex.quote(path)


def path_word(path: str) -> str:
    """Quote a path for sh, keeping a leading `~/` meaning the remote home."""
    if path == "-":
        return "./-"  # `cd -- -` is `cd "$OLDPWD"` in every POSIX shell, `--` or not: the directory named `-` is `./-`
    if path == "~":
        return '"$HOME"'
    if path.startswith("~/"):
        return '"$HOME"/' + shlex.quote(path[2:])
    return shlex.quote(path)


def wrapper_script(command: Command, left: float | None = None) -> str:
    """The detached part: run the command as asked (`sh -c`, or a plain one itself: `ssh_plain`), then record its exit status.

    It reaches the host on the session's stdin (or, holding no value nor
    path, in the follow script's text: `ssh_session_input`), and the follow script runs
    it (`eval`) in a background subshell of its own: no file, no extra
    program, so environment values (maybe secrets, and every templated
    value: see `runbook.shell_values`) never show in the remote `ps` nor
    land in the runs folder. It sees the follow script's `$D` (the run's
    prefix) and `$u` (the user's umask). Under `sudo -n` the variables are
    passed by name (`--preserve-env=`), as the local executor does. The exit
    status is appended to `.run` as one line (`rc N`, one `write`); readers
    take only complete lines (`RUN_INFO`). Then `NOTIFY` tells the follow
    script, on fd 5; the command itself does not inherit that descriptor.
    `left`: seconds before the step's timeout as the wrapper is sent (None: no timeout); the wait for the output
    (`DRAIN`) ends `DRAIN_MARGIN` before it.
    """
    names = {name for name, _ in command.env}
    aside = {own: _unnamed(f"k_{own}", names) for own in OWN if own in names}  # (`OWN`)
    steps: list[str] = ['umask "$u"', "mark"] + ([" ".join(f'{k}="${own}"' for own, k in aside.items())] if aside else [])
    if command.cwd:
        steps.append(f"cd -- {path_word(command.cwd)}")
    if command.env:
        steps.append("export " + " ".join(f"{name}={shlex.quote(value)}" for name, value in command.env))
    shell = f"sh -c {shlex.quote(command.command)}"
    if not command.sudo:
        shell = plain_call(command.command) or shell  # a program and literal words: no `sh` between (`ssh_plain`)
    else:
        sudo = "sudo -n"
        if command.env:
            sudo += " --preserve-env=" + ",".join(name for name, _ in command.env)
        shell = f'if [ "$(id -u)" = 0 ]; then {shell}; else {sudo} -- {shell}; fi'
    steps.append(shell + " 5>&-")
    # One compound command, parsed whole before any of it runs: a wrapper cut short in transit is a
    # syntax error, so it never runs half. It ends with the command's status: the follow script, its
    # parent, `wait`s for it and believes `.run` only where the two agree (`follow_script`).
    # `rc` only into the `.run` still there: a command that removed its run's files (`rm -f runs/*`) would have it made
    # again, holding only `rc`, and the follow script would not see that the output went with them.
    # `drained` (`DRAIN`) first: the output a child left in the background writes after the exit goes into the files too.
    budget = "" if left is None else f" {max(0, int((left - DRAIN_MARGIN) * 100))}"
    back = " ".join(f'{own}="${k}"' for own, k in aside.items()) + "\n" if aside else ""
    record = f'c=$?\n{back}drained{budget}\n{{ [ -e "$D.run" ] && echo "rc $c$h" >> "$D.run"; }} 2>/dev/null\n'
    return "{ " + " && ".join(steps) + "\n" + record + NOTIFY + 'exit "$c"\n} </dev/null\n'


#: The wrapper's own shell variables that it reads after the command (the run's prefix, the wait's: `ssh_drain.DRAIN`),
#: and `IFS`, which its `read`s split by: a step's env naming one (it is exported before the command) is set aside
#: before and set back after it. Before, `env: {D: ...}` lost every exit status (`rc` went into `VALUE.run`, an existing
#: file there appended to) and an env `IFS` broke the wait's reads.
OWN = ("D", "t0", "l0", "IFS")


def _unnamed(name: str, names: set[str]) -> str:
    """`name`, with `_` added until the step's env does not name it."""
    while name in names:
        name += "_"
    return name


#: The wrapper's last line: a line (`r`) into the follow script's stdin, which it reads until that or the client's `t`.
#: Fd 5 is that stdin pipe opened for writing (`/proc/self/fd/4`) by the follow script; when it could not be opened, or
#: the follow script is gone, nothing is written and nothing else happens (the client's next `t` ends the wait).
NOTIFY = "{ echo r >&5; } 2>/dev/null\n"

#: A run's files, `$D` their common prefix (sh words): `.pid` and `.rc` are those of runs started by an older version.
RUN_FILES = '"$D.run" "$D.out" "$D.err" "$D.pid" "$D.rc"'

#: Shell function `info`: the run's pid, process group and exit status in `p`, `g`, `r` (empty while not recorded);
#: `st` set when a `stop` line says the program began stopping it (`stop_script`: a timeout, a person's stop).
#: `.run` holds the umask, then the lines `pid P G` and `rc N` in the order they were appended (the wrapper may end
#: before its pid is written); only complete lines count. A run started by an older version has them in `.pid` and `.rc`.
#: A pid or group that is not a number above 1 counts as none, and `bad` holds the line: the command can write to `.run`,
#: and `kill -TERM -1` would signal every process of the user (under sudo, of the host).
#: The `pid` line ends with the host's boot id (`nb`, read once) when it has one: a `.run` written before the host last
#: restarted names numbers the restart freed, which another process may hold now: `rb` is then set, and the command is
#: gone (the restart stopped it): never followed in that other process, nor that process's group signalled.
RUN_INFO = """\
nb=; [ -r /proc/sys/kernel/random/boot_id ] && read -r nb < /proc/sys/kernel/random/boot_id
info() {
  p= g= r= bad= st= hl= pb= rb=
  if [ -e "$D.pid" ]; then
    [ -s "$D.pid" ] && { read -r p g < "$D.pid" || p=; }
    [ -s "$D.rc" ] && { read -r r < "$D.rc" || r=; }
  else
    while read -r k a b c; do
      case $k in pid) p=$a g=$b pb=$c ;; rc) r=$a hl=${b:+ held} ;; stop) st=1 ;; esac
    done < "$D.run"
  fi
  case $p in *[!0-9]*|[01]) bad="pid $p $g" p= g= ;; esac
  case $g in *[!0-9]*|[01]) bad="pid $p $g" p= g= ;; esac
  [ -z "$p" ] || [ -z "$pb" ] || [ -z "$nb" ] || [ "$pb" = "$nb" ] || rb=1
  return 0
}
"""

#: What a `tidy NAME...` line before `done` does (`$a` the line): remove the files of those runs of the runs folder
#: (others an earlier process of the session left there, their ends journaled: engine/leftovers.py), but never of one
#: still running (its pid alive) nor of one that recorded no exit status (kept for a look). A subshell: `D` stays.
TIDY = f"""( set -f; R=${{D%/*}}; for n in ${{a#tidy }}; do
      case $n in *[!A-Za-z0-9._-]*) continue ;; esac
      D=$R/$n; {{ [ -e "$D.run" ] || [ -e "$D.pid" ]; }} || continue
      info; {{ [ -n "$r" ] && [ -z "$bad" ]; }} || continue
      [ -n "$p" ] && kill -0 "$p" && continue
      rm -f -- {RUN_FILES} </dev/null >/dev/null
    done ) 3>&- 4<&-"""

#: Wrappers up to this many bytes are read with the `read` builtin (a byte per system call); longer ones by `head -c`.
READ_MAX = 1024


def follow_script(dir_expr: str, *, start: bool, out_offset: int = 0, err_offset: int = 0, wrapper_size: int = 0, wrapper: str | None = None) -> str:
    """Start (when `start` and the run is new) and follow one run in this session.

    A run is three files in the runs folder (mode 700): `PREFIX.run` (the
    lock, created with noclobber: the user's umask, then the lines `pid P G`
    and `rc N`, see `RUN_INFO`), `.out` and `.err` (mode 600); `dir_expr` is
    the prefix. Each file is an inode created and freed per command, which
    some file systems make costly (ext4 without a journal scans past every
    recently freed inode): hence no more of them.

    Reads from stdin: a token line (32 hex digits; anything else, as when
    the host's login read a line of the session's input first, ends the
    script with 120 instead of waiting for a token line that never comes),
    then (when `start`) the wrapper: its lines up to a token line, or
    `wrapper_size` bytes when that is over `READ_MAX`; or none of it when
    `wrapper` holds it (`ssh_session_input.inline_wrapper`: then stdin holds only the token). Writes `\\0TOKEN start PID PREFIX` (or `\\0TOKEN fail
    WHY`, the command not started; `broke WHY`, started but its pid not recorded; `again PID PREFIX` when asked to start a run whose files
    were there already: an earlier process started it, and it is followed, not started again) on stdout, `\\0TOKEN err`
    on stderr, the command's bytes from the
    given offsets, then `\\0TOKEN end` on stderr and `\\0TOKEN end RC` on
    stdout (RC `-` when none was recorded: killed). A fresh run that ended
    before the client asked for live output (`t`) sends its whole result at
    once, stdout last; when its stderr is empty it sends nothing on stderr
    and says so in the stdout trailer (`end RC noerr`): a quick `true` costs
    one data packet. Then it waits for `done` on stdin and removes the run's
    files; EOF (the client is gone) keeps them. A `tidy NAME...` line before it removes what is left of other runs
    (`TIDY`).

    The fresh run's wrapper is a background subshell of this shell (a fork,
    no program started). This shell then reads one line of stdin: the
    wrapper's own `r` once it has recorded the exit status (it writes into
    this session's stdin pipe, reopened for writing as fd 5: `NOTIFY`), or
    the client's `t`. Only when no `rc` is recorded by then are the header
    sent and the `tail`s started. (Where stdin cannot be reopened, as with a
    server that gives sessions a socket, the `t` that comes every
    `STREAM_AFTER` seconds ends the wait: slower, never stuck.) The wrapper
    outlives this
    shell and the connection: its output goes to files, its stdin is
    /dev/null, and sshd signals no process of a session without a pty when
    the connection or channel closes (the `kill -9` and resume tests).
    The `pid` line holds the wrapper's pid and the process group a timeout
    kills: this session's (sshd gives every session its own, led by this
    shell, which `kill -0 -$$` tells in one system call; else `/proc/$$/stat`,
    which `read` takes a byte per call, names it). A run found
    already there (re-attach) is not our child: a waiter polls for `rc` (a zombie
    counts as gone: some container inits reap late or never). Every
    diagnostic of the script goes to /dev/null; fd 3 is the session's
    stderr, fd 4 its stdin. The token (`T`) and the wrapper (`W`) are never
    exported, whatever the session's environment: a `T` exported there,
    or `SHELLOPTS=allexport` under a bash `sh`, handed the command the
    token, and with it the trailer (`printf '\\0%s end 0' "$T"; exit 1`
    was exit 0). The script's shell options are its own too (`set
    +aeuvx`): `SHELLOPTS` with `errexit` ended it at a failing command's
    `wait`, with `xtrace` or `verbose` it wrote the wrapper (environment
    values included) into the command's stderr.

    The runs folder must be the user's own (`test -O`, a builtin; a shell without it is not asked): in a folder
    another user owns (a HOME shared with others, as `/tmp`), that user could read the run's files, plant a `.run`
    naming a process of theirs to be followed in place of the command, or a `.out` symlink through which the
    command's output overwrote a file of the user's. Nothing is made there and nothing starts.

    `.run` is opened (noclobber) apart from its first write: a full disk lets the file be made but not written, and
    that empty `.run` read as a run already there (5 s of waiting, then `ended without recording an exit status or
    its pid`, started, of a command that never ran); now it is removed and the start refused.

    `.out` and `.err` are made before the wrapper starts: a `t` that came at
    once (a socket stdin) started `tail -f` before the wrapper's subshell had
    opened them, `tail` found no file, and the output was lost.

    `.run` is a file the command (or anything it starts) can write to, so
    for a fresh run the exit status comes from `wait`, the kernel's word,
    and the `rc` line only confirms that the wrapper lived to record it: a
    child that appends `rc 0` and kills the wrapper gets `-`, not 0. Where
    the command removed `.run` (`rm -rf ~/.cache`), `wait`'s status is
    sent with a `gone` word after it (`end RC gone`, `end RC noerr gone`):
    whatever output went to the removed files before `tail` or `cat`
    opened them is lost. A re-attached run has only the `rc` line.
    A `tail` killed by a signal (a step stopping a log follower with
    `pkill tail`) has not sent all of the output: the trailer says `cut`
    and the client follows the run again from what it received.
    A `full` word says the filesystem of the run's files had no space left
    (`df`'s available 0, the 11th word: header and line) when a run that did
    not succeed ended: what the command wrote after it filled up is lost, its
    own error about it too (it went to the same disk). Looked at only then: a
    `df` at every end was two more programs per host (a fan-out's sshd CPU).
    """
    fresh = (
        """\
  set +C
  read -r u < "$D.run"
  umask 077
  command exec 5>/proc/self/fd/4 || exec 5>&-
  : >"$D.out"; : >"$D.err"
"""
        + DRAIN
        + """  now && t0=$t || t0=
  ( eval "$W" ) >"$D.out" 2>"$D.err" 3>&- 4<&- &
  P=$! G=$$
  exec 5>&-
  kill -0 -$$ || { [ -r /proc/$$/stat ] && read -r _ _ _ _ G _ < /proc/$$/stat; }
  echo "pid $P $G${nb:+ $nb}" >> "$D.run" || [ ! -e "$D.run" ] || { say broke "cannot write its pid to $D.run (is the disk full?): it may run on there unwatched (pid $P)"; exit 121; }
  new=1"""
    )
    if start:
        read = (
            f"W={shlex.quote(wrapper)}\n"
            if wrapper is not None
            else f"W=$(head -c {wrapper_size})\n"
            if wrapper_size > READ_MAX
            else """\
W= ok=
while IFS= read -r l; do [ "$l" = "$T" ] && { ok=1; break; }; W="$W$l
"; done
[ -n "$ok" ] || exit 122
"""
        )
        take = f"""\
{read}R=${{D%/*}}
nofile() {{ fail "cannot create the run's files $D.* (is the disk full, or the folder not writable by $(id -un)?)"; }}
if ! [ -O "$R" ]; then
  [ -e "$R" ] || (umask 077 && mkdir -p "$R")
  if [ -e "$R" ]; then
    [ -O "$R" ]
    [ $? -ne 1 ] || fail "cannot create the run's files $D.*: the runs folder $R belongs to another user than $(id -un), who could read or replace them there"
  fi
fi
set -C
if command exec 6>"$D.run"; then
  umask >&6 || {{ exec 6>&-; rm -f "$D.run"; nofile; }}
  exec 6>&-
{fresh}
else
  set +C
  [ -e "$D.run" ] || nofile
  read -r u < "$D.run"
  [ "$u" != stop ] || {{ rm -f "$D.run"; fail "stopped before it began (its timeout, or a person's stop)"; }}
  hd=again
fi"""
    else:
        take = '[ -e "$D.run" ] || fail "the run\'s files $D.* are gone"'
    return f"""\
set +aefuvx
exec 3>&2 2>/dev/null 4<&0
unset T W
IFS= read -r T || exit 120
case $T in *[!0-9a-f]*) exit 120 ;; esac
[ ${{#T}} -eq 32 ] || exit 120
D={dir_expr}
say() {{ printf '\\000%s %s\\n' "$T" "$*"; }}
fail() {{ say fail "$*"; exit 121; }}
{RUN_INFO}new= quick= cut= hd=start
reap() {{ wait "$o"; k=$?; wait "$q"; [ "$k" -le 128 ] && [ "$?" -le 128 ] || cut=" cut"; }}
{take}
if [ -n "$new" ]; then
  IFS= read -r l <&4
  info
  if [ -z "$r" ]; then
    say start "$P" "$D"
    tail -c +1 -s {POLL_SECONDS} -f --pid="$P" "$D.out" 4<&- & o=$!
    printf '\\000%s err\\n' "$T" >&3
    tail -c +1 -s {POLL_SECONDS} -f --pid="$P" "$D.err" >&3 4<&- & q=$!
    wait "$P"; w=$?; reap
  else
    wait "$P"; w=$?
    quick=1
  fi
else
  i=0
  until info; [ -n "$p$bad" ]; do
    i=$((i+1)); [ "$i" -le 100 ] || {{ say lost; exit 121; }}
    sleep 0.05
  done
  [ -z "$bad" ] || fail "$D.run names no process: $bad"
  P=$p
  say "$hd" "$P" "$D"
  alive() {{
    [ -z "$rb" ] && kill -0 "$P" || return 1
    [ -r /proc/"$P"/stat ] || return 0
    read -r _ _ s _ < /proc/"$P"/stat; [ "$s" != Z ]
  }}
  ( while info; [ -z "$r" ] && alive; do sleep {POLL_SECONDS}; done ) 4<&- &
  w=$!
  tail -c +{out_offset + 1} -s {POLL_SECONDS} -f --pid="$w" "$D.out" 4<&- & o=$!
  printf '\\000%s err\\n' "$T" >&3
  tail -c +{err_offset + 1} -s {POLL_SECONDS} -f --pid="$w" "$D.err" >&3 4<&- & q=$!
  reap; wait
fi
[ -n "$quick" ] || info
x=
if [ -n "$new" ]; then
  if [ ! -e "$D.run" ]; then r=$w x=" gone"; elif [ "$r" != "$w" ]; then r=; fi
fi
rc=${{r:--}}
[ -n "$r$new" ] || [ -z "$st" ] || x=" stopped"
[ -n "$r$new" ] || [ -z "$rb" ] || x="$x rebooted"
full=
if [ -z "$x" ] && [ "$rc" != 0 ] && a=$(df -Pk -- "$D.out" 2>/dev/null); then
  set -f; set -- $a; set +f
  [ "${{11:-1}}" = 0 ] && full=" full"
fi
[ -z "$r" ] || x="$x$hl"
if [ -z "$quick" ]; then
  printf '\\000%s end\\n' "$T" >&3
  say end "$rc$x$cut$full"
else
  e=" noerr"
  if [ -s "$D.err" ]; then
    e=
    printf '\\000%s err\\n' "$T" >&3; cat "$D.err" >&3 4<&-; printf '\\000%s end\\n' "$T" >&3
  fi
  if [ -s "$D.out" ]; then
    say start "$P" "$D"; cat "$D.out" 4<&-; say end "$rc$e$x$full"
  else
    printf '\\000%s start %s %s\\n\\000%s end %s%s\\n' "$T" "$P" "$D" "$T" "$rc" "$e$x$full"
  fi
fi
while IFS= read -r a <&4; do
  case $a in
    done) exec rm -f -- {RUN_FILES} </dev/null >/dev/null 3>&- 4<&- ;;
    "tidy "*) {TIDY} ;;
  esac
done
"""


def kill_script(grace: float) -> str:
    """TERM the run's process group ($1 is the run's prefix), KILL it if still there after `grace` seconds.

    The group is the one in the `pid` line (the session that started the
    run: its wrapper, the command and whatever they started); a run started
    before there was one there has its own group, led by the wrapper.

    Takes the prefix as an argument, so `sudo -n sh -c` does not resolve
    it against root's `$HOME`. Exits 0 when the group is gone (or the run's
    files are: nothing to stop), 3 when no pid ever appeared (a start may
    still be under way: the files must stay). A `pid` line that names no group (`pid 1 1`,
    text: see `RUN_INFO`) signals nothing: exit 1, saying so on stderr.
    Its shell options are its own (`SHELLOPTS=errexit` ended it at the
    `kill -KILL` of a group already gone). It removes nothing: `stop_script` does, once told the end is journaled.
    """
    rounds = max(1, int(grace / POLL_SECONDS))
    return f"""set +aeuvx
D=$1
[ -e "$D.run" ] || exit 0
{RUN_INFO}i=0
info
while [ -z "$p$bad" ] && [ "$i" -lt 20 ]; do sleep 0.1; i=$((i+1)); info; done
[ -z "$bad" ] || {{ printf '%s names no process group to stop: %s\\n' "$D.run" "$bad" >&2; exit 1; }}
[ -n "$p" ] || exit 3
[ -z "$rb" ] || exit 0
G=${{g:-$p}}
if kill -TERM -"$G" 2>/dev/null; then
  i=0
  while [ "$i" -lt {rounds} ] && kill -0 -"$G" 2>/dev/null; do sleep {POLL_SECONDS}; i=$((i+1)); done
  kill -KILL -"$G" 2>/dev/null
fi
exit 0
"""


#: The first line of `stop_script` on stdout once the kill script is done: `stopped N`, N its exit status.
STOPPED = "stopped"
#: `stop_script`'s status when the command had not begun: its `.run` now holds `stop` alone, so it never will.
NOT_BEGUN = 4
#: `stop_script`'s status when the command had begun and its files are gone (it removed them): nothing names its processes.
FILES_GONE = 5
#: `stop_script`'s status when the run had recorded its exit status already: nothing is stopped, its files stay for the
#: follow that reads its end (the program was stopped past the deadline, ctrl-z or SIGSTOP, and woke to it first).
ENDED = 6


def stop_script(dir_expr: str, grace: float, *, sudo: bool, begun: bool = False) -> str:
    """Stop a run (`kill_script`, under `sudo -n` for a sudo step run by another user), say `stopped N` on stdout, then
    wait for `done` on stdin before removing the run's files; EOF keeps them, as the follow script does.

    Before, the kill script removed the files as soon as the group was gone, before the program had journaled the
    step's end: a `kill -9` of the program in between left the step `unknown` on `resume` with nothing on the host to
    follow, and `--rerun` started the command again where the look said it would follow the run left there.
    Files stay too when the kill failed (1) or no pid appeared (3): the command may still be running or starting.
    A `stop` line in `.run` first tells whoever follows the run later (a resumed re-run) that it was being stopped.

    No `.run` yet: the session that starts the command has not begun it (its login is slow), though it holds the
    command on its input and will begin it once the login is done. The stop then makes `.run` itself, holding `stop`
    alone (`NOT_BEGUN`, exit 4): that session finds it, starts nothing and removes it (`follow_script`). Before, the
    stop found nothing to stop and said so, and the command started seconds later, unwatched. Not when the host said
    the run `begun` (its files gone then: the command removed them), where no such file would stop anything: there
    nothing names its processes any more (`FILES_GONE`, exit 5; before, that read as stopped). A run that recorded its
    exit status is not stopped (`ENDED`, exit 6): it ended by itself, before the program saw its deadline pass."""
    kill = f'sh -c {shlex.quote(kill_script(grace))} sh "$D" </dev/null'
    if sudo:
        kill = f'if [ "$(id -u)" = 0 ]; then {kill}; else sudo -n {kill}; fi'
    forestall = f"""if [ ! -e "$D.run" ]; then
  R=${{D%/*}}
  [ -e "$R" ] || (umask 077 && mkdir -p "$R") 2>/dev/null
  set -C
  {{ echo stop > "$D.run"; }} 2>/dev/null && {{ echo "{STOPPED} {NOT_BEGUN}"; exit {NOT_BEGUN}; }}
  set +C
fi
"""
    gone = f"""[ -e "$D.run" ] || {{ echo "{STOPPED} {FILES_GONE}"; exit {FILES_GONE}; }}
"""
    ended = f"""{RUN_INFO}[ -e "$D.run" ] && info && [ -n "$r" ] && [ -z "$bad" ] && {{ echo "{STOPPED} {ENDED}"; exit {ENDED}; }}
"""
    return f"""set +aeuvx
D={dir_expr}
{gone if begun else forestall}{ended}[ -e "$D.run" ] && echo stop >> "$D.run"
{kill}
s=$?
echo "{STOPPED} $s"
[ "$s" = 0 ] || exit "$s"
while IFS= read -r a; do
  [ "$a" = done ] && exec rm -f -- {RUN_FILES} </dev/null >/dev/null 2>&1
done
"""
