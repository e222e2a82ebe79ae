#!/usr/bin/env bats
# The real docker CLI (/usr/local/bin/docker, 28.x) against pouchd: every everyday command.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
        [ -x "$DOCKER_BIN" ] || skip "the docker CLI is not installed at $DOCKER_BIN"
        pouchd_setup_file
}
teardown_file() { pouchd_teardown_file; }
teardown() { dump_log_on_failure; }

@test "docker version and info talk to pouchd at API 1.41" {
        run dockerc version --format '{{.Server.APIVersion}}|{{.Server.Os}}'
        [ "$status" -eq 0 ]
        [ "$output" = "1.41|linux" ]
        run dockerc info --format '{{.DockerRootDir}}|{{.Images}}'
        [ "$status" -eq 0 ]
        [ "$output" = "$PHOME|1" ]
}

@test "run --rm: output, exit code 0 and 5, container removed" {
        run --separate-stderr dockerc run --rm busybox echo hello
        [ "$status" -eq 0 ]
        [ "$output" = "hello" ]
        run dockerc run --rm busybox sh -c 'exit 5'
        [ "$status" -eq 5 ]
        run dockerc ps -aq
        [ "$status" -eq 0 ]
        [ -z "$output" ]
}

@test "run exit codes: 125 engine error, 126 not executable, 127 not found" {
        run -125 dockerc run --rm nosuchimage:1 true
        run -125 dockerc run --rm --cap-add NOT_A_CAP busybox true
        run -126 dockerc run --rm busybox /etc/passwd
        [[ "$output" == *"permission denied"* ]]
        run -127 dockerc run --rm busybox /no/such/binary
        run -127 dockerc run --rm busybox nosuchcommand
        [[ "$output" == *"not found"* ]]
        run dockerc ps -aq
        [ -z "$output" ]
}

@test "run -i pipes stdin; stdout and stderr stay apart" {
        run bash -c 'printf "one\ntwo\n" | "$DOCKER_BIN" run --rm -i busybox sort -r'
        [ "$status" -eq 0 ]
        [ "$output" = "$(printf 'two\none')" ]
        run bash -c '"$DOCKER_BIN" run --rm busybox sh -c "echo out; echo err >&2" 2>/dev/null'
        [ "$output" = "out" ]
        run bash -c '"$DOCKER_BIN" run --rm busybox sh -c "echo out; echo err >&2" 2>&1 >/dev/null'
        [ "$output" = "err" ]
}

@test "run -t gets a terminal (through script) and keeps the exit code" {
        command -v script > /dev/null || skip "script (util-linux) is not installed"
        run script -qec "$DOCKER_BIN run --rm -t busybox sh -c 'tty; test -t 0 && echo is-a-tty; exit 3'" /dev/null
        [ "$status" -eq 3 ]
        [[ "$output" == *"/dev/pts/"* ]]
        [[ "$output" == *"is-a-tty"* ]]
        run script -qec "printf 'echo typed-\$((40+2)); exit 6\n' | $DOCKER_BIN run --rm -i busybox sh" /dev/null
        [ "$status" -eq 6 ]
        [[ "$output" == *"typed-42"* ]]
}

@test "run -e, --env-file, -w, -u, --hostname, --entrypoint, -l, --name" {
        printf 'A=1\n# a comment\nB=two words\n' > "$PT/envfile"
        run dockerc run --rm -e X=from-e --env-file "$PT/envfile" busybox sh -c 'echo "$X|$A|$B"'
        [ "$output" = "from-e|1|two words" ]
        run dockerc run --rm -w /tmp/sub -u 65534:65534 --hostname box1 busybox sh -c 'echo $(pwd) $(id -u):$(id -g) $(hostname)'
        [ "$output" = "/tmp/sub 65534:65534 box1" ]
        run dockerc run --rm -u nobody busybox id -un
        [ "$output" = "nobody" ]
        run dockerc run --rm --entrypoint /bin/echo busybox via-entrypoint
        [ "$output" = "via-entrypoint" ]
        dockerc run -d --name labelled -l team=core -l tier=db busybox sleep 1000
        run dockerc inspect -f '{{.Name}} {{index .Config.Labels "team"}} {{index .Config.Labels "tier"}}' labelled
        [ "$output" = "/labelled core db" ]
        dockerc rm -f labelled
}

