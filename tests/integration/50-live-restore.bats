#!/usr/bin/env bats
# Live restore: containers outlive a kill -9 of pouchd and a restarted pouchd takes them back;
# exits while the daemon is down are collected with their real code; dead shims; restart policies.

bats_require_minimum_version 1.5.0
load helpers

setup_file() { pouchd_setup_file; }
teardown_file() { pouchd_teardown_file; }
teardown() { dump_log_on_failure; }

restart_count_at_least() { [ "$(pouch inspect -f '{{.RestartCount}}' "$1" 2> /dev/null)" -ge "$2" ]; }
status_code_is() { [ "$(pouch inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$1" 2> /dev/null)" = "$2" ]; }

@test "a second pouchd on the same home is refused" {
        run "$BIN/pouchd" --home "$PHOME" --listen "unix://$PT/second.sock"
        [ "$status" -ne 0 ]
        [[ "$output" == *"already running"* ]]
        [ ! -S "$PT/second.sock" ]
        ping_ok
}

@test "kill -9 of pouchd: containers keep running; a restarted pouchd sees, logs, execs, stops them" {
        pouch run -d --name keep busybox sh -c 'echo before-crash; exec sleep 1000'
        wait_for 10 bash -c '"$BIN/pouch" logs keep | grep -q before-crash'
        pid="$(pouch inspect -f '{{.State.Pid}}' keep)"
        [ "$pid" -gt 0 ]
        spid="$(shim_pid keep)"
        pouchd_kill9
        run ! ping_ok
        pid_alive "$pid"
        pid_alive "$spid"
        grep -q sleep "/proc/$pid/cmdline"
        pouchd_restart
        run pouch ps --format '{{.Names}} {{.Status}}'
        [[ "$output" == *"keep Up"* ]]
        [ "$(pouch inspect -f '{{.State.Pid}}' keep)" = "$pid" ]
        run pouch logs keep
        [ "$output" = "before-crash" ]
        run pouch exec keep echo exec-after-restore
        [ "$output" = "exec-after-restore" ]
        if [ -x "$DOCKER_BIN" ]; then
                run dockerc ps --format '{{.Names}}'
                [ "$output" = "keep" ]
        fi
        pouch stop -t 1 keep
        wait_for 10 pid_dead "$pid"
        run pouch inspect -f '{{.State.Status}}' keep
        [ "$output" = "exited" ]
        pouch rm keep
        run pouch ps -aq
        [ -z "$output" ]
}

@test "a container that exits while pouchd is down shows its real exit code afterwards" {
        pouch run -d --name dies busybox sh -c 'echo bye; sleep 2; exit 7'
        pid="$(pouch inspect -f '{{.State.Pid}}' dies)"
        pouchd_kill9
        wait_for 20 pid_dead "$pid"
        pouchd_restart
        wait_for 10 status_code_is dies "exited 7"
        run pouch logs dies
        [ "$output" = "bye" ]
        run pouch wait dies
        [ "$output" = "7" ]
        run pouch rm dies
        [ "$status" -eq 0 ]
}

@test "a running container survives two daemon restarts and rm -f works after them" {
        pouch run -d --name twice busybox sleep 1000
        pid="$(pouch inspect -f '{{.State.Pid}}' twice)"
        pouchd_kill9
        pouchd_restart
        pouchd_stop TERM
        pid_alive "$pid"
        pouchd_restart
        [ "$(pouch inspect -f '{{.State.Status}} {{.State.Pid}}' twice)" = "running $pid" ]
        pouch rm -f twice
        wait_for 10 pid_dead "$pid"
        run pouch inspect twice
        [ "$status" -ne 0 ]
}

@test "SIGKILL of a container's shim: the container is reported exited with an error" {
        pouch run -d --name orphan busybox sleep 1000
        spid="$(shim_pid orphan)"
        grep -qa pouch-shim "/proc/$spid/cmdline"
        kill -KILL "$spid"
        wait_for 20 state_is orphan exited
        run pouch inspect -f '{{.State.Error}}' orphan
        [ -n "$output" ]
        run pouch rm -f orphan
        [ "$status" -eq 0 ]
}

@test "restart policy always: an exiting container is started again" {
        pouch run -d --name alw --restart always busybox sh -c 'sleep 0.3; exit 1'
        wait_for 30 restart_count_at_least alw 2
        run pouch inspect -f '{{.HostConfig.RestartPolicy.Name}}' alw
        [ "$output" = "always" ]
        pouch rm -f alw
}

@test "restart policy on-failure:2 stops after 2 retries; exit 0 is not retried" {
        pouch run -d --name onf --restart on-failure:2 busybox sh -c 'exit 3'
        wait_for 30 bash -c '[ "$("$BIN/pouch" inspect -f "{{.RestartCount}} {{.State.Status}}" onf)" = "2 exited" ]'
        # no third attempt comes
        sleep 1
        run pouch inspect -f '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}' onf
        [ "$output" = "2 exited 3" ]
        pouch rm onf
        pouch run -d --name onf0 --restart on-failure busybox true
        wait_for 10 state_is onf0 exited
        sleep 1
        run pouch inspect -f '{{.RestartCount}} {{.State.Status}}' onf0
        [ "$output" = "0 exited" ]
        pouch rm onf0
}

@test "restart policy no and unless-stopped; an explicit stop is never undone" {
        pouch run -d --name pno --restart no busybox sh -c 'exit 1'
        wait_for 10 state_is pno exited
        sleep 1
        [ "$(pouch inspect -f '{{.RestartCount}} {{.State.Status}}' pno)" = "0 exited" ]
        pouch run -d --name uls --restart unless-stopped busybox sh -c 'sleep 0.3; exit 1'
        wait_for 30 restart_count_at_least uls 1
        pouch stop -t 1 uls
        wait_for 10 state_is uls exited
        n="$(pouch inspect -f '{{.RestartCount}}' uls)"
        sleep 1
        [ "$(pouch inspect -f '{{.RestartCount}} {{.State.Status}}' uls)" = "$n exited" ]
        # still stopped after a daemon restart
        pouchd_stop TERM
        pouchd_restart
        sleep 1
        run pouch inspect -f '{{.State.Status}}' uls
        [ "$output" = "exited" ]
        pouch rm pno uls
}

@test "after a daemon restart, an always container that died while pouchd was down is started again" {
        pouch run -d --name alw2 --restart always busybox sh -c 'sleep 1; exit 1'
        pid="$(pouch inspect -f '{{.State.Pid}}' alw2)"
        pouchd_kill9
        wait_for 20 pid_dead "$pid"
        before="$(date +%s)"
        pouchd_restart
        wait_for 20 restart_count_at_least alw2 1
        wait_for 20 bash -c '[ "$("$BIN/pouch" inspect -f "{{.State.Pid}}" alw2)" != "'"$pid"'" ]'
        pouch rm -f alw2
        # the events of the restart are there
        run pouch events --since "$before" --until "$(($(date +%s) + 1))" -f container=alw2 -f event=start
        [[ "$output" == *'"start"'* ]]
}
