"""The bodies of `runbook-tui new`'s runbooks (params, hosts, metrics, sections), one per kind of change.

scaffold.py puts the header and ticket on top. Each must validate as
written: tests/runbook/test_new.py checks every kind.

A full rollback runs every undo, newest first, then the rollback section:
so an undo that puts a file or a version back also reloads or restarts
what reads it (a later step's undo has run before it), nothing the
rollback section reads is removed by an undo, and the rollback section
must be right after the undos ran (tests/runbook/test_new_rehearsed.py).
"""

#: The guard both rollouts watch (needs their `prometheus_url` parameter): a 5xx-ratio panel; each adds its `on_critical`.
_ERRORS_METRICS = r"""metrics:
  source:
    prometheus: {url: "{{ prometheus_url }}"}
  panels:
    - id: errors
      title: 5xx ratio
      query: 'sum(rate(http_requests_total{code=~"5.."}[1m])) / sum(rate(http_requests_total[1m])) * 100'   # EDIT
      unit: "%"
      warn: 0.5
      critical: 2
      for: 1m
"""

CONFIG_EDIT = r"""
params:
  conf_file: {type: string, required: true, pattern: '^/', description: "The config file to change on each host"}
  new_conf: {type: string, required: true, pattern: '^/', description: "The reviewed new version, already on each host"}
  service: {type: string, default: nginx, description: "The service that reads the file"}
  web_hosts: {type: list, default: [web1, web2], description: "The hosts to change (EDIT)"}
hosts:
  web: {from_param: web_hosts}

sections:
  - id: prechecks
    title: Pre-checks
    kind: precheck
    steps:
      - id: service-healthy
        title: The service runs on every host
        on: web
        run: systemctl is-active {{ service }}
      - id: new-file-present
        title: The reviewed file is on every host
        on: web
        run: test -s {{ new_conf }}

  - id: backup
    title: Backup
    kind: backup
    steps:
      - id: backup-config
        title: Keep a copy of the current file
        on: web
        run: cp -p -- {{ conf_file }} {{ conf_file }}.before-change
        undo: ls -l -- {{ conf_file }}.before-change    # the copy is kept: the rollback section reads it
        sudo: true
        checkpoint: true

  - id: change
    title: Change
    kind: implement
    steps:
      - id: install-config
        title: Install the new file and reload, one host first
        on: web
        run: cp -- {{ new_conf }} {{ conf_file }} && systemctl reload {{ service }}    # cp into the file keeps its owner and mode
        undo: cp -p -- {{ conf_file }}.before-change {{ conf_file }} && systemctl reload {{ service }}
        sudo: true
        serial: [1, "100%"]

  - id: verify
    title: Verification
    kind: verify
    steps:
      - id: health
        title: Every host answers its health check
        on: web
        run: curl -fsS -o /dev/null http://127.0.0.1/healthz    # EDIT: your health check
        retries: 3
        timeout: 10s

  - id: postchecks
    title: Post-checks
    kind: postcheck
    steps:
      - id: file-in-place
        title: The new file is the one in place
        on: web
        run: cmp -- {{ new_conf }} {{ conf_file }}

  - id: rollback
    title: Rollback
    kind: rollback
    steps:
      - id: restore-config
        title: Put the old file back and reload
        on: web
        run: cp -p -- {{ conf_file }}.before-change {{ conf_file }} && systemctl reload {{ service }}
        sudo: true
"""

PACKAGE_UPGRADE = r"""
params:
  package: {type: string, required: true, description: "The Debian/Ubuntu package to upgrade"}
  to_version: {type: string, required: true, description: "The exact version to install"}
  service: {type: string, required: true, description: "The service to restart afterwards"}
  app_hosts: {type: list, default: [app1, app2], description: "The hosts to upgrade (EDIT)"}
hosts:
  app: {from_param: app_hosts}

sections:
  - id: prechecks
    title: Pre-checks
    kind: precheck
    steps:
      - id: current-version
        title: Record the installed version
        on: app
        run: dpkg-query -W -f='${Version}' {{ package }}
        capture: old_version
      - id: target-available
        title: The target version is in the repository
        on: app
        run: apt-cache madison {{ package }} | grep -F -- {{ to_version }}

  - id: backup
    title: Backup
    kind: backup
    steps:
      - id: save-package-list
        title: Save the package selection
        on: app
        run: dpkg --get-selections > /var/tmp/selections.before-change
        undo: rm -f /var/tmp/selections.before-change
        checkpoint: true

  - id: change
    title: Upgrade
    kind: implement
    steps:
      - id: install
        title: Install the new version and restart, one host first
        on: app
        run: DEBIAN_FRONTEND=noninteractive apt-get install -y {{ package }}={{ to_version }} && systemctl restart {{ service }}
        undo: DEBIAN_FRONTEND=noninteractive apt-get install -y --allow-downgrades {{ package }}={{ captured.old_version }} && systemctl restart {{ service }}
        sudo: true
        serial: [1, "100%"]
        timeout: 10m

  - id: verify
    title: Verification
    kind: verify
    steps:
      - id: version-installed
        title: The new version is installed
        on: app
        run: dpkg-query -W -f='${Version}' {{ package }}
        expect: {stdout: '^{{ to_version }}$'}
      - id: service-active
        title: The service runs
        on: app
        run: systemctl is-active {{ service }}
        retries: 3

  - id: postchecks
    title: Post-checks
    kind: postcheck
    steps:
      - id: logs-clean
        title: Look at the service's log
        note: Check `journalctl -u {{ service }} --since -15min` on one host for errors.

  - id: rollback
    title: Rollback
    kind: rollback
    steps:
      - id: reinstall-old
        title: Reinstall the recorded version
        on: app
        run: DEBIAN_FRONTEND=noninteractive apt-get install -y --allow-downgrades {{ package }}={{ captured.old_version }} && systemctl restart {{ service }}
        sudo: true
"""

