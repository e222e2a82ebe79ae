#!/usr/bin/env bats
# The image store: load of docker-archive and OCI layout tarballs, import, tag, rmi while in use,
# and hostile layers (../, absolute paths, symlink and hard link escapes) refused without a trace.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
        pouchd_setup_file
        "$IMAGES/make-docker-archive.sh" "$PBUSYBOX" "$PT/da.tar" da:1
        "$IMAGES/make-oci-layout.sh" "$PBUSYBOX" "$PT/oci.tar" oci:1
        "$IMAGES/make-oci-layout.sh" --gzip "$PBUSYBOX" "$PT/ocigz.tar" example.com/team/ocigz:2
        "$IMAGES/make-evil-layers.sh" "$PT/evil"
}
teardown_file() { pouchd_teardown_file; }
teardown() { dump_log_on_failure; }

diff_id() { echo "sha256:$(sha256sum "$PBUSYBOX" | cut -d' ' -f1)"; }
layer0() { pouch inspect "$1" | jq -r '.[0].RootFS.Layers[0]'; }

# everything the store holds: tags, image ids, layers, blobs
store_state() {
        pouch images --no-trunc --format '{{.Repository}}:{{.Tag}} {{.ID}}' 2> /dev/null | sort
        find "$PHOME/image/images" "$PHOME/image/layers" "$PHOME/image/blobs/sha256" -mindepth 1 -maxdepth 1 \
                -not -name '.*' 2> /dev/null | sort
}
tmp_empty() { [ -z "$(ls -A "$PHOME/image/tmp" 2> /dev/null)" ]; }

@test "load a docker-archive tarball (file and stdin) and run it" {
        run pouch load -i "$PT/da.tar"
        [ "$status" -eq 0 ]
        [[ "$output" == *"Loaded image: da:1"* ]]
        [ "$(layer0 da:1)" = "$(diff_id)" ]
        run pouch run --rm da:1 sh -c 'echo from-docker-archive; cat /etc/passwd | head -1'
        [ "$output" = "$(printf 'from-docker-archive\nroot:x:0:0:root:/root:/bin/sh')" ]
        pouch rmi da:1
        run bash -c '"$BIN/pouch" load < "$PT/da.tar"'
        [ "$status" -eq 0 ]
        [[ "$output" == *"Loaded image: da:1"* ]]
        pouch rmi da:1
}

@test "load an OCI image layout (plain and gzip layers) and run it" {
        run pouch load -i "$PT/oci.tar"
        [ "$status" -eq 0 ]
        [[ "$output" == *"oci:1"* ]]
        run pouch run --rm oci:1 echo from-oci
        [ "$output" = "from-oci" ]
        run pouch load -i "$PT/ocigz.tar"
        [ "$status" -eq 0 ]
        [[ "$output" == *"example.com/team/ocigz:2"* ]]
        [ "$(layer0 example.com/team/ocigz:2)" = "$(diff_id)" ]
        run pouch run --rm example.com/team/ocigz:2 echo from-oci-gzip
        [ "$output" = "from-oci-gzip" ]
        pouch rmi oci:1 example.com/team/ocigz:2
}

@test "the docker CLI loads both formats too" {
        [ -x "$DOCKER_BIN" ] || skip "no docker CLI"
        run bash -c '"$DOCKER_BIN" load < "$PT/da.tar"'
        [ "$status" -eq 0 ]
        [[ "$output" == *"Loaded image: da:1"* ]]
        run bash -c '"$DOCKER_BIN" load -i "$PT/oci.tar"'
        [ "$status" -eq 0 ]
        run dockerc run --rm oci:1 echo ok
        [ "$output" = "ok" ]
        dockerc rmi da:1 oci:1
}

@test "save round trip keeps the image id" {
        pouch import "$PBUSYBOX" rt:1
        id="$(pouch inspect -f '{{.Id}}' rt:1)"
        pouch save -o "$PT/rt.tar" rt:1
        pouch rmi rt:1
        pouch load -i "$PT/rt.tar"
        [ "$(pouch inspect -f '{{.Id}}' rt:1)" = "$id" ]
        pouch rmi rt:1
}

