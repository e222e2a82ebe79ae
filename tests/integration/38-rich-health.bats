#!/usr/bin/env bats
# Health of rich containers: State.Health from pouch-init's services (busybox, services.d units
# bind-mounted) and from systemd (the Debian rich image), the ps status words, health_status events,
# the health filter and `pouch services`.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
        pouchd_setup_file
        # events are asked from here on (pouchd reads since=0 as "not given": from now)
        T0=$(date +%s)
        export T0
        mkdir -p "$PT/svc"
        # web runs; gate waits in ExecStartPre= until /tmp/go exists (the container stays
        # "starting" until then); breaker runs until /tmp/break exists, then exits 1 (Restart=no)
        cat > "$PT/svc/web.service" << 'EOF'
[Service]
ExecStart=/bin/sleep 100000
Restart=always
EOF
        cat > "$PT/svc/gate.service" << 'EOF'
[Service]
ExecStartPre=/bin/sh -c "while [ ! -e /tmp/go ]; do sleep 0.1; done"
ExecStart=/bin/sleep 100000
EOF
        cat > "$PT/svc/breaker.service" << 'EOF'
[Service]
ExecStart=/bin/sh -c "while [ ! -e /tmp/break ]; do sleep 0.1; done; echo breaking; exit 1"
Restart=no
EOF
        mkdir -p "$PT/loop"
        cat > "$PT/loop/crash.service" << 'EOF'
[Service]
ExecStart=/bin/sh -c "exit 7"
Restart=always
RestartSec=100ms
EOF
}
teardown_file() { pouchd_teardown_file; }
teardown() { dump_log_on_failure; }

health_of() { pouch inspect -f '{{.State.Health.Status}}' "$1" 2> /dev/null; }
health_is() { [ "$(health_of "$1")" = "$2" ]; }
streak_above() { [ "$(pouch inspect -f '{{.State.Health.FailingStreak}}' "$1")" -gt "$2" ]; }

@test "a rich container is starting while a service starts, then healthy: ps, docker ps, inspect, docker inspect" {
        pouch run -d --name hc --rich -v "$PT/svc:/etc/pouch/services.d:ro" busybox sleep 100000
        wait_for 20 health_is hc starting
        run pouch ps -f name=hc
        [ "$status" -eq 0 ]
        [[ "$output" == *"(health: starting) (rich: pouch-init)"* ]]
        run dockerc ps -f name=hc --format '{{.Status}}'
        [ "$status" -eq 0 ]
        [[ "$output" == "Up "*" (health: starting)" ]]

        pouch exec hc touch /tmp/go
        wait_for 20 health_is hc healthy
        run pouch ps -f name=hc
        [[ "$output" == *"(healthy) (rich: pouch-init)"* ]]
        [[ "$output" != *degraded* ]]
        run dockerc ps -f name=hc --format '{{.Status}}'
        [[ "$output" == "Up "*" (healthy)" ]]
        run dockerc inspect -f '{{.State.Health.Status}} {{.State.Health.FailingStreak}}' hc
        [ "$status" -eq 0 ]
        [ "$output" = "healthy 0" ]
        # the log says what was seen, service by service
        run pouch inspect -f '{{json .State.Health.Log}}' hc
        [ "$(jq -r '.[-1].ExitCode' <<< "$output")" = 0 ]
        [[ "$(jq -r '.[-1].Output' <<< "$output")" == *"breaker running; gate running; web running"* ]]
        [ "$(jq -r '.[-1] | has("Start") and has("End")' <<< "$output")" = true ]
}

