#!/usr/bin/env bats
# Idle and half-sent connections cannot starve the API: pouchd raises its soft fd limit, sizes its
# connection limit from it, times out idle connections (--http-timeout) and caps connections per
# non-root peer (--max-connections-per-peer); streams and attached sessions are exempt.

bats_require_minimum_version 1.5.0
load helpers

HOLD="$HELPERS_ROOT/tests/integration/helpers/hold-conns.py"

setup_file() { pouchd_setup_file; }
teardown_file() { pouchd_teardown_file; }

# background processes a test started: killed by PID, whatever the outcome
teardown() {
        local p
        for p in "$PT"/bg-*.pid; do
                [ -f "$p" ] || continue
                kill -KILL "$(cat "$p")" 2> /dev/null || true
                rm -f "$p"
        done
        dump_log_on_failure
}

# bg NAME CMD...: run CMD in the background (not holding bats' fd 3), its PID in $PT/bg-NAME.pid
bg() {
        local name="$1"
        shift
        "$@" 3>&- &
        echo $! > "$PT/bg-$name.pid"
}
bg_pid() { cat "$PT/bg-$1.pid"; }

soft_nofile() { awk '/^Max open files/ {print $4}' "/proc/$1/limits"; }
hard_nofile() { awk '/^Max open files/ {print $5}' "/proc/$1/limits"; }

@test "pouchd raises its soft fd limit to the hard one; containers keep the limit pouchd started with" {
        pouchd_stop
        (ulimit -Sn 1024 && pouchd_restart)
        pid="$(pouchd_pid)"
        [ "$(soft_nofile "$pid")" = "$(hard_nofile "$pid")" ]
        [ "$(hard_nofile "$pid")" = "$(ulimit -Hn)" ]
        run pouch run --rm busybox sh -c 'ulimit -Sn; ulimit -Hn'
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = 1024 ]
        [ "${lines[1]}" = "$(ulimit -Hn)" ]
}

@test "1,100 idle half-sent connections do not starve the API" {
        # pouchd of the previous test: started with a soft fd limit of 1024, default timeout
        bg hold python3 "$HOLD" hold "$PSOCK" 1100 120 "$PT/hold.status"
        wait_for 60 grep -q '^ready 1100' "$PT/hold.status"
        run curl -sS --max-time 10 --unix-socket "$PSOCK" http://x/_ping
        [ "$status" -eq 0 ]
        [ "$output" = OK ]
        run pouch run --rm busybox true
        [ "$status" -eq 0 ]
        # none of the held connections was refused or dropped meanwhile
        wait_for 10 grep -q '^closed' "$PT/hold.status"
        [ "$(grep '^closed' "$PT/hold.status")" = "closed 0" ]
        kill "$(bg_pid hold)"
        wait_for 10 ping_ok
}

@test "a request line with NUL bytes is closed after --http-timeout" {
        pouchd_stop
        pouchd_restart --http-timeout 2
        run python3 "$HOLD" nul "$PSOCK" 30
        [ "$status" -eq 0 ]
        # and half-sent requests are reclaimed too
        bg hold python3 "$HOLD" hold "$PSOCK" 50 60 "$PT/hold2.status"
        wait_for 30 grep -qx 'closed 50' "$PT/hold2.status"
        run "$BIN/pouchd" --http-timeout -1 --home "$PT/nohome"
        [ "$status" -ne 0 ]
        [[ "$output" == *"invalid --http-timeout"* ]]
}

@test "a handler running longer than --http-timeout still answers; kept-alive connections time out after" {
        # PID 1 ignores SIGTERM: the stop waits out its 4 s grace period, twice the timeout
        pouch run -d --name slowstop busybox sleep 1000
        run pouch stop -t 4 slowstop
        [ "$status" -eq 0 ]
        [ "$(state_of slowstop)" = exited ]
        # a kept-alive connection is under the timeout again once a streamed reply is complete
        run python3 "$HOLD" keepalive "$PSOCK" "/containers/slowstop/logs?stdout=1" 30
        [ "$status" -eq 0 ]
        run python3 "$HOLD" keepalive "$PSOCK" /containers/slowstop/json 30
        [ "$status" -eq 0 ]
        pouch rm slowstop
}

@test "events, logs -f, wait, attach and exec outlive --http-timeout" {
        bg events curl -sN --unix-socket "$PSOCK" 'http://x/events?filters=%7B%22event%22%3A%5B%22die%22%5D%7D' \
                -o "$PT/events.out"
        pouch run -d --name quiet busybox sh -c 'sleep 6; echo late; exit 7'
        bg logs pouch logs -f quiet > "$PT/logs.out"
        bg wait curl -sS --unix-socket "$PSOCK" -X POST http://x/containers/quiet/wait -o "$PT/wait.out"
        run pouch run --rm busybox sh -c 'sleep 5; echo attached-late'
        [ "$status" -eq 0 ]
        [ "$output" = attached-late ]
        wait_for 20 grep -q '"StatusCode":7' "$PT/wait.out"
        wait_for 20 grep -q late "$PT/logs.out"
        wait_for 20 grep -q "$(cid quiet)" "$PT/events.out"
        pouch rm quiet
        # exec start hijacks the connection too
        pouch run -d --name execd busybox sleep 1000
        run pouch exec execd sh -c 'sleep 4; echo exec-late'
        [ "$status" -eq 0 ]
        [ "$output" = exec-late ]
        pouch rm -f execd
}

@test "a non-root peer is capped at --max-connections-per-peer; root still gets through" {
        pouchd_stop
        pouchd_restart --max-connections-per-peer 16
        # a directory of its own for the unprivileged client, and a socket it may use
        mkdir "$PT/peer"
        cp "$HOLD" "$PT/peer/hold-conns.py"
        chown -R 65534:65534 "$PT/peer"
        chmod o+x "$PT"
        chmod o+rw "$PSOCK"
        bg hold setpriv --reuid=65534 --regid=65534 --clear-groups \
                /usr/bin/python3 "$PT/peer/hold-conns.py" hold "$PSOCK" 40 60 "$PT/peer/status"
        wait_for 30 grep -qx 'closed 24' "$PT/peer/status"
        run curl -sS --max-time 10 --unix-socket "$PSOCK" http://x/_ping
        [ "$status" -eq 0 ]
        [ "$output" = OK ]
        # a further request of that uid is told why
        run setpriv --reuid=65534 --regid=65534 --clear-groups curl -sS --max-time 10 --unix-socket "$PSOCK" \
                -w '%{http_code}' http://x/_ping
        [[ "$output" == *"too many connections from uid 65534 (limit 16)"*503 ]]
        # the 16 admitted connections stay open (the default timeout is far away)
        [ "$(grep '^closed' "$PT/peer/status")" = "closed 24" ]
        chmod o-x "$PT"
}
