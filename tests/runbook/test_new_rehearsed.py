"""`runbook-tui new`'s runbooks, filled in and rehearsed: forward, then back, the world as it was.

Each kind's tools (systemctl, apt-get, kubectl, …) are small stand-ins on PATH that keep the state a real one
would (the file the service loaded, the version that runs, a Deployment's revisions), and the steps run here
(`on:` and `sudo:` dropped). A rehearsal's full rollback (the undos newest first, then the rollback section)
and a rollback to the backup checkpoint (`--fail-at` a verification step) must each leave the world as it was
before the change: what the service runs included, not only what is on disk.
"""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from helpers_runbook import cli_main
from test_new import fill_in

#: `systemctl reload|restart` loads what is on disk now (and notes the config's mode: who could read it); `is-active`
#: is true.
SYSTEMCTL = """#!/bin/sh
case "$1" in
  reload) cp "$W/app.conf" "$W/loaded"; stat -c %a "$W/app.conf" >> "$W/modes" ;;
  restart) cp "$W/installed" "$W/running" ;;
  cat) echo "[Service]" ;;
  show) echo "ActiveEnterTimestamp=now" ;;
esac
exit 0
"""

#: dpkg and apt for one package: `installed` holds its version.
DPKG_QUERY = """#!/bin/sh
cat "$W/installed"
"""
DPKG = """#!/bin/sh
echo "app install"
"""
APT_CACHE = """#!/bin/sh
echo " app | 2.0 | http://deb.example/ stable/main"
echo " app | 1.0 | http://deb.example/ stable/main"
"""
APT_GET = """#!/bin/sh
for word in "$@"; do case "$word" in *=*) printf '%s' "${word#*=}" > "$W/installed" ;; esac; done
exit 0
"""

#: A Deployment's revisions as Kubernetes keeps them: `revisions` lists images oldest first, the last one runs (and
#: is in `image`). Setting an image an older revision has moves that revision to the top; `rollout undo` goes to the
#: one before.
KUBECTL = """#!/bin/sh
r="$W/revisions"
case "$*" in
  *"set image"*)
    image="${*##*=}"
    grep -vxF -- "$image" "$r" > "$r.new"; echo "$image" >> "$r.new"; mv "$r.new" "$r" ;;
  *"rollout undo"*)
    previous="$(tail -n 2 "$r" | head -n 1)"
    grep -vxF -- "$previous" "$r" > "$r.new"; echo "$previous" >> "$r.new"; mv "$r.new" "$r" ;;
  *jsonpath*) tail -n 1 "$r" | tr -d '\\n' ;;
  *"-o yaml"*) echo "kind: Deployment" ;;
esac
tail -n 1 "$r" | tr -d '\\n' > "$W/image"
exit 0
"""

#: A database: `schema` is the migration's state, `data` its rows. The up migration runs while the application writes
#: (a row after the dump); `pg_restore` puts the dump's rows back, losing that one.
PSQL = """#!/bin/sh
case "$*" in
  *up/*) echo v2 > "$W/schema"; echo "a row written after the dump" >> "$W/data" ;;
  *down/*) echo v1 > "$W/schema" ;;
  *"select 1"*) echo 1 ;;
  *pg_stat_activity*) echo 0 ;;
esac
exit 0
"""
PG_DUMP = """#!/bin/sh
for word in "$@"; do case "$word" in --file=*) cat "$W/schema" "$W/data" > "${word#--file=}" ;; esac; done
"""
PG_RESTORE = """#!/bin/sh
for word in "$@"; do case "$word" in *.dump) head -n 1 "$word" > "$W/schema"; tail -n +2 "$word" > "$W/data" ;; esac; done
"""

TOOLS = {
    "config-edit": {"systemctl": SYSTEMCTL, "curl": "#!/bin/sh\nexit 0\n"},
    "package-upgrade": {"systemctl": SYSTEMCTL, "dpkg-query": DPKG_QUERY, "dpkg": DPKG, "apt-cache": APT_CACHE, "apt-get": APT_GET},
    "k8s-rollout": {"kubectl": KUBECTL},
    "database-migration": {"psql": PSQL, "pg_dump": PG_DUMP, "pg_restore": PG_RESTORE},
}


