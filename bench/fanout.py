"""Benchmark: `true` on 200 host aliases of a loopback sshd, through the engine vs. bare asyncssh vs. Ansible.

The fan-out promise: a step on a big group costs about what the SSH itself
costs, and far less than the usual automation tool. All three variants talk
to the same OpenSSH sshd (started here with `tests/peers.py`'s `make_sshd`,
MaxStartups/MaxSessions raised), open one connection per alias, verify host
keys against the same known_hosts, run `true` 50 hosts at a time, and are
timed as whole processes:

- `engine`: `runbook-tui exec` of a one-step runbook on a group of 200
  aliases (settings: max_concurrency 50), journal and all; it must leave no
  remote run file behind;
- `asyncssh`: a bare script, `asyncssh.connect` + `conn.run("true")` per
  alias under a semaphore of 50;
- `ansible`: `ansible all -m command -a true -f 50` on an inventory of 200
  aliases (ansible_host=127.0.0.1), pipelining on, one ControlPath per alias,
  `KexAlgorithms=curve25519-sha256`, StrictHostKeyChecking=yes; its state in a
  temp dir. `cold` starts with no ControlMaster; `warm` runs again at once
  and reuses the masters the cold run left. ansible-core (ANSIBLE_CORE) is
  pip-installed into a venv of its own under the bench's temp dir, never
  into the project's venv (it is not a project dependency).

`--growth` runs 50, 200 and 1,000 aliases (each on a fresh sshd, no Ansible)
and prints wall and client CPU per host for the engine and bare asyncssh.

Engine and bare asyncssh run in pairs, back to back, which goes first
alternating (`fanout_pairs.order`); the ratio is the median over the pairs of
each pair's own ratio, printed with its interquartile range, and the CPU
ratio (client + sshd) likewise beside it (not the aim). Counts under 200
aliases run more pairs than `--pairs` (`SHORT_COUNT`).

The sessions' HOME, where the engine keeps each run's three files, is a fresh
journaled ext4 (a loop-mounted image under the temp dir) for each count,
when it can be mounted (root, a loop device): every alias here shares one
file system, and on ext4 without a journal (this machine's root) each new
inode is looked for past every inode freed in the last 1-6 minutes, so the
engine's cost per host grew with the files of every run before it, the
bench's own earlier counts and benches included, a cost no real host pays
(its own journaled ext4 or XFS, one run at a time). `--home user` keeps the
user's own HOME (the old set-up); the bench prints which it used.

`--known-lines N` puts N other hosts' hashed lines before the sshd's own in the
known_hosts all variants read (a user's file; HashKnownHosts yes is Debian's
default): every host's key lookup goes over them. The aims are stated for 0.

Run: `.venv/bin/python bench/fanout.py [--hosts 200] [--growth] [--pairs 5] [--ansible-reps 1] [--no-ansible] [--home journaled|user] [--known-lines N] [--check]`.
Aims: engine <= 1.2x bare asyncssh at every count, the ratio not growing with
the count (last - first <= +0.05); Ansible (cold) >= 10x the engine.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for extra in (ROOT, ROOT / "tests"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))
if str(ROOT / "bench") not in sys.path:  # its own parts (the last place looked: the bench's other scripts shadow nothing)
    sys.path.append(str(ROOT / "bench"))

from fanout_home import run_setup, session_home  # noqa: E402 (bench/ on the path first)
from fanout_pairs import order, pair_ratios, spread  # noqa: E402

RATIO_AIM = 1.2
#: The growth bench's host counts, and how much the ratio may rise from the first to the last (run-to-run noise).
GROWTH_COUNTS = (50, 200, 1000)
GROWTH_AIM = 0.05
#: The Ansible the comparison runs (in its own venv under the temp dir).
ANSIBLE_CORE = "ansible-core==2.19.14"
ANSIBLE_AIM = 10.0
CONCURRENCY = 50
#: Pairs of runs (engine, bare asyncssh) per count: `--growth` takes ~5 minutes at load 10-20 on two cores.
PAIRS = 5
#: Counts below this many aliases run `--pairs` times this over the count (50 aliases: 4x), so each count's runs take
#: about as long: a 50-alias run lasts ~1 s, where one scheduling hiccup on a loaded 2-core machine moves its ratio by
#: 0.3 (pairs at 0.66-1.38x within minutes), and the growth figure starts from that count.
SHORT_COUNT = 200
#: Where the SSH executor keeps detached runs on the host (its default, under the remote $HOME).
REMOTE_RUNS = Path(".cache") / "runbook-tui" / "runs"
#: Enough for 200 simultaneous connection attempts and sessions (tests/peers.py defaults to 200:30:400 and 100).
SSHD_OPTIONS = {"MaxStartups": "1000:30:2000", "MaxSessions": "1000"}


def raise_open_file_limit() -> None:
    """Soft RLIMIT_NOFILE up to the hard limit: a connection per host (the engine raises its own the same way)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def aliases(n: int) -> list[str]:
    return [f"peer{i:04d}" for i in range(1, n + 1)]


