#!/usr/bin/env bats
# Volumes: bind mounts, named volumes (create/ls/inspect/rm/prune), anonymous volumes from image
# VOLUMEs with docker's copy-up, --volumes-from, through pouch and the docker CLI.

bats_require_minimum_version 1.5.0
load helpers

setup_file() { pouchd_setup_file; }
teardown_file() { pouchd_teardown_file; }
teardown() { dump_log_on_failure; }

@test "bind mounts: -v /host:/ctr, :ro refuses writes, --tmpfs" {
        mkdir -p "$PT/bind"
        echo from-host > "$PT/bind/in"
        run pouch run --rm -v "$PT/bind:/b" busybox sh -c 'cat /b/in; echo from-ctr > /b/out'
        [ "$status" -eq 0 ]
        [ "$output" = "from-host" ]
        [ "$(cat "$PT/bind/out")" = "from-ctr" ]
        run pouch run --rm -v "$PT/bind:/b:ro" busybox sh -c 'echo x > /b/x'
        [ "$status" -ne 0 ]
        [ ! -e "$PT/bind/x" ]
        run pouch run --rm --tmpfs /scratch busybox sh -c 'grep " /scratch " /proc/mounts'
        [[ "$output" == *tmpfs* ]]
}

@test "a named volume keeps data across containers and cannot be removed while used" {
        run pouch volume create --label team=ops data1
        [ "$status" -eq 0 ]
        [ "$output" = "data1" ]
        [ "$(pouch volume inspect -f '{{.Driver}} {{.Labels.team}}' data1)" = "local ops" ]
        pouch run --rm -v data1:/data busybox sh -c 'echo persisted > /data/f'
        run pouch run --rm -v data1:/data:ro busybox cat /data/f
        [ "$output" = "persisted" ]
        run pouch run --rm -v data1:/data:ro busybox sh -c 'echo x > /data/g'
        [ "$status" -ne 0 ]
        pouch run -d --name vuser -v data1:/data busybox sleep 1000
        run pouch inspect -f '{{json .Mounts}}' vuser
        [[ "$output" == *'"Name":"data1"'*'"Destination":"/data"'* ]]
        run pouch volume rm data1
        [ "$status" -ne 0 ]
        [[ "$output" == *"in use"* ]]
        pouch rm -f vuser
        run pouch volume ls -q --filter label=team=ops
        [ "$output" = "data1" ]
        pouch volume rm data1
        run pouch volume inspect data1
        [ "$status" -ne 0 ]
        [[ "$output" == *"no such volume"* ]]
}

@test "a volume used by name alone is created on first use; bad names are refused" {
        pouch run --rm -v autovol:/x busybox true
        run pouch volume ls -q
        [[ "$output" == *autovol* ]]
        run pouch run --rm -v 'bad$name:/x' busybox true
        [ "$status" -ne 0 ]
        [[ "$output" == *"invalid characters"* ]]
        pouch volume rm autovol
}

@test "image VOLUME: anonymous volume with the image's content; rm -v and --rm delete it" {
        pouch import -c 'VOLUME /etc' "$PBUSYBOX" bbvol:latest
        before="$(pouch volume ls -q | wc -l)"
        run pouch run --name anon bbvol cat /etc/passwd
        [[ "$output" == root:* ]]
        [ "$(pouch volume ls -q | wc -l)" -eq $((before + 1)) ]
        pouch rm -v anon
        [ "$(pouch volume ls -q | wc -l)" -eq "$before" ]
        pouch run --rm bbvol true
        [ "$(pouch volume ls -q | wc -l)" -eq "$before" ]
        # a named volume over the image path is filled once, then kept
        pouch run --rm -v filled:/etc bbvol sh -c 'echo mine > /etc/marker'
        run pouch run --rm -v filled:/etc busybox sh -c 'cat /etc/marker; test -s /etc/passwd && echo copied'
        [ "${lines[0]}" = "mine" ]
        [ "${lines[1]}" = "copied" ]
        pouch volume rm filled
        pouch rmi bbvol
}

@test "--volumes-from shares another container's volumes" {
        pouch run -d --name vsrc -v shared1:/shared busybox sleep 1000
        pouch exec vsrc sh -c 'echo from-src > /shared/f'
        run pouch run --rm --volumes-from vsrc busybox cat /shared/f
        [ "$output" = "from-src" ]
        pouch rm -f vsrc
        pouch volume rm shared1
}

@test "volume prune removes unused anonymous volumes, -a named ones too" {
        pouch volume create keepme
        id="$(pouch volume create)"
        [ "${#id}" -eq 64 ]
        run pouch volume prune
        [[ "$output" == *"$id"* ]]
        run pouch volume ls -q
        [[ "$output" == *keepme* ]]
        run pouch volume prune -a
        [[ "$output" == *keepme* ]]
        run pouch volume ls -q
        [[ "$output" != *keepme* ]]
}

@test "docker CLI: volume create, ls, inspect, rm and run -v" {
        dockerc volume create dvol
        run dockerc volume ls --format '{{.Name}}'
        [[ "$output" == *dvol* ]]
        [ "$(dockerc volume inspect -f '{{.Name}} {{.Driver}}' dvol)" = "dvol local" ]
        dockerc run --rm -v dvol:/d busybox sh -c 'echo hi > /d/x'
        run dockerc run --rm --mount type=volume,source=dvol,target=/m busybox cat /m/x
        [ "$output" = "hi" ]
        dockerc volume rm dvol
        run dockerc volume inspect dvol
        [ "$status" -ne 0 ]
}

@test "volume API errors: malformed body 400, unknown 404, unknown driver 400" {
        [ "$(api_code POST /volumes/create -H 'Content-Type: application/json' -d '{bad')" = 400 ]
        [ "$(api_code GET /volumes/nope)" = 404 ]
        [ "$(api_code DELETE /volumes/nope)" = 404 ]
        [ "$(api_code POST /volumes/create -H 'Content-Type: application/json' -d '{"Name":"x1","Driver":"nfs"}')" = 400 ]
        [ "$(api_code POST /volumes/create -H 'Content-Type: application/json' -d '{"Name":"x1","Labels":[1]}')" = 400 ]
        run pouch volume ls -q
        [[ "$output" != *x1* ]]
}

@test "pouch run --mount type=volume|bind|tmpfs" {
        mkdir -p "$PT/mnt-bind" && echo b > "$PT/mnt-bind/f"
        run pouch run --rm --mount type=bind,source="$PT/mnt-bind",target=/b,readonly busybox sh -c 'cat /b/f; touch /b/g'
        [ "${lines[0]}" = "b" ]
        [ "$status" -ne 0 ]
        pouch run --rm --mount type=volume,source=mvol,target=/v busybox sh -c 'echo v > /v/f'
        run pouch run --rm --mount source=mvol,target=/v busybox cat /v/f
        [ "$output" = "v" ]
        run pouch run --rm --mount type=tmpfs,target=/t,tmpfs-size=1m busybox sh -c 'grep " /t " /proc/mounts'
        [[ "$output" == *size=1024k* ]]
        run pouch run --rm --mount type=volume busybox true
        [ "$status" -ne 0 ]
        [[ "$output" == *"target is required"* ]]
        pouch volume rm mvol
}
