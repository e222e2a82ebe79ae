#!/usr/bin/env bats
# The rest of the engine core: the pouch CLI, images (save/load, evil layers), docker cp, events,
# log rotation, security defaults, restart policies.

bats_require_minimum_version 1.5.0
load smoke-helpers

setup_file() {
        smoke_start_daemon
        smoke_build_busybox_tar "$SMOKE_HOME/busybox.tar"
        "$BIN/pouch" import "$SMOKE_HOME/busybox.tar" busybox:latest > /dev/null
}

teardown_file() {
        smoke_teardown
}

teardown() {
        [ "$BATS_TEST_COMPLETED" = 1 ] || dump_log_on_failure
}

pouch() { "$BIN/pouch" "$@"; }

@test "pouch CLI: run, exit codes, exec, ps, inspect templates, rm" {
        run pouch run --rm busybox echo hi
        [ "$output" = "hi" ]
        run pouch run --rm busybox sh -c 'exit 6'
        [ "$status" -eq 6 ]
        run -127 pouch run --rm busybox /nonexistent
        run pouch run -m 10x busybox true
        [ "$status" -eq 125 ]
        [[ "$output" == *"invalid size"* ]]
        pouch run -d --name p1 -e 'X=a b=c' busybox sleep 1000
        run pouch exec p1 sh -c 'echo "$X"'
        [ "$output" = "a b=c" ]
        run pouch exec p1 sh -c 'exit 3'
        [ "$status" -eq 3 ]
        run pouch ps --format '{{.Names}} {{.Status}}'
        [[ "$output" == "p1 Up"* ]]
        run pouch inspect -f '{{.State.Status}} {{.Config.Image}}' p1
        [ "$output" = "running busybox" ]
        run pouch inspect -f '{{json .Config.Env}}' p1
        [[ "$output" == *'"X=a b=c"'* ]]
        pouch rm -f p1
        run pouch ps -aq
        [ -z "$output" ]
}

@test "pouch --help and every command's --help exit 0" {
        pouch --help
        for c in run create start stop restart kill pause unpause rm ps logs exec attach inspect wait rename top \
                 cp images rmi tag pull push load save import login events version info; do
                run pouch "$c" --help
                [ "$status" -eq 0 ] || { echo "pouch $c --help failed: $output"; false; }
        done
}

@test "save | load round trip through the docker CLI, and rmi refuses an image in use" {
        # an image of its own (one tag), so that removing the tag would remove the image
        docker import -c 'ENV COPY=1' "$SMOKE_HOME/busybox.tar" copy:1
        docker save copy:1 > "$SMOKE_HOME/copy.tar"
        docker rmi copy:1
        run docker load < "$SMOKE_HOME/copy.tar"
        [ "$status" -eq 0 ]
        [[ "$output" == *"Loaded image: copy:1"* ]]
        docker create --name user1 copy:1 true
        run docker rmi copy:1
        [ "$status" -ne 0 ]
        [[ "$output" == *"container"*"is using"* ]]
        docker rm user1
        docker rmi copy:1
}

@test "layers escaping their root are refused and nothing is kept" {
        command -v python3 > /dev/null || skip "python3 is needed to craft the tarballs"
        before="$(docker images -q | sort)"
        for kind in dotdot abs symlink hardlink; do
                python3 - "$SMOKE_HOME/evil-$kind.tar" "$kind" <<'PY'
import io, sys, tarfile
out, kind = sys.argv[1], sys.argv[2]
with tarfile.open(out, "w") as t:
    def add(name, data=b"x", **kw):
        ti = tarfile.TarInfo(name)
        for k, v in kw.items():
            setattr(ti, k, v)
        ti.size = len(data) if ti.type == tarfile.REGTYPE else 0
        t.addfile(ti, io.BytesIO(data) if ti.type == tarfile.REGTYPE else None)
    add("ok.txt")
    if kind == "dotdot":
        add("../evil-dotdot")
    elif kind == "abs":
        add("/../../tmp/evil-abs")
    elif kind == "symlink":
        add("lnk", type=tarfile.SYMTYPE, linkname="/tmp")
        add("lnk/evil-symlink")
    else:
        add("hl", type=tarfile.LNKTYPE, linkname="../../etc/passwd")
PY
                run docker import "$SMOKE_HOME/evil-$kind.tar" "evil:$kind"
                [ "$status" -ne 0 ] || { echo "evil:$kind was accepted"; false; }
                [[ "$output" == *"escape"* ]] || [[ "$output" == *"outside"* ]] || [[ "$output" == *"symlink"* ]] || [[ "$output" == *".."* ]]
        done
        [ ! -e /tmp/evil-symlink ]
        [ ! -e /tmp/evil-abs ]
        [ ! -e "$SMOKE_HOME/evil-dotdot" ]
        [ "$(docker images -q | sort)" = "$before" ]
}

