#!/usr/bin/env bats
# Registries through the pouch CLI: a multi-layer image pushed and pulled back with matching
# digests, history, credentials in ~/.pouch/config.json (login/logout), concurrent pulls sharing
# downloads, a pull interrupted by a daemon crash, image prune and system df.

bats_require_minimum_version 1.5.0
load helpers
load registry-helpers

setup_file() {
        command -v docker-registry > /dev/null || skip "docker-registry is not installed"
        pouchd_setup_file
        export REG_ROOT="$PT/registries" POUCH_CONFIG="$PT/pouchcfg"
        mkdir -p "$REG_ROOT"
        start_registry reg
        # a 4-layer image: the busybox rootfs plus usr/, usr/share and var/ content (~6 MB)
        mkdir -p "$PT/mlroot"
        tar -C "$PT/mlroot" -xf "$PBUSYBOX"
        mkdir -p "$PT/mlroot/usr/lib" "$PT/mlroot/usr/share/doc" "$PT/mlroot/var/lib"
        head -c 2000000 /dev/urandom > "$PT/mlroot/usr/lib/blob"
        head -c 2000000 /dev/urandom > "$PT/mlroot/usr/share/doc/blob"
        echo state > "$PT/mlroot/var/lib/state"
        tar -C "$PT/mlroot" -cf "$PT/mlroot.tar" .
        "$IMAGES/make-multilayer-archive.sh" "$PT/mlroot.tar" "$PT/ml.tar" ml:1
}

teardown_file() {
        stop_registries
        pouchd_teardown_file
}

teardown() { dump_log_on_failure; }

reg() { echo "127.0.0.1:$(cat "$REG_ROOT/reg/port")"; }

@test "pouch push and pull of a multi-layer image: registry digest, layers, history, run" {
        pouch load -i "$PT/ml.tar"
        r="$(reg)"
        pouch tag ml:1 "$r/test/ml:1"
        run pouch push "$r/test/ml:1"
        [ "$status" -eq 0 ]
        [[ "$output" == *"1: digest: sha256:"*" size: "* ]]
        pouch rmi "$r/test/ml:1" ml:1
        run pouch pull "$r/test/ml:1"
        [ "$status" -eq 0 ]
        [[ "$output" == *"Pull complete"* ]]
        # plain lines when not on a terminal: no byte-count updates
        [[ "$output" != *"Downloading ["* ]]
        want="$(curl -sI -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
                -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$r/v2/test/ml/manifests/1" |
                tr -d '\r' | awk -F': ' 'tolower($1)=="docker-content-digest"{print $2}')"
        [ -n "$want" ]
        [ "$(pouch image inspect -f '{{index .RepoDigests 0}}' "$r/test/ml:1")" = "$r/test/ml@$want" ]
        [ "$(pouch image inspect -f '{{len .RootFS.Layers}}' "$r/test/ml:1")" = 4 ]
        run pouch history "$r/test/ml:1"
        [[ "$output" == *'CMD ["sh"]'* ]]
        [[ "$output" == *"ADD base files"* ]]
        run pouch run --rm "$r/test/ml:1" cat /var/lib/state
        [ "$output" = "state" ]
        cmp "$PT/mlroot/usr/share/doc/blob" <(pouch run --rm "$r/test/ml:1" cat /usr/share/doc/blob)
}

@test "login stores credentials in POUCH_CONFIG/config.json, push/pull use them, logout removes them" {
        command -v htpasswd > /dev/null || skip "htpasswd (apache2-utils) is not installed"
        htpasswd -Bbc "$PT/htpasswd" alice s3cret 2> /dev/null
        start_registry authreg "$PT/htpasswd"
        a="127.0.0.1:$(cat "$REG_ROOT/authreg/port")"
        pouch tag busybox "$a/priv/bb:1"
        run pouch push "$a/priv/bb:1"
        [ "$status" -ne 0 ]
        run pouch login -u alice -p wrong "$a"
        [ "$status" -ne 0 ]
        [ ! -e "$POUCH_CONFIG/config.json" ] || ! grep -q "$a" "$POUCH_CONFIG/config.json"
        run pouch login -u alice -p s3cret "$a"
        [ "$status" -eq 0 ]
        [ "$(jq -r --arg a "$a" '.auths[$a].auth' "$POUCH_CONFIG/config.json" | base64 -d)" = "alice:s3cret" ]
        [ "$(stat -c %a "$POUCH_CONFIG/config.json")" = 600 ]
        run pouch push "$a/priv/bb:1"
        [ "$status" -eq 0 ]
        pouch rmi "$a/priv/bb:1"
        run pouch pull "$a/priv/bb:1"
        [ "$status" -eq 0 ]
        run pouch logout "$a"
        [[ "$output" == *"Removing login credentials"* ]]
        pouch rmi "$a/priv/bb:1"
        run pouch pull "$a/priv/bb:1"
        [ "$status" -ne 0 ]
}

