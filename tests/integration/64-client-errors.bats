#!/usr/bin/env bats
# Client mistakes get a 4xx with a JSON message, never a 500 or a stream that never ends, and the
# daemon keeps answering: resize of a non-tty, bad ps_args, out-of-range update values, a broken
# tar upload, bad since/until, a since that overflows nanoseconds, and execs that cannot start.

bats_require_minimum_version 1.5.0
load helpers

setup_file() { pouchd_setup_file; }
teardown_file() { pouchd_teardown_file; }
teardown() { dump_log_on_failure; }

# expect_error STATUS METHOD PATH [curl args...]: the exact status, a JSON body whose message is a
# non-empty string (left in $msg), and a daemon that still answers /_ping
expect_error() {
        local want="$1" m="$2" p="$3" code
        shift 3
        code="$(curl -s -o "$PT/body" -w '%{http_code}' --max-time 20 --unix-socket "$PSOCK" -X "$m" "$@" "http://x$p")"
        if [ "$code" != "$want" ]; then
                echo "$m $p: status $code, wanted $want; body: $(head -c 500 "$PT/body")" >&2
                return 1
        fi
        msg="$(jq -er '.message | select(type == "string" and length > 0)' "$PT/body")" || {
                echo "$m $p: no JSON message in: $(head -c 500 "$PT/body")" >&2
                return 1
        }
        ping_ok
}

running_busybox() {
        pouch run -d --name "$1" busybox sleep 1000 > /dev/null
        wait_for 10 state_is "$1" running
}

@test "resize of a container or exec without a tty is 409 with a JSON message" {
        running_busybox rz
        expect_error 409 POST "/containers/rz/resize?h=20&w=80"
        [[ "$msg" == *"tty"* ]]
        eid="$(api POST /containers/rz/exec -H 'Content-Type: application/json' \
                -d '{"Cmd":["sleep","1000"],"AttachStdout":true}' | jq -r .Id)"
        [ "$(api_code POST "/exec/$eid/start" -H 'Content-Type: application/json' -d '{"Detach":true}')" = 200 ]
        wait_for 10 bash -c "curl -s --unix-socket '$PSOCK' http://x/exec/$eid/json | jq -e .Running"
        expect_error 409 POST "/exec/$eid/resize?h=20&w=80"
        [[ "$msg" == *"tty"* ]]
        pouch rm -f rz > /dev/null
        # an exec that is not running any more: a conflict too, not a server error
        expect_error 409 POST "/exec/$eid/resize?h=20&w=80"
        # with a tty it works; sizes that are not numbers a terminal takes are 400
        pouch run -d -t --name rzt busybox sleep 1000 > /dev/null
        wait_for 10 state_is rzt running
        [ "$(api_code POST '/containers/rzt/resize?h=20&w=80')" = 200 ]
        expect_error 400 POST '/containers/rzt/resize?h=abc&w=80'
        expect_error 400 POST '/containers/rzt/resize?h=20&w=-1'
        expect_error 400 POST '/containers/rzt/resize?h=70000&w=80'
        pouch rm -f rzt > /dev/null
}

@test "top with ps_args ps refuses is 400 with ps's message" {
        running_busybox tp
        expect_error 400 GET "/containers/tp/top?ps_args=--no-such-option"
        [[ "$msg" == "ps: "* ]]
        [[ "$msg" == *"no-such-option"* || "$msg" == *"unknown"* ]]
        [ "$(api_code GET '/containers/tp/top?ps_args=-ef')" = 200 ]
        pouch rm -f tp > /dev/null
}