DATABASE_MIGRATION = r"""
params:
  database: {type: string, required: true, description: "The database to migrate"}
  migration: {type: string, required: true, pattern: '^[A-Za-z0-9_.-]+$', description: "The migration's name (files up/ and down/ on the host)"}
  db_hosts: {type: list, default: [db1], description: "The primary (EDIT)"}
hosts:
  db: {from_param: db_hosts}

sections:
  - id: prechecks
    title: Pre-checks
    kind: precheck
    steps:
      - id: db-reachable
        title: The database answers
        on: db
        run: psql -Atc 'select 1' {{ database }}
        expect: {stdout: '^1$'}
      - id: files-present
        title: The up and down migrations are on the host
        on: db
        run: test -s /srv/migrations/up/{{ migration }}.sql && test -s /srv/migrations/down/{{ migration }}.sql

  - id: backup
    title: Backup
    kind: backup
    steps:
      - id: dump
        title: Dump the database
        on: db
        run: pg_dump --format=custom --file=/var/backups/{{ database }}.before-{{ migration }}.dump {{ database }}
        undo: ls -l /var/backups/{{ database }}.before-{{ migration }}.dump    # the dump is kept
        timeout: 1h
        checkpoint: true

  - id: change
    title: Migrate
    kind: implement
    steps:
      - id: migrate-up
        title: Apply the migration in one transaction
        on: db
        run: psql --single-transaction -v ON_ERROR_STOP=1 -f /srv/migrations/up/{{ migration }}.sql {{ database }}
        undo: psql --single-transaction -v ON_ERROR_STOP=1 -f /srv/migrations/down/{{ migration }}.sql {{ database }}
        timeout: 30m

  - id: verify
    title: Verification
    kind: verify
    steps:
      - id: app-queries
        title: The application's queries work
        on: db
        run: psql -Atc 'select 1' {{ database }}    # EDIT: a query that needs the new schema
      - id: app-healthy
        title: The application is healthy
        note: Check the application's error rate and latency dashboards.

  - id: postchecks
    title: Post-checks
    kind: postcheck
    steps:
      - id: no-long-locks
        title: No lock waits left behind
        on: db
        run: psql -Atc "select count(*) from pg_stat_activity where wait_event_type = 'Lock'" {{ database }}
        expect: {stdout: '^0$'}

  - id: rollback
    title: Rollback
    kind: rollback
    steps:
      - id: schema-back
        title: The schema is as before the migration
        on: db
        run: psql -Atc 'select 1' {{ database }}    # EDIT: a query that fails while the migration is applied
      - id: restore-if-needed
        title: Restore the dump only if the data is wrong
        note: >-
          The down migration ran (the rollback stops at it when it fails). Only if the data is still wrong, restore
          the dump on the primary, losing every write since it was taken:
          pg_restore --clean --if-exists --single-transaction --dbname={{ database }} /var/backups/{{ database }}.before-{{ migration }}.dump
"""