@test "docker cp both ways, stopped containers too" {
        docker run -d --name cpc busybox sleep 1000
        echo "from host" > "$SMOKE_HOME/in.txt"
        docker cp "$SMOKE_HOME/in.txt" cpc:/in.txt
        run docker exec cpc cat /in.txt
        [ "$output" = "from host" ]
        docker exec cpc sh -c 'mkdir -p /data/sub && echo deep > /data/sub/f'
        docker cp cpc:/data "$SMOKE_HOME/out"
        [ "$(cat "$SMOKE_HOME/out/sub/f")" = "deep" ]
        docker stop -t 0 cpc
        docker cp cpc:/in.txt "$SMOKE_HOME/back.txt"
        [ "$(cat "$SMOKE_HOME/back.txt")" = "from host" ]
        run docker cp cpc:/nonexistent "$SMOKE_HOME/x"
        [ "$status" -ne 0 ]
        docker rm cpc
}

@test "events with --since/--until and filters" {
        start="$(date +%s)"
        docker run --rm --name evx busybox true
        sleep 1
        run docker events --since "$start" --until "$(date +%s)" --filter container=evx --format '{{.Action}}'
        [[ "$output" == *"create"* ]]
        [[ "$output" == *"start"* ]]
        [[ "$output" == *"die"* ]]
        [[ "$output" == *"destroy"* ]]
}

@test "json-file log rotation, --tail and timestamps" {
        docker run -d --name logger --log-opt max-size=1k --log-opt max-file=2 busybox \
                sh -c 'i=0; while [ $i -lt 200 ]; do echo "line $i"; i=$((i+1)); done; sleep 1000'
        for _ in $(seq 1 50); do
                [ "$(docker logs --tail 1 logger)" = "line 199" ] && break
                sleep 0.1
        done
        id="$(docker inspect -f '{{.Id}}' logger)"
        [ -f "$SMOKE_HOME/home/containers/$id/$id-json.log.1" ]
        [ ! -f "$SMOKE_HOME/home/containers/$id/$id-json.log.2" ]
        run docker logs --tail 2 logger
        [ "$output" = "$(printf 'line 198\nline 199')" ]
        run docker logs -t --tail 1 logger
        [[ "$output" =~ ^20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9:.]+Z\ line\ 199$ ]]
        docker rm -f logger
}

@test "security defaults: capabilities, masked paths, read-only, no-new-privileges, ulimits, user" {
        run docker run --rm busybox sh -c 'grep CapEff /proc/self/status'
        [[ "$output" == *"00000000a80425fb" ]]
        run docker run --rm --cap-drop ALL busybox sh -c 'grep CapEff /proc/self/status'
        [[ "$output" == *"0000000000000000" ]]
        # masked: /proc/keys is covered by a bind of /dev/null, /sys/firmware by an empty tmpfs
        run docker run --rm busybox sh -c 'grep -c " /proc/keys " /proc/self/mountinfo; wc -c < /proc/keys'
        [ "$output" = "$(printf '1\n0')" ]
        run docker run --rm --read-only busybox touch /x
        [ "$status" -ne 0 ]
        run docker run --rm --security-opt no-new-privileges busybox sh -c 'grep NoNewPrivs /proc/self/status'
        [[ "$output" == *"1" ]]
        run docker run --rm --ulimit nofile=100:200 busybox sh -c 'ulimit -n'
        [ "$output" = "100" ]
        run docker run --rm -u 1000:1000 busybox id -u
        [ "$output" = "1000" ]
        pouch create --name annot --annotation org.example/k=v busybox true
        id="$(docker inspect -f '{{.Id}}' annot)"
        docker start annot
        run jq -r '.annotations["org.example/k"]' "$SMOKE_HOME/home/containers/$id/config.json"
        [ "$output" = "v" ]
        docker wait annot
        docker rm annot
}

@test "restart policies: always restarts, on-failure stops after its retries" {
        docker run -d --name alw --restart always busybox sh -c 'sleep 0.3; exit 1'
        for _ in $(seq 1 100); do
                [ "$(docker inspect -f '{{.RestartCount}}' alw)" -ge 2 ] && break
                sleep 0.1
        done
        [ "$(docker inspect -f '{{.RestartCount}}' alw)" -ge 2 ]
        docker rm -f alw
        docker run -d --name onf --restart on-failure:2 busybox sh -c 'exit 3'
        for _ in $(seq 1 100); do
                [ "$(docker inspect -f '{{.RestartCount}} {{.State.Status}}' onf)" = "2 exited" ] && break
                sleep 0.1
        done
        sleep 1
        run docker inspect -f '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}' onf
        [ "$output" = "2 exited 3" ]
        docker rm onf
}

@test "kill -9 of a shim: the container is reported exited with a reason" {
        docker run -d --name orphan busybox sleep 1000
        id="$(docker inspect -f '{{.Id}}' orphan)"
        kill -9 "$(cat "$SMOKE_HOME/home/run/${id:0:12}/shim.pid")"
        for _ in $(seq 1 50); do
                [ "$(docker inspect -f '{{.State.Status}}' orphan)" = "exited" ] && break
                sleep 0.1
        done
        run docker inspect -f '{{.State.Status}}|{{.State.Error}}' orphan
        [[ "$output" == "exited|"*"shim"* ]]
        docker rm orphan
}