@test "update with out-of-range resources is 400 and changes nothing" {
        running_busybox up
        for body in '{"CpuShares":262145}' '{"CpuShares":1}' '{"CpuShares":-2}' '{"Memory":-1}' \
                '{"MemoryReservation":-1}' '{"MemorySwap":-2}' '{"CpusetCpus":"garbage"}' '{"CpusetCpus":"0-"}' \
                '{"CpusetCpus":"100000"}' '{"CpusetMems":"x"}' '{"BlkioWeight":5}' '{"BlkioWeight":1001}' \
                '{"BlkioWeight":-1}' '{"PidsLimit":-2}' '{"PidsLimit":4194305}' '{"CpuPeriod":999}' \
                '{"CpuPeriod":1000001}' '{"CpuQuota":999}'; do
                expect_error 400 POST /containers/up/update -H 'Content-Type: application/json' -d "$body"
        done
        [ "$(api GET /containers/up/json | jq -c '[.HostConfig.CpuShares // 0, .HostConfig.BlkioWeight // 0]')" = "[0,0]" ]
        # the bounds themselves are accepted
        [ "$(api_code POST /containers/up/update -H 'Content-Type: application/json' \
                -d '{"CpuShares":262144,"CpusetCpus":"0","PidsLimit":-1}')" = 200 ]
        [ "$(api_code POST /containers/up/update -H 'Content-Type: application/json' -d '{"CpuShares":2}')" = 200 ]
        [ "$(api GET /containers/up/json | jq .HostConfig.CpuShares)" = 2 ]
        pouch rm -f up > /dev/null
}

@test "archive PUT of a garbage or truncated tar is 400" {
        running_busybox ar
        head -c 3000 /dev/zero | tr '\0' 'x' > "$PT/garbage"
        expect_error 400 PUT "/containers/ar/archive?path=/tmp" -H 'Content-Type: application/x-tar' \
                --data-binary @"$PT/garbage"
        mkdir -p "$PT/tarsrc"
        head -c 200000 /dev/zero > "$PT/tarsrc/big"
        tar -C "$PT/tarsrc" -cf "$PT/full.tar" big
        head -c 60000 "$PT/full.tar" > "$PT/cut.tar"
        expect_error 400 PUT "/containers/ar/archive?path=/tmp" -H 'Content-Type: application/x-tar' \
                --data-binary @"$PT/cut.tar"
        [[ "$msg" == *"tar"* ]]
        [ "$(api_code PUT "/containers/ar/archive?path=/tmp" -H 'Content-Type: application/x-tar' \
                --data-binary @"$PT/full.tar")" = 200 ]
        pouch rm -f ar > /dev/null
        rm -rf "$PT/tarsrc" "$PT/garbage" "$PT/full.tar" "$PT/cut.tar"
}

@test "events with a since or until that is not a time is 400, not an endless stream" {
        expect_error 400 GET '/events?until=x'
        [[ "$msg" == *"until"* ]]
        expect_error 400 GET '/events?since=x'
        [[ "$msg" == *"since"* ]]
        expect_error 400 GET '/events?since=12abc'
        expect_error 400 GET '/events?until=2020-13-45T00:00:00Z'
        # unix seconds with a fraction, RFC 3339 and durations before now are all times
        for q in 'since=1600000000.5&until=1600000001' 'since=2020-09-13T12:26:40Z&until=2020-09-13T12:26:41.5Z' \
                'since=10m&until=1s' 'since=1h30m&until=0s'; do
                run curl -s -o /dev/null -w '%{http_code}' --max-time 10 --unix-socket "$PSOCK" "http://x/events?$q"
                [ "$status" -eq 0 ]
                [ "$output" = 200 ]
        done
}

@test "logs: since beyond the nanosecond range shows nothing; a since that is not a time is 400" {
        pouch run -d --name lgs busybox sh -c 'echo hello; sleep 1000' > /dev/null
        wait_for 10 bash -c "curl -s --unix-socket '$PSOCK' 'http://x/containers/lgs/logs?stdout=1' | grep -q hello"
        run curl -sS --max-time 10 --unix-socket "$PSOCK" \
                'http://x/containers/lgs/logs?stdout=1&since=9223372036854775807'
        [ "$status" -eq 0 ]
        [ -z "$output" ]
        run curl -sS --max-time 10 --unix-socket "$PSOCK" \
                'http://x/containers/lgs/logs?stdout=1&since=-9223372036854775807'
        [ "$status" -eq 0 ]
        [[ "$output" == *hello* ]]
        expect_error 400 GET '/containers/lgs/logs?stdout=1&since=yesterday'
        expect_error 400 GET '/containers/lgs/logs?stdout=1&until=x'
        pouch rm -f lgs > /dev/null
}

