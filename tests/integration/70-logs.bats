#!/usr/bin/env bats
# json-file logs: the on-disk format, rotation (max-size/max-file), --tail, --since/--until,
# --timestamps, -f, streams, tty containers.

bats_require_minimum_version 1.5.0
load helpers

setup_file() { pouchd_setup_file; }
teardown_file() { pouchd_teardown_file; }
teardown() { dump_log_on_failure; }

logfile() { local id; id="$(cid "$1")" && echo "$PHOME/containers/$id/$id-json.log"; }
last_line_is() { [ "$(pouch logs --tail 1 "$1" 2>&1)" = "$2" ]; }

@test "json.log holds one JSON object per line with log, stream and time" {
        pouch run --name fmt busybox sh -c 'echo out1; echo err1 >&2'
        f="$(logfile fmt)"
        [ -f "$f" ]
        run jq -r '.stream + "|" + .log' "$f"
        [[ "$output" == *"stdout|out1"* ]]
        [[ "$output" == *"stderr|err1"* ]]
        run jq -r '.time' "$f"
        for t in "${lines[@]}"; do
                [[ "$t" =~ ^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$ ]]
        done
        # the two streams stay apart in logs
        run --separate-stderr pouch logs fmt
        [ "$output" = "out1" ]
        # shellcheck disable=SC2154 # set by run --separate-stderr
        [ "$stderr" = "err1" ]
        pouch rm fmt
}

@test "--log-opt max-size=1k max-file=2 rotates to json.log and json.log.1, and logs still reads" {
        pouch run -d --name rot --log-opt max-size=1k --log-opt max-file=2 busybox \
                sh -c 'i=0; while [ $i -lt 300 ]; do echo "line $i"; i=$((i+1)); done; exec sleep 1000'
        wait_for 20 last_line_is rot "line 299"
        f="$(logfile rot)"
        [ -f "$f" ]
        [ -f "$f.1" ]
        [ ! -e "$f.2" ]
        # each file stays near max-size (one entry of slack)
        [ "$(stat -c %s "$f")" -le 1200 ]
        [ "$(stat -c %s "$f.1")" -le 1200 ]
        run pouch logs --tail 2 rot
        [ "$output" = "$(printf 'line 298\nline 299')" ]
        # what logs shows is contiguous and ends at the last line; the oldest lines are gone
        run pouch logs rot
        [ "${lines[-1]}" = "line 299" ]
        [[ "$output" != *"line 0"$'\n'* ]]
        first="${lines[0]#line }"
        [ "${#lines[@]}" -eq $((300 - first)) ]
        if [ -x "$DOCKER_BIN" ]; then
                run dockerc logs --tail 1 rot
                [ "$output" = "line 299" ]
        fi
        pouch rm -f rot
}

@test "--tail N, --tail 0 and --tail all" {
        pouch run --name tl busybox sh -c 'for i in 1 2 3 4 5; do echo t$i; done'
        run pouch logs --tail 2 tl
        [ "$output" = "$(printf 't4\nt5')" ]
        run pouch logs --tail 0 tl
        [ -z "$output" ]
        run pouch logs --tail all tl
        [ "${#lines[@]}" -eq 5 ]
        run pouch logs --tail 10 tl
        [ "${#lines[@]}" -eq 5 ]
        pouch rm tl
}

@test "--timestamps prints RFC 3339 with nanoseconds; --since and --until cut by time" {
        pouch run -d --name ts busybox sh -c 'echo early; sleep 1.5; echo late'
        wait_for 20 last_line_is ts late
        run pouch logs -t ts
        [ "${#lines[@]}" -eq 2 ]
        [[ "${lines[0]}" =~ ^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z\ early$ ]]
        [[ "${lines[1]}" =~ ^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z\ late$ ]]
        t_early="$(date -d "${lines[0]%% *}" +%s.%N)"
        mid="$(echo "$t_early + 0.7" | bc)"
        run pouch logs --since "$mid" ts
        [ "$output" = "late" ]
        run pouch logs --until "$mid" ts
        [ "$output" = "early" ]
        # a relative --since far back shows everything, a future one nothing
        run pouch logs --since "$(($(date +%s) - 3600))" ts
        [ "${#lines[@]}" -eq 2 ]
        run pouch logs --since "$(($(date +%s) + 3600))" ts
        [ -z "$output" ]
        if [ -x "$DOCKER_BIN" ]; then
                run dockerc logs --since "$mid" -t ts
                [[ "$output" =~ ^20[0-9-]{8}T[0-9:]{8}\.[0-9]{9}Z\ late$ ]]
        fi
        wait_for 10 state_is ts exited
        pouch rm ts
}

@test "logs -f follows new output and ends when the container exits" {
        pouch run -d --name fol busybox sh -c 'echo f1; sleep 1; echo f2; sleep 0.5; exit 0'
        run timeout 20 "$BIN/pouch" logs -f fol
        [ "$status" -eq 0 ]
        [ "$output" = "$(printf 'f1\nf2')" ]
        # -f on an exited container returns at once
        run timeout 5 "$BIN/pouch" logs -f --tail 1 fol
        [ "$status" -eq 0 ]
        [ "$output" = "f2" ]
        pouch rm fol
}

@test "a tty container's log is its raw terminal output" {
        command -v script > /dev/null || skip "script (util-linux) is not installed"
        run script -qec "$BIN/pouch run --name tty1 -t busybox sh -c 'echo tty-out'" /dev/null
        [ "$status" -eq 0 ]
        run pouch logs tty1
        [[ "$output" == "tty-out"* ]]
        run jq -r .log "$(logfile tty1)"
        [[ "$output" == *"tty-out"* ]]
        pouch rm tty1
}