@test "run -d, ps (-a, -q, --filter, --format), inspect -f" {
        id="$(dockerc run -d --name psd -l role=web busybox sleep 1000)"
        [[ "$id" =~ ^[0-9a-f]{64}$ ]]
        dockerc create --name psc busybox true
        run dockerc ps --format '{{.Names}}'
        [ "$output" = "psd" ]
        run dockerc ps -a --format '{{.Names}}|{{.Image}}'
        [[ "$output" == *"psd|busybox"* ]]
        [[ "$output" == *"psc|busybox"* ]]
        run dockerc ps -q
        [ "$output" = "${id:0:12}" ]
        run dockerc ps -a --filter label=role=web -q
        [ "$output" = "${id:0:12}" ]
        run dockerc ps -a --filter status=created --format '{{.Names}}'
        [ "$output" = "psc" ]
        run dockerc ps -a --filter name=psd --format '{{.ID}} {{.Status}}'
        [[ "$output" == "${id:0:12} Up "* ]]
        run dockerc inspect -f '{{.State.Status}}' psd
        [ "$output" = "running" ]
        run dockerc inspect -f '{{.State.Status}}' psc
        [ "$output" = "created" ]
        run dockerc inspect -f '{{.Id}}' psd
        [ "$output" = "$id" ]
        run dockerc rm -f psd psc
        [ "$status" -eq 0 ]
        run dockerc ps -aq
        [ -z "$output" ]
}

@test "create + start -a, wait" {
        dockerc create --name ca busybox sh -c 'echo created-out; echo created-err >&2; exit 7'
        run -7 dockerc start -a ca
        [[ "$output" == *"created-out"* ]]
        [[ "$output" == *"created-err"* ]]
        run dockerc wait ca
        [ "$status" -eq 0 ]
        [ "$output" = "7" ]
        run dockerc inspect -f '{{.State.Status}} {{.State.ExitCode}}' ca
        [ "$output" = "exited 7" ]
        dockerc rm ca
}

@test "logs, logs --tail, logs -f ends when the container exits" {
        dockerc run -d --name lg busybox sh -c 'for i in 1 2 3 4; do echo line$i; done; sleep 2; echo late; exit 0'
        wait_for 10 bash -c '"$DOCKER_BIN" logs lg | grep -q line4'
        run dockerc logs --tail 2 lg
        [ "$output" = "$(printf 'line3\nline4')" ]
        run timeout 20 "$DOCKER_BIN" logs -f lg
        [ "$status" -eq 0 ]
        [ "$output" = "$(printf 'line1\nline2\nline3\nline4\nlate')" ]
        dockerc rm lg
}

@test "exec: exit code, -e, -w, -u, -i, -d, -it" {
        dockerc run -d --name ex busybox sleep 1000
        run dockerc exec ex sh -c 'exit 4'
        [ "$status" -eq 4 ]
        run dockerc exec -e E1=v1 -w /tmp -u 65534 ex sh -c 'echo $E1 $(pwd) $(id -u)'
        [ "$output" = "v1 /tmp 65534" ]
        run bash -c 'echo piped-in | "$DOCKER_BIN" exec -i ex cat'
        [ "$output" = "piped-in" ]
        dockerc exec -d ex sh -c 'sleep 0.2; echo done > /tmp/detached'
        wait_for 10 dockerc exec ex test -f /tmp/detached
        run -127 dockerc exec ex /no/such/thing
        if command -v script > /dev/null; then
                run script -qec "$DOCKER_BIN exec -it ex sh -c 'tty; exit 2'" /dev/null
                [ "$status" -eq 2 ]
                [[ "$output" == *"/dev/pts/"* ]]
        fi
        dockerc rm -f ex
}

@test "stop, kill -s, restart, pause/unpause, top, rename, rm -f" {
        dockerc run -d --name lc busybox sh -c 'trap "echo got-usr1" USR1; while true; do sleep 0.1; done'
        pid1="$(dockerc inspect -f '{{.State.Pid}}' lc)"
        dockerc kill -s USR1 lc
        wait_for 10 bash -c '"$DOCKER_BIN" logs lc | grep -q got-usr1'
        run dockerc top lc
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" == *PID* ]]
        [[ "$output" == *"sleep"* ]]
        dockerc pause lc
        run dockerc inspect -f '{{.State.Status}} {{.State.Paused}}' lc
        [ "$output" = "paused true" ]
        dockerc unpause lc
        run dockerc inspect -f '{{.State.Status}}' lc
        [ "$output" = "running" ]
        dockerc restart -t 1 lc
        run dockerc inspect -f '{{.State.Status}}' lc
        [ "$output" = "running" ]
        [ "$(dockerc inspect -f '{{.State.Pid}}' lc)" != "$pid1" ]
        dockerc rename lc lc2
        run dockerc inspect lc
        [ "$status" -ne 0 ]
        run dockerc stop -t 1 lc2
        [ "$status" -eq 0 ]
        run dockerc inspect -f '{{.State.Status}} {{.State.ExitCode}}' lc2
        [ "$output" = "exited 137" ]
        dockerc start lc2
        dockerc kill lc2
        wait_for 10 bash -c '[ "$("$DOCKER_BIN" inspect -f "{{.State.Status}}" lc2)" = exited ]'
        run dockerc kill lc2
        [ "$status" -ne 0 ]
        [[ "$output" == *"not running"* ]]
        dockerc start lc2
        run dockerc rm lc2
        [ "$status" -ne 0 ]
        run dockerc rm -f lc2
        [ "$status" -eq 0 ]
        run dockerc ps -aq
        [ -z "$output" ]
}

