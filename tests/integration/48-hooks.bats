#!/usr/bin/env bats
# Per-container OCI hooks (--hook STAGE=PATH[,ARG...], HostConfig.Hooks): state on stdin, a failing
# prestart hook fails the start clearly, poststop runs when PID 1 is killed.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
        pouchd_setup_file
        mkdir -p "$PT/hooks"
        printf '#!/bin/sh\ncat > "%s/hooks/$1.json"\n' "$PT" > "$PT/hooks/record"
        printf '#!/bin/sh\necho "hook refused the container" >&2\nexit 3\n' > "$PT/hooks/refuse"
        chmod +x "$PT/hooks/record" "$PT/hooks/refuse"
}
teardown_file() { pouchd_teardown_file; }
teardown() { dump_log_on_failure; }

@test "a prestart hook gets the OCI state (id, pid) on stdin" {
        pouch run --name hk1 --hook "prestart=$PT/hooks/record,pre" busybox true
        id="$(cid hk1)"
        [ "$(jq -r .id "$PT/hooks/pre.json")" = "$id" ]
        [ "$(jq -r '.pid > 0' "$PT/hooks/pre.json")" = true ]
        [ "$(jq -r .status "$PT/hooks/pre.json")" = creating ]
        pouch rm hk1
}

@test "a failing prestart hook fails the start with the hook's error and leaves no process" {
        run pouch run --name hk2 --hook "prestart=$PT/hooks/refuse" busybox sleep 1000
        [ "$status" -ne 0 ]
        [[ "$output" == *"error running hook"* ]]
        [ "$(state_of hk2)" != running ]
        [ "$(pouch inspect -f '{{.State.Pid}}' hk2)" = 0 ]
        # nothing of it left in the runtime
        run runc --root "$PHOME/runtime/runc" state "$(cid hk2)"
        [ "$status" -ne 0 ]
        pouch rm -f hk2
}

@test "poststop runs after the container's PID 1 is killed with SIGKILL" {
        pouch run -d --name hk3 --hook "poststop=$PT/hooks/record,post" busybox sleep 1000
        kill -9 "$(pouch inspect -f '{{.State.Pid}}' hk3)"
        wait_for 10 test -s "$PT/hooks/post.json"
        [ "$(jq -r .status "$PT/hooks/post.json")" = stopped ]
        [ "$(jq -r .id "$PT/hooks/post.json")" = "$(cid hk3)" ]
        pouch rm hk3
}

@test "bad hooks are refused: unknown stage, relative path" {
        run pouch run --rm --hook "prestrat=$PT/hooks/record" busybox true
        [ "$status" -ne 0 ]
        [[ "$output" == *"unknown hook stage"* ]]
        run pouch run --rm --hook "prestart=hooks/record" busybox true
        [ "$status" -ne 0 ]
        [[ "$output" == *"--hook"* ]]
}

@test "a hook without a timeout is stopped after pouchd's --hook-timeout" {
        printf '#!/bin/sh\nexec sleep 600\n' > "$PT/hooks/hang"
        chmod +x "$PT/hooks/hang"
        pouchd_stop
        pouchd_restart --hook-timeout 2
        t0=$SECONDS
        run pouch run --name hk4 --hook "prestart=$PT/hooks/hang" busybox true
        [ "$status" -ne 0 ]
        [ $((SECONDS - t0)) -lt 30 ]
        [[ "$output" == *"timeout"* ]]
        [ "$(state_of hk4)" != running ]
        pouch rm -f hk4
        # the spec carries the default for every stage
        pouch create --name hk5 --hook "prestart=$PT/hooks/record,t" --hook "poststop=$PT/hooks/record,p" busybox true
        pouch start -a hk5
        spec="$PHOME/containers/$(cid hk5)/config.json"
        [ "$(jq '.hooks.prestart[0].timeout' "$spec")" = 2 ]
        [ "$(jq '.hooks.poststop[0].timeout' "$spec")" = 2 ]
        pouch rm -f hk5
        run "$BIN/pouchd" --hook-timeout -1 --home "$PT/nohome"
        [ "$status" -ne 0 ]
        [[ "$output" == *"invalid --hook-timeout"* ]]
        pouchd_stop
        pouchd_restart
}