@test "a service that fails makes the container unhealthy, degraded in ps, with the failure in the log" {
        health_is hc healthy
        pouch exec hc touch /tmp/break
        wait_for 20 health_is hc unhealthy
        run pouch ps -f name=hc
        [[ "$output" == *"(unhealthy) (degraded: 1 failed) (rich: pouch-init)"* ]]
        run dockerc ps -f name=hc --format '{{.Status}}'
        [[ "$output" == "Up "*" (unhealthy) (degraded: 1 failed)" ]]
        run dockerc inspect -f '{{.State.Health.Status}}' hc
        [ "$output" = unhealthy ]
        run pouch inspect -f '{{json .State.Health}}' hc
        [ "$(jq -r '.FailingStreak >= 1' <<< "$output")" = true ]
        [ "$(jq -r '.Log | length <= 5' <<< "$output")" = true ]
        [ "$(jq -r '.Log[-1].ExitCode' <<< "$output")" = 1 ]
        [[ "$(jq -r '.Log[-1].Output' <<< "$output")" == *"breaker failed (last exit code 1)"* ]]
        # FailingStreak counts the watcher's looks while it stays unhealthy
        streak=$(pouch inspect -f '{{.State.Health.FailingStreak}}' hc)
        wait_for 20 streak_above hc "$streak"
}

@test "health_status events: pouch events and GET /events with event=health_status" {
        run pouch events --since "$T0" --until "$(($(date +%s) + 1))" -f container=hc
        [ "$status" -eq 0 ]
        [[ "$output" == *'"Action":"health_status: healthy"'* ]]
        [[ "$output" == *'"Action":"health_status: unhealthy"'* ]]
        # healthy came before unhealthy
        [[ "$output" == *'health_status: healthy'*'health_status: unhealthy'* ]]
        run api GET "/events?since=$T0&until=$(($(date +%s) + 1))&filters=%7B%22event%22%3A%5B%22health_status%22%5D%7D"
        [ "$status" -eq 0 ]
        [ "$(jq -rs '[.[] | select(.Actor.Attributes.name == "hc")] | map(.Action) | join(",")' <<< "$output")" = \
                "health_status: healthy,health_status: unhealthy" ]
        [ "$(jq -rs '[.[] | select(.Actor.Attributes.name == "hc")][0] | .Type + " " + .status + " " + .Actor.Attributes.image' \
                <<< "$output")" = "container health_status: healthy busybox" ]
}

@test "the health filter: ps -f health=..., the list form of the API, docker ps" {
        pouch run -d --name plain busybox sleep 100000
        pouch run -d --name hc2 --rich busybox sleep 100000
        wait_for 20 health_is hc2 healthy
        run pouch ps -q --no-trunc -f health=unhealthy
        [ "$output" = "$(cid hc)" ]
        run pouch ps -q --no-trunc -f health=healthy
        [ "$output" = "$(cid hc2)" ]
        run pouch ps -q --no-trunc -f health=none
        [ "$output" = "$(cid plain)" ]
        run api GET '/containers/json?filters=%7B%22health%22%3A%5B%22healthy%22%2C%22unhealthy%22%5D%7D'
        [ "$(jq -r 'map(.Names[0]) | sort | join(",")' <<< "$output")" = "/hc,/hc2" ]
        run dockerc ps -f health=unhealthy --format '{{.Names}}'
        [ "$output" = hc ]
        run api_code GET '/containers/json?filters=%7B%22health%22%3A%5B%22sick%22%5D%7D'
        [ "$output" = 400 ]
        # docker-py: the list form of the filter, and State.Health.Status from inspect
        run /usr/bin/python3 - "$PSOCK" << 'EOF'
import sys
import docker

client = docker.DockerClient(base_url="unix://" + sys.argv[1], version="1.41")
got = sorted(c.name for c in client.containers.list(filters={"health": ["healthy", "unhealthy"]}))
if got != ["hc", "hc2"]:
    sys.exit("list: %r" % got)
states = [client.containers.get(n).attrs["State"]["Health"]["Status"] for n in ("hc", "hc2")]
if states != ["unhealthy", "healthy"]:
    sys.exit("inspect: %r" % states)
print("ok")
EOF
        [ "$status" -eq 0 ]
        [ "$output" = ok ]
        pouch rm -f plain hc2
}