@test "two concurrent pulls of one image both succeed and fetch each blob once" {
        r="$(reg)"
        pouch rmi "$r/test/ml:1" 2> /dev/null || true
        before="$(wc -l < "$REG_ROOT/reg/log")"
        pouch pull "$r/test/ml:1" > "$PT/pull1" 2>&1 &
        p1=$!
        pouch pull "$r/test/ml:1" > "$PT/pull2" 2>&1 &
        p2=$!
        wait "$p1"
        wait "$p2"
        run pouch run --rm "$r/test/ml:1" echo ok
        [ "$output" = "ok" ]
        # every layer blob was fetched once (the small config blob may be read by both)
        layers="$(curl -s -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
                -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
                "http://$r/v2/test/ml/manifests/1" | jq -r '.layers[].digest')"
        [ "$(echo "$layers" | wc -l)" = 4 ]
        for l in $layers; do
                n="$(tail -n +"$((before + 1))" "$REG_ROOT/reg/log" | grep -c "GET /v2/test/ml/blobs/$l HTTP/1.1\" 200")" || true
                [ "$n" = 1 ] || { echo "layer $l fetched $n times"; false; }
        done
        # both pulls finished with the image's digest
        grep -q "^Digest: sha256:" "$PT/pull1"
        grep -q "^Digest: sha256:" "$PT/pull2"
}

@test "a pull interrupted by a daemon crash leaves no image; the next pull completes it" {
        r="$(reg)"
        pouch rmi "$r/test/ml:1" 2> /dev/null || true
        pouch pull "$r/test/ml:1" > /dev/null 2>&1 &
        sleep 0.15
        pouchd_kill9
        wait || true
        pouchd_start
        run pouch image inspect "$r/test/ml:1"
        # either it had completed before the kill, or nothing of it is visible
        if [ "$status" -ne 0 ]; then
                run pouch images -q "$r/test/ml"
                [ -z "$output" ]
        fi
        run pouch pull "$r/test/ml:1"
        [ "$status" -eq 0 ]
        run pouch run --rm "$r/test/ml:1" echo resumed
        [ "$output" = "resumed" ]
}

@test "image prune removes dangling images; -a every unused one; system df counts" {
        r="$(reg)"
        pouch tag busybox keep:1
        pouch run -d --name pr-user keep:1 sleep 1000
        run pouch system df
        [[ "${lines[0]}" == TYPE*TOTAL*ACTIVE*SIZE* ]]
        [[ "$output" == *Images* ]]
        [[ "$output" == *"Local Volumes"* ]]
        run pouch image prune -a
        [ "$status" -eq 0 ]
        # the image a container uses stays, the pulled one is gone
        pouch image inspect keep:1 > /dev/null
        run pouch image inspect "$r/test/ml:1"
        [ "$status" -ne 0 ]
        pouch rm -f pr-user
}

@test "push mounts blobs from another repository of the registry, and sends big blobs in chunks" {
        r="$(reg)"
        pouch pull "$r/test/ml:1" > /dev/null
        pouch tag "$r/test/ml:1" "$r/other/ml:2"
        run pouch push "$r/other/ml:2"
        [ "$status" -eq 0 ]
        [[ "$output" == *"Mounted from test/ml"* ]]
        # a 20 MB layer goes up in 16 MiB PATCH chunks and comes back intact
        mkdir -p "$PT/bigroot"
        tar -C "$PT/bigroot" -xf "$PBUSYBOX"
        head -c 20000000 /dev/urandom > "$PT/bigroot/big"
        tar -C "$PT/bigroot" -cf "$PT/big.tar" .
        pouch import "$PT/big.tar" "$r/test/big:1"
        before="$(wc -l < "$REG_ROOT/reg/log")"
        run pouch push "$r/test/big:1"
        [ "$status" -eq 0 ]
        [ "$(tail -n +"$((before + 1))" "$REG_ROOT/reg/log" | grep -c '"PATCH /v2/test/big/blobs/uploads/')" -ge 2 ]
        pouch rmi "$r/test/big:1"
        pouch pull "$r/test/big:1" > /dev/null
        cmp "$PT/bigroot/big" <(pouch run --rm "$r/test/big:1" cat /big)
        pouch rmi "$r/test/big:1" "$r/other/ml:2"
}
