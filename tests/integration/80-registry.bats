#!/usr/bin/env bats
# Registry pull/push through pouchd against Debian's docker-registry on 127.0.0.1:
# digests, corrupted blobs, basic auth, and a mirror for docker.io names.

bats_require_minimum_version 1.5.0
load smoke-helpers

load registry-helpers

setup_file() {
        command -v docker-registry > /dev/null || skip "docker-registry is not installed"
        smoke_start_daemon
        export REG_ROOT="$SMOKE_HOME"
        smoke_build_busybox_tar "$SMOKE_HOME/busybox.tar"
        docker import "$SMOKE_HOME/busybox.tar" busybox:latest > /dev/null
        start_registry reg
}

teardown_file() {
        stop_registries
        smoke_teardown
}

teardown() {
        [ "$BATS_TEST_COMPLETED" = 1 ] || dump_log_on_failure
}

@test "push, remove, pull again: same digest as the registry, and it runs" {
        port="$(cat "$SMOKE_HOME/reg/port")"
        docker tag busybox "127.0.0.1:$port/test/bb:1"
        run docker push "127.0.0.1:$port/test/bb:1"
        [ "$status" -eq 0 ]
        docker rmi "127.0.0.1:$port/test/bb:1" busybox
        run docker images -q
        [ -z "$output" ]
        run docker pull "127.0.0.1:$port/test/bb:1"
        [ "$status" -eq 0 ]
        [[ "$output" == *"Pull complete"* ]]
        want="$(curl -sI -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
                "http://127.0.0.1:$port/v2/test/bb/manifests/1" | tr -d '\r' | awk -F': ' 'tolower($1)=="docker-content-digest"{print $2}')"
        run docker inspect -f '{{index .RepoDigests 0}}' "127.0.0.1:$port/test/bb:1"
        [ "$output" = "127.0.0.1:$port/test/bb@$want" ]
        run docker run --rm "127.0.0.1:$port/test/bb:1" echo pulled
        [ "$output" = "pulled" ]
        # pulling again downloads nothing
        run docker pull "127.0.0.1:$port/test/bb:1"
        [[ "$output" == *"Already exists"* ]] || [[ "$output" == *"Downloaded newer image"* ]]
}

@test "a corrupted blob in the registry fails the pull and keeps nothing" {
        port="$(cat "$SMOKE_HOME/reg/port")"
        docker tag "127.0.0.1:$port/test/bb:1" "127.0.0.1:$port/test/broken:1"
        docker push "127.0.0.1:$port/test/broken:1"
        docker rmi "127.0.0.1:$port/test/broken:1" "127.0.0.1:$port/test/bb:1"
        before="$(docker images -q | sort)"
        # flip bytes inside every stored layer blob (they are the big ones)
        find "$SMOKE_HOME/reg/data" -path '*/blobs/*' -name data -size +100k -print0 | while IFS= read -r -d '' f; do
                printf 'corrupt' | dd of="$f" bs=1 seek=1000 conv=notrunc status=none
        done
        run docker pull "127.0.0.1:$port/test/broken:1"
        [ "$status" -ne 0 ]
        [[ "$output" == *"verification failed"* ]] || [[ "$output" == *"digest"* ]]
        [ "$(docker images -q | sort)" = "$before" ]
        run docker image inspect "127.0.0.1:$port/test/broken:1"
        [ "$status" -ne 0 ]
}

@test "basic auth: pull without credentials is refused, login then push and pull work" {
        command -v htpasswd > /dev/null || skip "htpasswd (apache2-utils) is not installed"
        htpasswd -Bbc "$SMOKE_HOME/htpasswd" alice s3cret 2> /dev/null
        start_registry authreg "$SMOKE_HOME/htpasswd"
        port="$(cat "$SMOKE_HOME/authreg/port")"
        docker import "$SMOKE_HOME/busybox.tar" "127.0.0.1:$port/priv/bb:1" > /dev/null
        export DOCKER_CONFIG="$SMOKE_HOME/dockercfg"
        run docker push "127.0.0.1:$port/priv/bb:1"
        [ "$status" -ne 0 ]
        run docker login -u alice -p wrong "127.0.0.1:$port"
        [ "$status" -ne 0 ]
        run docker login -u alice -p s3cret "127.0.0.1:$port"
        [ "$status" -eq 0 ]
        run docker push "127.0.0.1:$port/priv/bb:1"
        [ "$status" -eq 0 ]
        docker rmi "127.0.0.1:$port/priv/bb:1"
        run docker pull "127.0.0.1:$port/priv/bb:1"
        [ "$status" -eq 0 ]
        docker logout "127.0.0.1:$port"
        docker rmi "127.0.0.1:$port/priv/bb:1"
        run docker pull "127.0.0.1:$port/priv/bb:1"
        [ "$status" -ne 0 ]
}

@test "docker.io names are pulled from a registry mirror" {
        start_registry mirror
        port="$(cat "$SMOKE_HOME/mirror/port")"
        docker import "$SMOKE_HOME/busybox.tar" "127.0.0.1:$port/library/mirrored:7" > /dev/null
        docker push "127.0.0.1:$port/library/mirrored:7"
        docker rmi "127.0.0.1:$port/library/mirrored:7"
        # a second daemon configured with the mirror
        smoke_kill_daemon TERM
        smoke_restart_daemon --registry-mirror "http://127.0.0.1:$port"
        run docker pull mirrored:7
        [ "$status" -eq 0 ]
        run docker run --rm mirrored:7 echo from-mirror
        [ "$output" = "from-mirror" ]
}