@test "import FILE and - with and without a tag; image inspect" {
        run pouch import "$PBUSYBOX" imp:1
        [ "$status" -eq 0 ]
        [[ "$output" =~ sha256:[0-9a-f]{64} ]]
        run pouch inspect -f '{{.Os}} {{.RootFS.Type}}' imp:1
        [ "$output" = "linux layers" ]
        [ "$(pouch inspect imp:1 | jq -r '.[0].RepoTags | join(",")')" = "imp:1" ]
        run bash -c '"$BIN/pouch" import -c "ENV FROM_STDIN=yes" - imp:2 < "$PBUSYBOX"'
        [ "$status" -eq 0 ]
        run pouch run --rm imp:2 sh -c 'echo $FROM_STDIN'
        [ "$output" = "yes" ]
        run pouch import "$PBUSYBOX"
        [ "$status" -eq 0 ]
        untagged="$(echo "$output" | grep -o 'sha256:[0-9a-f]*' | tail -1)"
        run pouch run --rm "$untagged" echo untagged-ok
        [ "$output" = "untagged-ok" ]
        pouch rmi imp:1 imp:2 "$untagged"
        run pouch import "$PT/no-such.tar" x:1
        [ "$status" -ne 0 ]
        run bash -c 'echo "not a tarball" | "$BIN/pouch" import - junk:1'
        [ "$status" -ne 0 ]
        run pouch inspect junk:1
        [ "$status" -ne 0 ]
}

@test "tag, and rmi: refused while a container uses the image, then -f or after rm" {
        pouch import "$PBUSYBOX" inuse:1
        pouch tag inuse:1 inuse:alias
        [ "$(pouch inspect -f '{{.Id}}' inuse:alias)" = "$(pouch inspect -f '{{.Id}}' inuse:1)" ]
        # removing one of two tags only untags
        run pouch rmi inuse:alias
        [ "$status" -eq 0 ]
        [[ "$output" == *"Untagged: inuse:alias"* ]]
        pouch create --name user1 inuse:1 true
        run pouch rmi inuse:1
        [ "$status" -ne 0 ]
        [[ "$output" == *"container"* ]]
        pouch inspect inuse:1 > /dev/null
        pouch rm user1
        run pouch rmi inuse:1
        [ "$status" -eq 0 ]
        run pouch inspect inuse:1
        [ "$status" -ne 0 ]
        # -f: untags even while a container uses it, and the container keeps working
        pouch import "$PBUSYBOX" inuse:2
        pouch run -d --name user2 inuse:2 sleep 1000
        run pouch rmi -f inuse:2
        [ "$status" -eq 0 ]
        run pouch inspect inuse:2
        [ "$status" -ne 0 ]
        run pouch exec user2 echo still-running
        [ "$output" = "still-running" ]
        pouch rm -f user2
        run pouch rmi nosuch:1
        [ "$status" -ne 0 ]
        [[ "$output" == *"No such image"* ]]
}

@test "hostile layers (../, /../.., symlink, hard link escapes) are refused; nothing is kept" {
        before="$(store_state)"
        tmp_evil_before=0
        [ ! -e /tmp/evil ] || tmp_evil_before=1
        for k in dotdot absdotdot symlink hardlink; do
                run pouch load -i "$PT/evil/evil-$k.tar"
                [ "$status" -ne 0 ] || { echo "load of evil-$k was accepted: $output"; false; }
                [[ "$output" =~ escape|outside|symlink|\.\.|link ]] || { echo "unclear error for evil-$k: $output"; false; }
                run pouch import "$PT/evil/layer-$k.tar" "evilimp:$k"
                [ "$status" -ne 0 ] || { echo "import of layer-$k was accepted: $output"; false; }
                [[ "$output" =~ escape|outside|symlink|\.\.|link ]] || { echo "unclear error for layer-$k: $output"; false; }
                run pouch inspect "evil:$k"
                [ "$status" -ne 0 ]
        done
        if [ -x "$DOCKER_BIN" ]; then
                run bash -c '"$DOCKER_BIN" load < "$PT/evil/evil-symlink.tar"'
                [ "$status" -ne 0 ]
                [[ "$output" == *"symlink"* ]]
        fi
        # where each escape would have landed: next to the layer dirs, in the home, on the host
        [ -z "$(find "$PT" -name evil -not -path "$PT/evil" -not -path "$PT/evil/*" -print -quit)" ]
        [ "$tmp_evil_before" = 1 ] || [ ! -e /tmp/evil ]
        wait_for 10 tmp_empty
        [ "$(store_state)" = "$before" ]
        ping_ok
}

@test "an absolute /evil entry never lands on the host: refused or kept inside the image" {
        [ ! -e /evil ] || skip "/evil already exists on this host"
        before="$(store_state)"
        run pouch load -i "$PT/evil/evil-abs.tar"
        if [ "$status" -eq 0 ]; then
                # docker semantics: the leading / is dropped and the file stays in the layer
                diff="$(layer0 evil:abs)"
                [ "$(cat "$PHOME/image/layers/${diff#sha256:}/diff/evil")" = "evil" ]
                [ "$(cat "$PHOME/image/layers/${diff#sha256:}/diff/ok.txt")" = "ok" ]
                pouch rmi evil:abs
        else
                [[ "$output" =~ escape|outside|absolute ]]
        fi
        [ ! -e /evil ]
        [ "$(store_state)" = "$before" ]
}
