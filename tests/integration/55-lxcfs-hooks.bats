#!/usr/bin/env bats
# lxcfs views (memory, cpuset, uptime), lxcfs restarted and re-bound after kill -9, remount-lxcfs;
# oci-hooks(5) directories: annotation and command matching, a failing prestart hook, poststop
# after SIGKILL of PID 1.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
        pouchd_setup_file
        mkdir -p "$PT/hooks.d" "$PT/out"
        # record ARG: the OCI state from stdin into $PT/out/ARG.json
        printf '#!/bin/sh\ncat > "%s/out/$1.json"\n' "$PT" > "$PT/record"
        printf '#!/bin/sh\ncat > /dev/null\necho "hooks.d refused the container" >&2\nexit 4\n' > "$PT/refuse"
        chmod +x "$PT/record" "$PT/refuse"
        cat > "$PT/hooks.d/10-traced.json" << EOF
{"version": "1.0.0", "hook": {"path": "$PT/record", "args": ["record", "traced"]},
 "when": {"annotations": {"^com\\\\.example\\\\.trace\$": "^yes\$"}}, "stages": ["prestart"]}
EOF
        cat > "$PT/hooks.d/20-sleepers.json" << EOF
{"version": "1.0.0", "hook": {"path": "$PT/record", "args": ["record", "sleeper"]},
 "when": {"commands": ["^sleep\$"]}, "stages": ["prestart"]}
EOF
        cat > "$PT/hooks.d/30-refuse.json" << EOF
{"version": "1.0.0", "hook": {"path": "$PT/refuse", "args": ["refuse"], "timeout": 10},
 "when": {"annotations": {"^com\\\\.example\\\\.refuse\$": ".*"}}, "stages": ["prestart"]}
EOF
        cat > "$PT/hooks.d/40-poststop.json" << EOF
{"version": "1.0.0", "hook": {"path": "$PT/record", "args": ["record", "post"]},
 "when": {"annotations": {"^com\\\\.example\\\\.post\$": "^yes\$"}}, "stages": ["poststop"]}