@test "pouch services: a table and --format json" {
        run pouch services hc
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" == "NAME"*"SOURCE"*"STATE"*"PID"*"RESTARTS"*"LAST EXIT"*"REASON"* ]]
        row=$(grep '^breaker ' <<< "$output")
        read -r -a f <<< "$row"
        [ "${f[2]}" = failed ]
        [ "${f[3]}" = - ]
        [ "${f[4]}" = 0 ]
        [ "${f[5]}" = 1 ]
        row=$(grep '^web ' <<< "$output")
        read -r -a f <<< "$row"
        [ "${f[2]}" = running ]
        [ "${f[3]}" -gt 0 ]
        run pouch services --format json hc
        [ "$status" -eq 0 ]
        [ "$(jq -r 'map(select(.name != "crond" and .name != "cron")) | map(.name + "=" + .state) | join(",")' <<< "$output")" = \
                "breaker=failed,gate=running,web=running" ]
        run pouch services --format yaml hc
        [ "$status" -eq 1 ]
        pouch run -d --name notrich busybox sleep 100000
        run pouch services notrich
        [ "$status" -eq 1 ]
        [[ "$output" == *"not a rich container"* ]]
        pouch rm -f notrich
}

@test "a crash-looping service is unhealthy" {
        pouch run -d --name loop --rich -v "$PT/loop:/etc/pouch/services.d:ro" busybox sleep 100000
        wait_for 30 health_is loop unhealthy
        run pouch inspect -f '{{json .State.Health.Log}}' loop
        [[ "$(jq -r 'map(.Output) | join("\n")' <<< "$output")" == *"crash crash-looping, "*" restarts (last exit code 7)"* ]]
        pouch rm -f loop
}

@test "a stopped container shows no health in ps; started again, its record starts over" {
        pouch exec hc rm /tmp/go /tmp/break
        pouch stop -t 1 hc
        run pouch ps -a -f name=hc
        [[ "$output" == *"Exited"* ]]
        [[ "$output" != *"healthy"* ]]
        pouch start hc
        # gate waits for /tmp/go again: starting, whatever the watcher looks at
        [ "$(health_of hc)" = starting ]
        run pouch inspect -f '{{json .State.Health}}' hc
        [ "$(jq -r '.FailingStreak' <<< "$output")" = 0 ]
        # the log is kept across the restart, as docker keeps it
        [[ "$(jq -r '.Log | map(.Output) | join("\n")' <<< "$output")" == *"breaker failed"* ]]
        wait_for 20 health_is hc starting
        pouch exec hc touch /tmp/go
        wait_for 20 health_is hc healthy
}

@test "rich systemd mode: healthy when systemd runs, unhealthy with the failed unit named when one fails" {
        import_debian_rich
        pouch run -d --name sdh --rich --rich-mode systemd debian-rich sleep 100000
        wait_for 90 health_is sdh healthy
        run pouch ps -f name=sdh
        [[ "$output" == *"(healthy) (rich: systemd)"* ]]
        pouch exec sdh systemd-run --unit=pouch-broken /bin/false
        wait_for 30 health_is sdh unhealthy
        run pouch ps -f name=sdh
        [[ "$output" == *"(unhealthy) (degraded: 1 failed) (rich: systemd)"* ]]
        run pouch inspect -f '{{json .State.Health.Log}}' sdh
        [[ "$(jq -r '.[-1].Output' <<< "$output")" == *"systemd degraded; failed units: pouch-broken.service"* ]]
        pouch exec sdh systemctl reset-failed pouch-broken
        wait_for 30 health_is sdh healthy
        run pouch events --since "$T0" --until "$(($(date +%s) + 1))" -f container=sdh -f event=health_status
        [[ "$output" == *'health_status: healthy'*'health_status: unhealthy'*'health_status: healthy'* ]]
        pouch rm -f sdh
}