@test "exec of a missing or non-executable program: the runtime's message, 127 or 126, also in the log" {
        running_busybox ex
        run -127 dockerc exec ex /nonexistent
        [[ "$output" == *"OCI runtime exec failed"* ]]
        [[ "$output" == *"no such file or directory"* ]]
        run -126 dockerc exec ex /etc/passwd
        [[ "$output" == *"OCI runtime exec failed"* ]]
        [[ "$output" == *"permission denied"* ]]
        run -127 pouch exec ex /nonexistent
        [[ "$output" == *"OCI runtime exec failed"* ]]
        [[ "$output" == *"no such file or directory"* ]]
        run -126 pouch exec ex /etc/passwd
        [[ "$output" == *"permission denied"* ]]
        # with a terminal (-it), where the client still sends input when the error comes
        if command -v script > /dev/null; then
                run -127 script -qec "$DOCKER_BIN exec -it ex /nonexistent" /dev/null < /dev/null
                [[ "$output" == *"OCI runtime exec failed"*"no such file or directory"* ]]
                [[ "$output" != *"connection reset"* ]]
        fi
        # only stderr carries the message
        run -127 --separate-stderr dockerc exec ex /nonexistent
        [ -z "$output" ]
        # shellcheck disable=SC2154 # set by run --separate-stderr
        [[ "$stderr" == *"no such file or directory"* ]]
        # the exec's record has the same code
        eid="$(api POST /containers/ex/exec -H 'Content-Type: application/json' \
                -d '{"Cmd":["/nonexistent"],"AttachStdout":true,"AttachStderr":true}' | jq -r .Id)"
        api POST "/exec/$eid/start" -H 'Content-Type: application/json' -d '{}' > /dev/null
        wait_for 10 bash -c "curl -s --unix-socket '$PSOCK' http://x/exec/$eid/json | jq -e '.ExitCode == 127'"
        grep -q "\[warn\] exec ${eid:0:12} .*no such file or directory" "$PLOG"
        eid="$(api POST /containers/ex/exec -H 'Content-Type: application/json' \
                -d '{"Cmd":["/etc/passwd"],"AttachStdout":true,"AttachStderr":true}' | jq -r .Id)"
        api POST "/exec/$eid/start" -H 'Content-Type: application/json' -d '{}' > /dev/null
        wait_for 10 bash -c "curl -s --unix-socket '$PSOCK' http://x/exec/$eid/json | jq -e '.ExitCode == 126'"
        grep -q "\[warn\] exec ${eid:0:12} .*permission denied" "$PLOG"
        # an exec that fails before the runtime runs (an unknown user) reports too
        run -126 --separate-stderr dockerc exec -u nosuchuser ex true
        [ -z "$output" ]
        [[ "$stderr" == *"nosuchuser"* ]]
        # detached: the start request itself answers with the runtime's message
        eid="$(api POST /containers/ex/exec -H 'Content-Type: application/json' -d '{"Cmd":["/nonexistent"]}' | jq -r .Id)"
        expect_error 400 POST "/exec/$eid/start" -H 'Content-Type: application/json' -d '{"Detach":true}'
        [[ "$msg" == "OCI runtime exec failed: "*"no such file or directory"* ]]
        [ "$(api GET "/exec/$eid/json" | jq .ExitCode)" = 127 ]
        eid="$(api POST /containers/ex/exec -H 'Content-Type: application/json' \
                -d '{"Cmd":["true"],"User":"nosuchuser"}' | jq -r .Id)"
        expect_error 400 POST "/exec/$eid/start" -H 'Content-Type: application/json' -d '{"Detach":true}'
        [[ "$msg" == *"nosuchuser"* ]]
        [ "$(api GET "/exec/$eid/json" | jq .ExitCode)" = 126 ]
        run dockerc exec -d ex /nonexistent
        [ "$status" -ne 0 ]
        [[ "$output" == *"no such file or directory"* ]]
        run -0 dockerc exec -d ex sleep 1
        ping_ok
        pouch rm -f ex > /dev/null
}