# -- the bare asyncssh floor (runs as its own process) ------------------------------------


async def bare_asyncssh(port: int, key: str, known_hosts: str, hosts: int, concurrency: int) -> int:
    import asyncssh

    gate = asyncio.Semaphore(concurrency)
    keys = asyncssh.load_keypairs(key)

    async def one(_alias: str) -> int:
        async with gate:
            async with asyncssh.connect("127.0.0.1", port=port, username=getpass.getuser(), client_keys=keys, known_hosts=known_hosts) as conn:
                result = await conn.run("true", check=False)
                return -1 if result.exit_status is None else int(result.exit_status)

    codes = await asyncio.gather(*(one(a) for a in aliases(hosts)))
    return sum(1 for c in codes if c == 0)


# -- variants, each a whole process ------------------------------------------------------


@dataclass
class Sample:
    wall: float  # seconds, the whole process
    client: float  # CPU seconds of the process and the children it waited for
    server: float  # CPU seconds of sshd: its per-connection processes and the shells they ran


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _sshd_cpu(pid: int) -> float:
    """CPU of the sshd listener plus every child it reaped (utime, stime, cutime, cstime of /proc/PID/stat).

    Robust to other load on the machine, unlike wall time. The engine's
    detached commands are children of its follow script, so their CPU counts.
    """
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def add_known_lines(known_hosts: Path, count: int) -> None:
    """`count` other hosts' lines before the sshd's own, all hashed (`ssh-keygen -H`, HashKnownHosts yes, Debian's default):
    a user's known_hosts, which every host's key lookup goes over (an HMAC per hashed line and name looked up)."""
    own = known_hosts.read_text()
    kind, key = own.split()[1:3]
    known_hosts.write_text("".join(f"other{i:05d}.example.com {kind} {key}\n" for i in range(count)) + own)
    subprocess.run(["ssh-keygen", "-H", "-f", str(known_hosts)], capture_output=True, check=True)
    Path(f"{known_hosts}.old").unlink(missing_ok=True)


def _settled(pid: int, within: float = 10.0) -> bool:
    """Wait until process `pid` (the sshd listener) has no child left (its per-connection processes reaped); False when
    that cannot be read (no `/proc/PID/task/PID/children`) or `within` seconds passed first."""
    deadline = time.monotonic() + within
    children = Path(f"/proc/{pid}/task/{pid}/children")
    while time.monotonic() < deadline:
        try:
            if not children.read_text().strip():
                return True
        except OSError:
            return False
        time.sleep(0.01)
    return False


def child_env(work: Path) -> dict[str, str]:
    """The variants' environment: bytecode caches on (in a directory of the run), as an installed tool has them.

    With PYTHONDONTWRITEBYTECODE set (some shells and CI set it), every run
    would compile every module it imports from source again, which no user of
    an installed tool pays and which costs the engine (more imports) more
    than the bare script. One untimed warm-up run of each variant fills the cache.
    """
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    return env