def world(kind: str, w: Path) -> tuple[dict[str, str], dict[str, str]]:
    """(the files of the world before the change, the -p values)."""
    if kind == "database-migration":  # the rows written during the change stay: a rollback undoes the change, not them
        for way in ("up", "down"):
            (w / "srv" / "migrations" / way / "0042_orders.sql").write_text(f"-- {way}\n")
        return {"schema": "v1\n", "data": "a row\na row written after the dump\n"}, {"database": "shop", "migration": "0042_orders"}
    if kind == "config-edit":
        (w / "new.conf").write_text("new\n")
        return {"app.conf": "old\n", "loaded": "old\n"}, {"conf_file": str(w / "app.conf"), "new_conf": str(w / "new.conf")}
    if kind == "package-upgrade":
        return {"installed": "1.0", "running": "1.0"}, {"package": "app", "to_version": "2.0", "service": "app"}
    (w / "revisions").write_text("registry/app:1.0\n")
    return {"image": "registry/app:1.0"}, {"namespace": "shop", "deployment": "app", "image": "registry/app:2.0"}


def here(path: Path, w: Path) -> None:
    """The steps run on this machine, without sudo (the tools are the stand-ins), their files kept in `w`."""
    text = re.sub(r"(?m)^ +(on: \w+|sudo: true)\n", "", path.read_text(encoding="utf-8"))
    for folder in ("/srv/migrations", "/var/backups", "/var/tmp"):
        text = text.replace(folder, f"{w}{folder}")
    path.write_text(text, encoding="utf-8")


#: The first verification step of each kind: `--fail-at` it, and the change has run when it fails.
FIRST_CHECK = {"config-edit": "health", "package-upgrade": "version-installed", "k8s-rollout": "wait-rollout", "database-migration": "app-queries"}


@pytest.mark.parametrize("fail_at", [False, True], ids=["full-rollback", "to-the-checkpoint"])
@pytest.mark.parametrize("kind", sorted(TOOLS))
def test_each_kind_rehearsed_comes_back_to_the_world_before_it(kind, fail_at, tmp_path, monkeypatch, capsys):
    path = tmp_path / f"{kind}.yaml"
    assert cli_main(["new", str(path), "--kind", kind]) == 0
    fill_in(path)
    tools, w = tmp_path / "bin", tmp_path / "w"
    here(path, w)
    tools.mkdir()
    for folder in ("srv/migrations/up", "srv/migrations/down", "var/backups", "var/tmp"):
        (w / folder).mkdir(parents=True)
    for name, script in TOOLS[kind].items():
        (tools / name).write_text(script)
        (tools / name).chmod(0o755)
    before, values = world(kind, w)
    for name, content in before.items():
        (w / name).write_text(content.replace("a row written after the dump\n", ""))  # written by the change's time
        (w / name).chmod(0o640)
    monkeypatch.setenv("W", str(w))
    monkeypatch.setenv("PATH", f"{tools}:/usr/bin:/bin")
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    args = ["rehearse", "--yes", "--ack-manual", "a rehearsal", str(path), "--journal", "rehearsal.jsonl"]
    if fail_at:
        args += ["--fail-at", FIRST_CHECK[kind]]
    for name, value in values.items():
        args += ["-p", f"{name}={value}"]
    code = cli_main(args)
    out = capsys.readouterr()
    said = out.out + out.err
    if kind == "config-edit":  # a config holding a password stays readable by its service alone, new or restored
        assert set((w / "modes").read_text().split()) == {"640"}, said
        assert stat.S_IMODE((w / "app.conf").stat().st_mode) == 0o640
    assert {name: (w / name).read_text() for name in before} == before, said
    assert code == 0, said
    assert "rollback restored state" in said
