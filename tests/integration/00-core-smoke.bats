#!/usr/bin/env bats
# The engine core end to end through the real docker CLI: run flows, exit codes, exec, logs,
# lifecycle verbs, and live restore across kill -9 of pouchd.

bats_require_minimum_version 1.5.0

load smoke-helpers

setup_file() {
        smoke_start_daemon
        smoke_build_busybox_tar "$SMOKE_HOME/busybox.tar"
        docker import "$SMOKE_HOME/busybox.tar" busybox:latest > /dev/null
}

teardown_file() {
        smoke_teardown
}

teardown() {
        [ "$BATS_TEST_COMPLETED" = 1 ] || dump_log_on_failure
}

@test "docker run --rm prints output and removes the container" {
        run docker run --rm busybox echo hi
        [ "$status" -eq 0 ]
        [ "$output" = "hi" ]
        run docker ps -aq
        [ -z "$output" ]
}

@test "exit codes: container status, 125 engine error, 127 not found" {
        run docker run --rm busybox sh -c 'exit 5'
        [ "$status" -eq 5 ]
        run -127 docker run --rm busybox /no/such/binary
        [ "$status" -eq 127 ]
        run docker run --rm nosuchimage:1 true
        [ "$status" -eq 125 ]
}

@test "stdin is piped with -i and stderr is kept apart" {
        run bash -c 'echo hello | docker run --rm -i busybox cat'
        [ "$output" = "hello" ]
        run bash -c 'docker run --rm busybox sh -c "echo out; echo err >&2" 2>/dev/null'
        [ "$output" = "out" ]
}

@test "environment, workdir, user, hostname, entrypoint" {
        run docker run --rm -e FOO=bar -w /tmp -u 65534 -h myhost busybox sh -c 'echo $FOO $(pwd) $(id -u) $(hostname)'
        [ "$output" = "bar /tmp 65534 myhost" ]
        run docker run --rm --entrypoint /bin/echo busybox from-entrypoint
        [ "$output" = "from-entrypoint" ]
}

@test "tty run returns the exit code" {
        run script -qec "docker run --rm -t busybox sh -c 'tty; exit 3'" /dev/null
        [ "$status" -eq 3 ]
        [[ "$output" == *"/dev/pts/"* ]]
}

@test "detached container: ps, exec, logs, top, pause, stop, rm" {
        docker run -d --name web -l tier=front busybox sh -c 'echo started; exec sleep 1000'
        run docker ps --filter label=tier=front --format '{{.Names}}'
        [ "$output" = "web" ]
        run docker exec web sh -c 'exit 4'
        [ "$status" -eq 4 ]
        run docker exec -e X=1 web sh -c 'echo $X'
        [ "$output" = "1" ]
        run bash -c 'echo piped | docker exec -i web cat'
        [ "$output" = "piped" ]
        run docker logs web
        [ "$output" = "started" ]
        run docker top web
        [[ "$output" == *"sleep 1000"* ]]
        docker pause web
        run docker inspect -f '{{.State.Status}}' web
        [ "$output" = "paused" ]
        docker unpause web
        run docker rm web
        [ "$status" -ne 0 ]
        [[ "$output" == *"cannot remove a running container"* ]]
        docker stop -t 1 web
        run docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' web
        [ "$output" = "exited 137" ]
        docker rename web web2
        docker rm web2
        run docker inspect web2
        [ "$status" -ne 0 ]
}

@test "create + start -a and wait" {
        docker create --name c1 busybox sh -c 'echo created; exit 7'
        run docker start -a c1
        [ "$status" -eq 7 ]
        [ "$output" = "created" ]
        run docker wait c1
        [ "$output" = "7" ]
        docker rm c1
}

@test "live restore: containers survive kill -9 of pouchd and exits are collected" {
        docker run -d --name keep busybox sleep 1000
        docker run -d --name dies busybox sh -c 'echo bye; sleep 2; exit 9'
        pid="$(docker inspect -f '{{.State.Pid}}' keep)"
        smoke_kill_daemon KILL
        sleep 3
        kill -0 "$pid"
        smoke_restart_daemon
        run docker inspect -f '{{.State.Status}}' keep
        [ "$output" = "running" ]
        run docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' dies
        [ "$output" = "exited 9" ]
        run docker logs dies
        [ "$output" = "bye" ]
        run docker exec keep echo still-here
        [ "$output" = "still-here" ]
        docker rm -f keep dies
}