EOF
        echo '{"version": "1.0.0", broken' > "$PT/hooks.d/50-broken.json"
        # the file's pouchd again, with the hook directory
        pouchd_stop TERM
        pouchd_restart --hooks-dir "$PT/hooks.d"
}
teardown_file() {
        # the second pouchd of the last test, when that test failed half-way
        local p
        if p="$(cat "$PT/pouchd2.pid" 2> /dev/null)" && pid_alive "$p" && grep -qa pouchd "/proc/$p/cmdline"; then
                kill -KILL "$p" || true
        fi
        if [ -f "$PT/bridge2" ]; then ip link del "$(cat "$PT/bridge2")" 2> /dev/null || true; fi
        pouchd_teardown_file
}
teardown() {
        dump_log_on_failure
        rm -f "$PT"/out/*.json
}

lxcfs_pid() { curl -s --max-time 10 --unix-socket "$PSOCK" http://x/info | jq -r '.Lxcfs.Pid'; }
meminfo_total() { pouch exec "$1" awk '/^MemTotal:/ {print $2}' /proc/meminfo; }
meminfo_is() { [ "$(meminfo_total "$1" 2> /dev/null)" = "$2" ]; }

@test "pouch info shows lxcfs running on its mount point under the home" {
        [ -x /usr/bin/lxcfs ] || skip "lxcfs is not installed"
        run -0 api GET /info
        [ "$(jq -r .Lxcfs.Running <<< "$output")" = true ]
        [ "$(jq -r .LxcfsEnabled <<< "$output")" = true ]
        [ "$(jq -r .Lxcfs.Mountpoint <<< "$output")" = "$PHOME/lxcfs" ]
        findmnt -n -o FSTYPE "$PHOME/lxcfs" | grep -q fuse
        run -0 pouch info
        [[ "$output" == *"Lxcfs: running"* ]]
}

@test "lxcfs views: -m 256m is MemTotal 262144 kB, --cpuset-cpus 0 is one CPU, uptime starts near 0" {
        [ -x /usr/bin/lxcfs ] || skip "lxcfs is not installed"
        pouch run -d --name lx1 --enable-lxcfs -m 256m --cpuset-cpus 0 busybox sleep 1000
        [ "$(meminfo_total lx1)" = 262144 ]
        [ "$(pouch exec lx1 grep -c ^processor /proc/cpuinfo)" = 1 ]
        [ "$(pouch exec lx1 grep -c '^cpu[0-9]' /proc/stat)" = 1 ]
        [ "$(pouch exec lx1 cat /sys/devices/system/cpu/online)" = 0 ]
        up="$(pouch exec lx1 cut -d. -f1 /proc/uptime)"
        [ "$up" -lt 30 ]
        # the host's own uptime differs (the view is the container's)
        [ "$(pouch inspect -f '{{json .LxcfsMounts}}' lx1 | jq -r 'index("/proc/meminfo") != null')" = true ]
        # without lxcfs the container sees the host
        run -0 pouch run --rm -m 256m busybox awk '/^MemTotal:/ {print $2}' /proc/meminfo
        [ "$output" != 262144 ]
}

@test "kill -9 of lxcfs: within 5 s /proc/meminfo reads right again without restarting the container" {
        [ -x /usr/bin/lxcfs ] || skip "lxcfs is not installed"
        state_is lx1 running || pouch run -d --name lx1 --enable-lxcfs -m 256m busybox sleep 1000
        pid1="$(pouch inspect -f '{{.State.Pid}}' lx1)"
        old="$(lxcfs_pid)"
        [ "$old" -gt 0 ]
        kill -9 "$old"
        wait_for 5 meminfo_is lx1 262144
        [ "$(lxcfs_pid)" != "$old" ]
        [ "$(pouch inspect -f '{{.State.Pid}}' lx1)" = "$pid1" ]
        [ "$(api GET /info | jq -r .Lxcfs.Restarts)" -ge 1 ]
}

@test "remount-lxcfs binds the views again by hand" {
        [ -x /usr/bin/lxcfs ] || skip "lxcfs is not installed"
        state_is lx1 running || pouch run -d --name lx1 --enable-lxcfs -m 256m busybox sleep 1000
        run -0 pouch remount-lxcfs lx1
        [ "$output" = lx1 ]
        [ "$(meminfo_total lx1)" = 262144 ]
        # no stacking: one lxcfs mount per view
        [ "$(pouch exec lx1 grep -c ' /proc/meminfo ' /proc/self/mountinfo)" = 1 ]
        run -0 pouch remount-lxcfs
        [[ "$output" == "$(cid lx1 | cut -c1-12)"* ]]
        [ "$(api_code POST /containers/lx1/remount-lxcfs)" = 204 ]
        pouch run -d --name nolx busybox sleep 1000
        run pouch remount-lxcfs nolx
        [ "$status" -ne 0 ]
        [[ "$output" == *"does not use lxcfs"* ]]
        pouch rm -f nolx lx1
}

@test "a hooks.d hook matched by --annotation runs and gets the state's id and pid" {
        pouch run --name an1 --annotation com.example.trace=yes busybox true
        id="$(cid an1)"
        [ "$(jq -r .id "$PT/out/traced.json")" = "$id" ]
        [ "$(jq -r '.pid > 0' "$PT/out/traced.json")" = true ]
        [ "$(jq -r '.annotations["com.example.trace"]' "$PT/out/traced.json")" = yes ]
        run -0 pouch inspect -f '{{json .AppliedHooks}}' an1
        [ "$(jq -r '.[0].Source' <<< "$output")" = "$PT/hooks.d/10-traced.json" ]
        [ "$(jq -r '.[0].Stage' <<< "$output")" = prestart ]
        # another value does not match
        rm -f "$PT/out/traced.json"
        pouch run --rm --annotation com.example.trace=no busybox true
        [ ! -e "$PT/out/traced.json" ]
        pouch rm an1
}

@test "when.commands matches only that command" {
        pouch run --rm busybox sleep 0.1
        [ -s "$PT/out/sleeper.json" ]
        rm -f "$PT/out/sleeper.json"
        pouch run --rm busybox sh -c 'sleep 0.1'
        [ ! -e "$PT/out/sleeper.json" ]
        pouch run --rm busybox true
        [ ! -e "$PT/out/sleeper.json" ]
}

@test "a failing hooks.d prestart hook fails the start with its stderr and leaves no process" {
        run pouch run --name bad1 --annotation com.example.refuse=1 busybox sleep 1000
        [ "$status" -ne 0 ]
        [[ "$output" == *"hooks.d refused the container"* ]]
        [ "$(state_of bad1)" != running ]
        [ "$(pouch inspect -f '{{.State.Pid}}' bad1)" = 0 ]
        run runc --root "$PHOME/runtime/runc" state "$(cid bad1)"
        [ "$status" -ne 0 ]
        pouch rm -f bad1
}

@test "a hooks.d poststop hook runs after the container's PID 1 is killed with SIGKILL" {
        pouch run -d --name ps1 --annotation com.example.post=yes busybox sleep 1000
        kill -9 "$(pouch inspect -f '{{.State.Pid}}' ps1)"
        wait_for 10 test -s "$PT/out/post.json"
        [ "$(jq -r .status "$PT/out/post.json")" = stopped ]
        [ "$(jq -r .id "$PT/out/post.json")" = "$(cid ps1)" ]
        wait_for 10 state_is ps1 exited
        pouch rm ps1
}

@test "poststop runs when a running container is removed, and after a daemon restart" {
        pouch run -d --name ps2 --annotation com.example.post=yes busybox sleep 1000
        pouch rm -f ps2
        wait_for 10 test -s "$PT/out/post.json"
        rm -f "$PT/out/post.json"
        # pouchd, the shim and PID 1 all die: the next pouchd deletes the container, running poststop
        pouch run -d --name ps3 --annotation com.example.post=yes busybox sleep 1000
        id="$(cid ps3)"
        pid="$(pouch inspect -f '{{.State.Pid}}' ps3)"
        shim="$(shim_pid ps3)"
        pouchd_kill9
        kill -9 "$shim" "$pid"
        wait_for 10 pid_dead "$pid"
        [ ! -e "$PT/out/post.json" ]
        pouchd_restart --hooks-dir "$PT/hooks.d"
        wait_for 10 test -s "$PT/out/post.json"
        [ "$(jq -r .id "$PT/out/post.json")" = "$id" ]
        wait_for 10 state_is ps3 exited
        pouch rm -f ps3
}

@test "--enable-lxcfs without lxcfs is a clear 400; rich containers only warn" {
        # a second pouchd on its own home whose lxcfs is missing
        local h="$PT/h2" s="$PT/d2.sock" net=$((RANDOM % 250 + 1))
        echo "p2x$net" > "$PT/bridge2"
        ("$BIN/pouchd" --home "$h" --listen "unix://$s" --bridge "p2x$net" --bip "10.212.$net.1/24" \
                --lxcfs-binary /nonexistent/lxcfs < /dev/null >> "$PT/pouchd2.log" 2>&1 3>&- &
                echo $! > "$PT/pouchd2.pid")
        wait_for 20 curl -sf --unix-socket "$s" http://x/_ping
        "$BIN/pouch" -H "unix://$s" import "$PBUSYBOX" busybox:latest > /dev/null
        run "$BIN/pouch" -H "unix://$s" create --enable-lxcfs busybox true
        [ "$status" -ne 0 ]
        [[ "$output" == *"lxcfs is not available"* ]]
        code="$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$s" -X POST -H 'Content-Type: application/json' \
                -d '{"Image":"busybox","Cmd":["true"],"HostConfig":{"EnableLxcfs":true}}' http://x/containers/create)"
        [ "$code" = 400 ]
        [ "$(curl -s --unix-socket "$s" http://x/info | jq -r .Lxcfs.Running)" = false ]
        # a rich container wants lxcfs by default, and starts without it
        run -0 "$BIN/pouch" -H "unix://$s" run --rm --rich --net none busybox echo rich-ok
        [[ "$output" == *rich-ok* ]]
        grep -q "lxcfs is not available, starting without its views" "$PT/pouchd2.log"
        kill "$(cat "$PT/pouchd2.pid")"
        wait_for 15 pid_dead "$(cat "$PT/pouchd2.pid")"
}
