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