@test "cp both ways, directories, stopped containers" {
        dockerc run -d --name cpc busybox sleep 1000
        echo "from host" > "$PT/in.txt"
        dockerc cp "$PT/in.txt" cpc:/tmp/in.txt
        run dockerc exec cpc cat /tmp/in.txt
        [ "$output" = "from host" ]
        echo "second" > "$PT/in.txt"
        dockerc cp "$PT/in.txt" cpc:/tmp/in.txt
        run dockerc exec cpc cat /tmp/in.txt
        [ "$output" = "second" ]
        echo "from host" > "$PT/in.txt"
        dockerc cp "$PT/in.txt" cpc:/tmp/in.txt
        mkdir -p "$PT/dir/sub" && echo deep > "$PT/dir/sub/f"
        dockerc cp "$PT/dir" cpc:/tmp/
        run dockerc exec cpc cat /tmp/dir/sub/f
        [ "$output" = "deep" ]
        dockerc exec cpc sh -c 'mkdir -p /data/x && echo out > /data/x/y'
        dockerc cp cpc:/data "$PT/data-out"
        [ "$(cat "$PT/data-out/x/y")" = "out" ]
        dockerc stop -t 0 cpc
        dockerc cp cpc:/tmp/in.txt "$PT/back.txt"
        [ "$(cat "$PT/back.txt")" = "from host" ]
        run dockerc cp cpc:/no/such "$PT/x"
        [ "$status" -ne 0 ]
        dockerc rm cpc
}

@test "images, tag, rmi, save | load, import" {
        run dockerc images --format '{{.Repository}}:{{.Tag}}'
        [ "$output" = "busybox:latest" ]
        dockerc tag busybox busybox:t2
        run dockerc images --format '{{.Repository}}:{{.Tag}}'
        [[ "$output" == *"busybox:t2"* ]]
        [ "$(dockerc inspect -f '{{.Id}}' busybox:t2)" = "$(dockerc inspect -f '{{.Id}}' busybox:latest)" ]
        run dockerc rmi busybox:t2
        [ "$status" -eq 0 ]
        [[ "$output" == *"Untagged: busybox:t2"* ]]
        # an image of its own so that rmi really deletes it
        dockerc import -c 'ENV SAVED=1' "$PBUSYBOX" saved:1
        dockerc save saved:1 > "$PT/saved.tar"
        tar tf "$PT/saved.tar" | grep -q manifest.json
        dockerc rmi saved:1
        run dockerc inspect saved:1
        [ "$status" -ne 0 ]
        run bash -c '"$DOCKER_BIN" load < "$PT/saved.tar"'
        [ "$status" -eq 0 ]
        [[ "$output" == *"Loaded image: saved:1"* ]]
        run dockerc run --rm saved:1 sh -c 'echo $SAVED'
        [ "$output" = "1" ]
        run bash -c 'cat "$PBUSYBOX" | "$DOCKER_BIN" import - fromstdin:1'
        [ "$status" -eq 0 ]
        run dockerc run --rm fromstdin:1 echo imported
        [ "$output" = "imported" ]
        dockerc rmi saved:1 fromstdin:1
        run dockerc images --format '{{.Repository}}:{{.Tag}}'
        [ "$output" = "busybox:latest" ]
}

@test "events with --since/--until and a container filter" {
        start="$(date +%s)"
        dockerc run --rm --name evx busybox true
        sleep 1
        run dockerc events --since "$start" --until "$(date +%s)" --filter container=evx --format '{{.Type}} {{.Action}}'
        [ "$status" -eq 0 ]
        [[ "$output" == *"container create"* ]]
        [[ "$output" == *"container start"* ]]
        [[ "$output" == *"container die"* ]]
        [[ "$output" == *"container destroy"* ]]
        # only evx, in order: create comes before destroy
        c="$(echo "$output" | grep -n 'create' | head -1 | cut -d: -f1)"
        d="$(echo "$output" | grep -n 'destroy' | head -1 | cut -d: -f1)"
        [ "$c" -lt "$d" ]
        # a live stream sees a new event
        n0="$(grep -c 'GET /v1.41/events' "$PLOG" || true)"
        ( timeout 20 "$DOCKER_BIN" events --filter container=evlive --format '{{.Action}}' > "$PT/ev.out" 2>&1 3>&- & )
        # the stream is open once pouchd has logged the request (it logs each request with --debug)
        wait_for 10 bash -c '[ "$(grep -c "GET /v1.41/events" "$PLOG")" -gt '"$n0"' ]'
        sleep 0.2
        dockerc run --rm --name evlive busybox true
        wait_for 10 grep -q destroy "$PT/ev.out"
}