@test "API errors: malformed JSON 400, unknown container 404, name conflict 409" {
        run curl -s -o /dev/null -w '%{http_code}' --unix-socket "$SMOKE_SOCK" -X POST \
                -H 'Content-Type: application/json' -d '{"Image":' http://x/v1.41/containers/create
        [ "$output" = "400" ]
        run curl -s --unix-socket "$SMOKE_SOCK" http://x/v1.41/containers/nosuch/json
        [[ "$output" == *'"message":"No such container: nosuch"'* ]]
        docker create --name dup busybox true
        run docker create --name dup busybox true
        [ "$status" -ne 0 ]
        [[ "$output" == *"already in use"* ]]
        docker rm dup
        run curl -s -o /dev/null -w '%{http_code}' --unix-socket "$SMOKE_SOCK" http://x/v1.99/version
        [ "$output" = "400" ]
}

@test "restart, kill -s, attach, and restart policy honoured after a daemon restart" {
        docker run -d --name rs busybox sh -c 'trap "echo got-usr1" USR1; echo up; while true; do sleep 0.1; done'
        pid1="$(docker inspect -f '{{.State.Pid}}' rs)"
        docker kill -s USR1 rs
        for _ in $(seq 1 50); do docker logs rs | grep -q got-usr1 && break; sleep 0.1; done
        docker logs rs | grep -q got-usr1
        docker restart -t 1 rs
        [ "$(docker inspect -f '{{.State.Status}}' rs)" = "running" ]
        [ "$(docker inspect -f '{{.State.Pid}}' rs)" != "$pid1" ]
        docker rm -f rs
        # attach to a running container sees its output until it exits
        docker run -d --name att busybox sh -c 'sleep 1; echo attached-out; exit 2'
        run docker attach --no-stdin att
        [ "$status" -eq 2 ]
        [[ "$output" == *"attached-out"* ]]
        docker rm att
        # an `always` container whose process died while pouchd was down is started again
        docker run -d --name alw2 --restart always busybox sh -c 'sleep 1; exit 1'
        smoke_kill_daemon KILL
        sleep 2
        smoke_restart_daemon
        for _ in $(seq 1 50); do
                [ "$(docker inspect -f '{{.RestartCount}}' alw2)" -ge 1 ] && break
                sleep 0.1
        done
        [ "$(docker inspect -f '{{.RestartCount}}' alw2)" -ge 1 ]
        docker rm -f alw2
}

@test "a second pouchd on the same home is refused" {
        run "$BIN/pouchd" --home "$SMOKE_HOME/home" --listen "unix://$SMOKE_HOME/second.sock"
        [ "$status" -ne 0 ]
        [[ "$output" == *"another pouchd is already running"* ]]
}

@test "tcp:// listener requires a client certificate signed by the CA" {
        command -v openssl > /dev/null || skip "openssl is not installed"
        d="$SMOKE_HOME/tls"
        mkdir -p "$d" && cd "$d"
        openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 1 -subj /CN=ca 2> /dev/null
        for n in server client; do
                openssl req -newkey rsa:2048 -nodes -keyout $n.key -out $n.csr -subj /CN=127.0.0.1 2> /dev/null
                printf 'subjectAltName=IP:127.0.0.1\n' > ext
                openssl x509 -req -in $n.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out $n.pem -days 1 -extfile ext 2> /dev/null
        done
        port=$((20000 + RANDOM % 5000))
        "$BIN/pouchd" --home "$d/home" --listen "tcp://127.0.0.1:$port" --tlscacert ca.pem --tlscert server.pem \
                --tlskey server.key > "$d/log" 2>&1 &
        echo $! > "$d/pid"
        for _ in $(seq 1 50); do curl -s --cacert ca.pem --cert client.pem --key client.key "https://127.0.0.1:$port/_ping" > /dev/null && break; sleep 0.1; done
        run curl -s --cacert ca.pem --cert client.pem --key client.key "https://127.0.0.1:$port/_ping"
        [ "$output" = "OK" ]
        run curl -s -o /dev/null -w '%{http_code}' --cacert ca.pem "https://127.0.0.1:$port/_ping"
        [ "$output" != "200" ]
        run "$BIN/pouchd" --home "$d/home2" --listen "tcp://127.0.0.1:$port"
        [ "$status" -ne 0 ]
        [[ "$output" == *"mutual TLS"* ]]
        kill "$(cat "$d/pid")"
}