class Bench:
    def __init__(self, work: Path, hosts: int, journaled_home: bool = True, known_lines: int = 0) -> None:
        from peers import make_sshd

        self.work = work
        self.hosts = hosts
        self.home, self.mounted, self.home_words = session_home(work, journaled_home)
        self.remote_runs = self.home / REMOTE_RUNS
        (work / "sshd").mkdir()
        try:
            self.sshd = make_sshd(work / "sshd", {**SSHD_OPTIONS, "SetEnv": f"SHLVL=1 HOME={self.home}"})
        except BaseException:
            self._unmount()
            raise
        if known_lines:
            add_known_lines(Path(self.sshd.known_hosts), known_lines)
        self.runbook = self._write_runbook()
        self.settings = work / "settings.yaml"
        self.settings.write_text(f"ssh: {{known_hosts: {self.sshd.known_hosts}}}\nmax_concurrency: {CONCURRENCY}\n")
        self.runs = 0
        self.env = child_env(work)

    def _write_runbook(self) -> Path:
        lines = ["runbook: 1", "id: bench-fanout", "title: true on every alias", "hosts:", "  g:"]
        for name in aliases(self.hosts):
            lines.append(f"    - {{name: {name}, address: 127.0.0.1, port: {self.sshd.port}, user: {self.sshd.user}, identity: {self.sshd.client_key}}}")
        lines += [
            "sections:",
            "  - {id: impl, title: Implement, kind: implement, steps: [{id: noop, title: 'true', on: g, run: 'true', undo: 'true', verify: none}]}",
        ]
        path = self.work / "fanout.yaml"
        path.write_text("\n".join(lines) + "\n")
        return path

    def measure(self, command: list[str], env: dict[str, str] | None = None, settle: bool = True) -> tuple[subprocess.CompletedProcess[str], Sample]:
        """Run one variant's whole process; wall time, client CPU and sshd CPU.

        `settle`: then wait until sshd has reaped every per-connection process (`_settled`), so that none of this run's
        sessions still ends (and is counted, and takes a core) during the next variant's run.
        """
        assert self.sshd._proc is not None
        client, server = _children_cpu(), _sshd_cpu(self.sshd._proc.pid)
        started = time.perf_counter()
        proc = subprocess.run(command, env=env or self.env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        wall = time.perf_counter() - started
        if not settle or not _settled(self.sshd._proc.pid):
            time.sleep(0.2)  # let sshd reap the last per-connection processes
        return proc, Sample(wall, _children_cpu() - client, _sshd_cpu(self.sshd._proc.pid) - server)

    def engine(self) -> Sample:
        self.runs += 1
        journal = self.work / f"engine-{self.runs}.jsonl"
        env = {**self.env, "RUNBOOK_TUI_SETTINGS": str(self.settings), "XDG_STATE_HOME": str(self.work / "state")}
        command = [str(Path(sys.executable).with_name("runbook-tui")), "exec", str(self.runbook), "--solo", "bench", "--journal", str(journal)]
        proc, sample = self.measure(command, env)
        events = [json.loads(line) for line in journal.read_text().splitlines()]
        finished = [e for e in events if e["type"] == "step_finished"]
        done = sum(1 for r in finished[0]["hosts"].values() if r["status"] == "done") if finished else 0
        session = events[0]["session"]
        left = list(self.remote_runs.glob(f"{session}_*"))  # the executor removes each run's files once it has the result
        for run in left:
            if run.is_dir():
                shutil.rmtree(run, ignore_errors=True)
            else:
                run.unlink(missing_ok=True)
        if proc.returncode != 0 or done != self.hosts:
            raise SystemExit(f"engine: exit {proc.returncode}, {done}/{self.hosts} done\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        if left:
            raise SystemExit(f"engine: {len(left)} remote run files left behind, e.g. {left[0]}")
        return sample

    def asyncssh(self) -> Sample:
        command = [
            sys.executable, __file__, "--child-asyncssh", str(self.sshd.port), str(self.sshd.client_key),
            str(self.sshd.known_hosts), str(self.hosts),
        ]  # fmt: skip
        proc, sample = self.measure(command)
        if proc.returncode != 0 or proc.stdout.strip() != str(self.hosts):
            raise SystemExit(f"asyncssh: exit {proc.returncode}, stdout {proc.stdout!r}\n{proc.stderr[-3000:]}")
        return sample

    # -- ansible ---------------------------------------------------------------------

    def ansible_setup(self) -> str | None:
        """Install ansible-core into a venv of its own under the temp dir; returns why it cannot run, or None."""
        venv = self.work / "ansible-venv"
        print(f"installing {ANSIBLE_CORE} into {venv} (for this run only)", flush=True)
        made = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True)
        if made.returncode != 0:
            return f"python -m venv {venv} failed: {made.stderr.strip()[-1000:]}"
        pip = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", ANSIBLE_CORE], capture_output=True, text=True)
        if pip.returncode != 0:
            return f"pip install {ANSIBLE_CORE} failed: {pip.stderr.strip()[-1000:]}"
        self.ansible_bin = venv / "bin" / "ansible"
        state = self.work / "ansible"
        for sub in ("home", "tmp", "remote_tmp"):
            (state / sub).mkdir(parents=True, exist_ok=True)
        self.cp_dir = Path(tempfile.mkdtemp(prefix="cp", dir="/tmp"))  # ControlPath sockets: keep the path short
        inventory = state / "inventory.ini"
        rows = [f"{name} ansible_host=127.0.0.1 ansible_port={self.sshd.port} ansible_control_path={self.cp_dir}/{name}" for name in aliases(self.hosts)]
        python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
        rows += [
            "[all:vars]", f"ansible_user={self.sshd.user}", f"ansible_ssh_private_key_file={self.sshd.client_key}",
            f"ansible_python_interpreter={python}",
        ]  # fmt: skip
        inventory.write_text("\n".join(rows) + "\n")
        self.inventory = inventory
        self.ansible_env = {
            **self.env,
            "ANSIBLE_HOME": str(state / "home"),
            "ANSIBLE_LOCAL_TEMP": str(state / "tmp"),
            "ANSIBLE_REMOTE_TMP": str(state / "remote_tmp"),
            "ANSIBLE_SSH_CONTROL_PATH_DIR": str(self.cp_dir),
            "ANSIBLE_PIPELINING": "True",
            "ANSIBLE_HOST_KEY_CHECKING": "True",
            "ANSIBLE_SSH_COMMON_ARGS": (f"-o UserKnownHostsFile={self.sshd.known_hosts} -o StrictHostKeyChecking=yes -o KexAlgorithms=curve25519-sha256"),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_CONFIG": str(state / "none.cfg"),  # no stray ansible.cfg from the cwd or $HOME
        }
        return None

    def ansible(self) -> Sample:
        command = [
            str(self.ansible_bin), "all", "-i", str(self.inventory),
            "-m", "command", "-a", "true", "-f", str(CONCURRENCY), "-o",
        ]  # fmt: skip
        proc, sample = self.measure(command, self.ansible_env, settle=False)  # its ControlMasters outlive the run
        ok = sum(1 for line in proc.stdout.splitlines() if "| CHANGED |" in line or "| SUCCESS |" in line)
        if proc.returncode != 0 or ok != self.hosts:
            raise AnsibleFailed(f"exit {proc.returncode}, {ok}/{self.hosts} ok\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
        return sample

    def ansible_close_masters(self) -> None:
        """End the ControlMaster ssh processes a run leaves (they live 60 s), so the next cold run is cold."""
        for sock in self.cp_dir.iterdir():
            subprocess.run(["ssh", "-O", "exit", "-o", f"ControlPath={sock}", "x"], capture_output=True)

    def close(self) -> None:
        if hasattr(self, "cp_dir"):
            self.ansible_close_masters()
            shutil.rmtree(self.cp_dir, ignore_errors=True)
        self.sshd.stop()
        self._unmount()

    def _unmount(self) -> None:
        if self.mounted:
            self.mounted = False
            why = run_setup(["umount", str(self.home)])
            if why is not None:
                print(f"could not unmount the sessions' HOME {self.home}: {why}", file=sys.stderr)


class AnsibleFailed(Exception):
    pass


def pairs_at(hosts: int, pairs: int) -> int:
    """Pairs of runs at `hosts` aliases: `pairs`, more below `SHORT_COUNT`."""
    return max(pairs, pairs * SHORT_COUNT // hosts)


def run_count(
    hosts: int, pairs: int, ansible_reps: int, ansible: bool, journaled_home: bool = True, known_lines: int = 0
) -> tuple[dict[str, list[Sample]], str | None]:
    """All the variants on `hosts` aliases of a fresh sshd: engine and asyncssh in pairs (the lists hold pair i at
    index i), then Ansible."""
    times: dict[str, list[Sample]] = {"engine": [], "asyncssh": [], "ansible cold": [], "ansible warm": []}
    ansible_problem = None if ansible else "skipped (--no-ansible)"
    with tempfile.TemporaryDirectory(prefix="bench-fanout-") as tmp:
        bench = Bench(Path(tmp), hosts, journaled_home, known_lines)
        print(f"{hosts} aliases: the sessions' HOME (the engine's run files) is {bench.home_words}", flush=True)
        if known_lines:
            print(f"known_hosts: {known_lines} other hosts' hashed lines before the sshd's own", flush=True)
        try:
            bench.engine()  # untimed warm-up: fills the bytecode cache (see child_env)
            bench.asyncssh()
            for pair in range(pairs_at(hosts, pairs)):  # back to back, each first in turn: a pair meets one load
                for name in order(pair):
                    times[name].append(bench.engine() if name == "engine" else bench.asyncssh())
            if ansible_problem is None:
                ansible_problem = bench.ansible_setup()
            if ansible_problem is None:
                try:
                    for _ in range(ansible_reps):
                        bench.ansible_close_masters()
                        times["ansible cold"].append(bench.ansible())
                        times["ansible warm"].append(bench.ansible())
                except AnsibleFailed as exc:
                    ansible_problem = f"ansible failed: {exc}"
        finally:
            bench.close()
    return times, ansible_problem


def median_of(samples: list[Sample], key: str) -> float:
    return statistics.median(getattr(sample, key) for sample in samples)


def print_count(hosts: int, times: dict[str, list[Sample]]) -> float:
    """One host count's table; returns engine/asyncssh wall, the median of the pairs' ratios."""
    print(f"`true` on {hosts} aliases of one loopback sshd, {CONCURRENCY} at a time, host keys verified; whole processes, medians")
    print()
    print(
        f"{'variant':<14} {'runs':>4} {'wall s':>7} {'min s':>6} {'max s':>6} {'client CPU s':>13} {'sshd CPU s':>11} {'ms/host':>8} {'client CPU ms/host':>19}"
    )
    for name, samples in times.items():
        if samples:
            walls = [sample.wall for sample in samples]
            wall, client = median_of(samples, "wall"), median_of(samples, "client")
            # Ansible's ControlMasters outlive the run, so sshd has not reaped their processes yet: no figure.
            server = "n/a" if name.startswith("ansible") else f"{median_of(samples, 'server'):.2f}"
            print(
                f"{name:<14} {len(samples):>4} {wall:>7.2f} {min(walls):>6.2f} {max(walls):>6.2f} {client:>13.2f} {server:>11}"
                f" {wall / hosts * 1000:>8.2f} {client / hosts * 1000:>19.2f}"
            )
    engine, bare = times["engine"], times["asyncssh"]
    wall = spread(pair_ratios([s.wall for s in engine], [s.wall for s in bare]))
    cpu = spread(pair_ratios([s.client + s.server for s in engine], [s.client + s.server for s in bare]))
    client = spread(pair_ratios([s.client for s in engine], [s.client for s in bare]))
    print()
    print(f"engine/asyncssh, median of {len(engine)} pairs' ratios: wall {wall.words()}; aim <= {RATIO_AIM:g}x (wall)")
    print(f"  beside it (not the aim): CPU (client + sshd) {cpu.words()}, client CPU {client.words()}")
    return wall.median


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, nargs="+", default=[200], help="host counts, each on a fresh sshd (default 200)")
    parser.add_argument("--growth", action="store_true", help=f"the growth bench: --hosts {' '.join(map(str, GROWTH_COUNTS))}, no Ansible")
    parser.add_argument(
        "--pairs", "--reps", dest="pairs", type=int, default=PAIRS,
        help=f"pairs of runs (engine, asyncssh) per count, back to back (default {PAIRS}; more below {SHORT_COUNT} aliases)",
    )  # fmt: skip
    parser.add_argument("--ansible-reps", type=int, default=1, help="cold+warm Ansible pairs (default 1; ~40 s each), at the first count only")
    parser.add_argument("--no-ansible", action="store_true")
    parser.add_argument(
        "--home", choices=("journaled", "user"), default="journaled",
        help="the sessions' HOME: a fresh journaled ext4 per count (default; needs root and a loop device) or the user's own",
    )  # fmt: skip
    parser.add_argument(
        "--known-lines", type=int, default=0, metavar="N",
        help="N other hosts' hashed lines in the known_hosts, before the sshd's own, as a user's file holds them (default 0)",
    )  # fmt: skip
    parser.add_argument("--check", action="store_true", help="exit 1 if an aim is missed")
    parser.add_argument("--child-asyncssh", nargs=4, metavar=("PORT", "KEY", "KNOWN_HOSTS", "HOSTS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child_asyncssh:
        port, key, known_hosts, hosts = args.child_asyncssh
        raise_open_file_limit()
        print(asyncio.run(bare_asyncssh(int(port), key, known_hosts, int(hosts), CONCURRENCY)))
        return 0

    counts = list(GROWTH_COUNTS) if args.growth else args.hosts
    no_ansible = args.no_ansible or args.growth
    ok = True
    ratios: dict[int, float] = {}
    for index, hosts in enumerate(counts):
        times, ansible_problem = run_count(hosts, args.pairs, args.ansible_reps, not no_ansible and index == 0, args.home == "journaled", args.known_lines)
        if index:
            print()
        ratios[hosts] = ratio = print_count(hosts, times)
        ok = ok and ratio <= RATIO_AIM
        if index:
            continue
        if times["ansible cold"]:
            engine = median_of(times["engine"], "wall")
            cold = median_of(times["ansible cold"], "wall") / engine
            warm = median_of(times["ansible warm"], "wall") / engine
            print(f"ansible/engine: cold {cold:.1f}x, warm {warm:.1f}x (aim >= {ANSIBLE_AIM:g}x)")
            ok = ok and cold >= ANSIBLE_AIM
        else:
            print(f"ansible: {ansible_problem}")
            ok = ok and no_ansible  # an Ansible that could not run is a missed aim unless it was left out on purpose
    if len(counts) > 1:
        first, last = ratios[counts[0]], ratios[counts[-1]]
        print()
        print("engine/asyncssh wall by host count: " + ", ".join(f"{n}: {r:.2f}x" for n, r in ratios.items()))
        print(f"growth from {counts[0]} to {counts[-1]} hosts: {last - first:+.2f} (aim <= {GROWTH_AIM:+.2f}: the ratio must not grow with the count)")
        ok = ok and last - first <= GROWTH_AIM
    print("within aims" if ok else "MISSED AN AIM")
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