ROLLING_RESTART = (
    r"""
params:
  service: {type: string, required: true, description: "The systemd unit to restart"}
  app_hosts: {type: list, default: [app1, app2, app3, app4], description: "The hosts, in restart order (EDIT)"}
  prometheus_url: {type: string, default: "http://prometheus:9090", description: "Where the guards' metrics come from (EDIT)"}
hosts:
  app: {from_param: app_hosts}
"""
    + _ERRORS_METRICS
    + r"""      on_critical: pause

sections:
  - id: prechecks
    title: Pre-checks
    kind: precheck
    steps:
      - id: all-active
        title: The service runs on every host
        on: app
        run: systemctl is-active {{ service }}

  - id: backup
    title: Backup
    kind: backup
    steps:
      - id: save-unit
        title: Keep the unit as it is now
        on: app
        run: systemctl cat {{ service }} > /var/tmp/{{ service }}.unit.before-change
        undo: rm -f /var/tmp/{{ service }}.unit.before-change
        checkpoint: true

  - id: change
    title: Restart
    kind: implement
    steps:
      - id: restart
        title: Restart, one host, then a quarter at a time
        on: app
        run: systemctl restart {{ service }} && sleep 5 && systemctl is-active {{ service }}
        undo: systemctl restart {{ service }}
        sudo: true
        serial: [1, "25%"]
        max_fail: 0
        watch: [errors]
      - id: soak
        title: Let it settle
        wait: 2m
        watch: [errors]

  - id: verify
    title: Verification
    kind: verify
    steps:
      - id: all-active-again
        title: The service runs on every host
        on: app
        run: systemctl is-active {{ service }}
        expect: {metric: {panel: errors, below: 0.5}}

  - id: postchecks
    title: Post-checks
    kind: postcheck
    steps:
      - id: restarted-recently
        title: Every host restarted in this window
        on: app
        run: systemctl show -p ActiveEnterTimestamp {{ service }}

  - id: rollback
    title: Rollback
    kind: rollback
    steps:
      - id: what-now
        title: A restart cannot be undone
        note: Hosts that failed stay out of the pool; find the cause in `journalctl -u {{ service }}` before restarting them.
"""
)

KUBERNETES_ROLLOUT = (
    r"""
params:
  namespace: {type: string, required: true, description: "The namespace"}
  deployment: {type: string, required: true, description: "The Deployment to update"}
  image: {type: string, required: true, pattern: '^[^\s]+:[^\s]+$', description: "The new image, with its tag"}
  prometheus_url: {type: string, default: "http://prometheus:9090", description: "Where the guards' metrics come from (EDIT)"}
"""
    + _ERRORS_METRICS
    + r"""      on_critical: rollback
  success:
    - {panel: errors, below: 0.5, within: 10m}

sections:
  - id: prechecks
    title: Pre-checks
    kind: precheck
    steps:
      - id: rollout-settled
        title: The Deployment is not mid-rollout
        run: kubectl --namespace {{ namespace }} rollout status deployment/{{ deployment }} --timeout=60s
      - id: current-image
        title: Record the running image
        run: kubectl --namespace {{ namespace }} get deployment {{ deployment }} -o 'jsonpath={.spec.template.spec.containers[0].image}'
        capture: old_image

  - id: backup
    title: Backup
    kind: backup
    steps:
      - id: save-manifest
        title: Keep the Deployment as it is now
        run: kubectl --namespace {{ namespace }} get deployment {{ deployment }} -o yaml > {{ deployment }}.before-change.yaml
        undo: rm -f {{ deployment }}.before-change.yaml
        checkpoint: true

  - id: change
    title: Roll out
    kind: implement
    steps:
      - id: set-image
        title: Set the new image
        run: kubectl --namespace {{ namespace }} set image deployment/{{ deployment }} '*'={{ image }}    # EDIT: '*' is every container
        undo: kubectl --namespace {{ namespace }} set image deployment/{{ deployment }} '*'={{ captured.old_image }}

  - id: verify
    title: Verification
    kind: verify
    steps:
      - id: wait-rollout
        title: Wait for the rollout
        run: kubectl --namespace {{ namespace }} rollout status deployment/{{ deployment }} --timeout=10m
        timeout: 11m
        watch: [errors]
      - id: image-running
        title: The new image runs
        run: kubectl --namespace {{ namespace }} get deployment {{ deployment }} -o 'jsonpath={.spec.template.spec.containers[0].image}'
        expect: {stdout: '^{{ image }}$', metric: {panel: errors, below: 0.5}}

  - id: postchecks
    title: Post-checks
    kind: postcheck
    steps:
      - id: no-restarts
        title: No pod restarting
        run: kubectl --namespace {{ namespace }} get pods -l app={{ deployment }}    # EDIT: the selector
      - id: dashboards
        title: Dashboards look normal
        note: Check latency and saturation for 10 minutes after the rollout.

  - id: rollback
    title: Rollback
    kind: rollback
    steps:
      - id: old-image-runs
        title: The recorded image runs again
        run: kubectl --namespace {{ namespace }} set image deployment/{{ deployment }} '*'={{ captured.old_image }} && kubectl --namespace {{ namespace }} rollout status deployment/{{ deployment }} --timeout=10m
"""
)
