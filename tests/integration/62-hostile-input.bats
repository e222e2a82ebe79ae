#!/usr/bin/env bats
# Hostile bytes in names: a request path, an import's repo, a layer entry in a loaded tarball or
# in a pulled image that is not valid UTF-8. pouchd must answer with valid UTF-8 JSON, survive,
# and the CLIs must fail with the reason (the bad bytes shown as \xNN).

bats_require_minimum_version 1.5.0
load helpers
load registry-helpers

# make_layer OUT.tar: ok.txt and an entry named \xff/../../x (raw bytes, not UTF-8)
make_layer() {
        python3 - "$1" << 'PY'
import io
import sys
import tarfile

with tarfile.open(sys.argv[1], "w", format=tarfile.GNU_FORMAT, encoding="utf-8",
                  errors="surrogateescape") as t:
    for name, data in (("ok.txt", b"ok\n"), (b"\xff/../../x".decode("utf-8", "surrogateescape"), b"x\n")):
        ti = tarfile.TarInfo(name)
        ti.mode = 0o644
        ti.mtime = 0
        ti.size = len(data)
        t.addfile(ti, io.BytesIO(data))
PY
}

setup_file() {
        command -v python3 > /dev/null || skip "python3 is needed to craft the tarballs"
        pouchd_setup_file
        export HOSTILE="$PT/hostile" REG_ROOT="$PT/registries"
        mkdir -p "$HOSTILE" "$REG_ROOT"
        make_layer "$HOSTILE/layer.tar"
        "$IMAGES/make-docker-archive.sh" "$HOSTILE/layer.tar" "$HOSTILE/archive.tar" hostile:1
        # the bytes really are in the tarball, not replaced on the way
        grep -qa $'\xff/\\.\\./\\.\\./x' "$HOSTILE/layer.tar"
}

teardown_file() {
        stop_registries
        pouchd_teardown_file
}

teardown() { dump_log_on_failure; }

# pouchd still runs (same pid) and answers
pouchd_survived() {
        pid_alive "$(pouchd_pid)" || { echo "pouchd died; its log:"; tail -n 30 "$PLOG"; return 1; }
        ping_ok || { echo "pouchd does not answer /_ping"; return 1; }
}

# valid_json FILE: FILE is one JSON value in valid UTF-8 (python refuses anything else)
valid_json() {
        python3 -c 'import json, sys; json.loads(open(sys.argv[1], "rb").read().decode("utf-8", "strict"))' "$1"
}

# every line of FILE is a JSON object in valid UTF-8
valid_json_lines() {
        python3 -c '
import json, sys
for line in open(sys.argv[1], "rb").read().decode("utf-8", "strict").splitlines():
    if line.strip():
        assert isinstance(json.loads(line), dict), line
' "$1"
}

@test "GET /containers/%ff/json: a 404 whose JSON body is valid UTF-8" {
        run curl -s -o "$PT/body" -w '%{http_code}' --max-time 20 --unix-socket "$PSOCK" 'http://x/containers/%ff/json'
        [ "$status" -eq 0 ] || { echo "no HTTP answer (curl exit $status)"; false; }
        [ "$output" = 404 ] || { echo "status $output: $(cat "$PT/body")"; false; }
        valid_json "$PT/body"
        iconv -f utf-8 -t utf-8 "$PT/body" > /dev/null
        run jq -r .message "$PT/body"
        [[ "$output" == *'\xff'* ]] || { echo "message does not show the name: $output"; false; }
        # the CLIs print the daemon's reason
        run dockerc rm $'\xff'
        [ "$status" -ne 0 ]
        [[ "$output" == *'No such container: \xff'* ]] || { echo "docker rm: $output"; false; }
        run pouch rm $'\xff'
        [ "$status" -ne 0 ]
        [[ "$output" == *'No such container: \xff'* ]] || { echo "pouch rm: $output"; false; }
        pouchd_survived
}

@test "other routes with a name that is not UTF-8 answer 4xx with valid UTF-8 JSON" {
        local req m p code
        for req in 'GET /images/%ff/json' 'GET /networks/%ff' 'GET /volumes/%ff' 'DELETE /containers/%ff' \
                'POST /containers/%ff/start' 'GET /images/json?filters=%ff' 'GET /containers/json?filters=%ff'; do
                m="${req%% *}" p="${req#* }"
                code="$(curl -s -o "$PT/body" -w '%{http_code}' --max-time 20 --unix-socket "$PSOCK" -X "$m" "http://x$p")" ||
                        { echo "$req: no HTTP answer"; false; }
                [[ "$code" == 4?? ]] || { echo "$req: status $code: $(cat "$PT/body")"; false; }
                valid_json "$PT/body" || { echo "$req: body is not valid UTF-8 JSON: $(od -c "$PT/body" | head)"; false; }
        done
        code="$(curl -s -o "$PT/body" -w '%{http_code}' --max-time 20 --unix-socket "$PSOCK" -X POST \
                -H 'Content-Type: application/json' -d '{"Image":"busybox"}' 'http://x/containers/create?name=%ff')"
        [[ "$code" == 4?? ]] || { echo "create: status $code: $(cat "$PT/body")"; false; }
        valid_json "$PT/body"
        pouchd_survived
}

@test "POST /images/create?fromSrc=-&repo=%FF: a 4xx JSON answer, and pouchd survives" {
        run curl -s -o "$PT/body" -w '%{http_code}' --max-time 30 --unix-socket "$PSOCK" -X POST \
                -H 'Content-Type: application/x-tar' --data-binary "@$HOSTILE/layer.tar" \
                'http://x/images/create?fromSrc=-&repo=%FF'
        [ "$status" -eq 0 ] || { echo "no HTTP answer (curl exit $status)"; false; }
        [[ "$output" == 4?? ]] || { echo "status $output: $(cat "$PT/body")"; false; }
        valid_json "$PT/body"
        run jq -r .message "$PT/body"
        [[ "$output" == *'\xff'* ]] || { echo "message: $output"; false; }
        pouchd_survived
        # a change that is not UTF-8 is refused, not silently dropped
        run curl -s -o "$PT/body" -w '%{http_code}' --max-time 30 --unix-socket "$PSOCK" -X POST \
                -H 'Content-Type: application/x-tar' --data-binary "@$PBUSYBOX" \
                'http://x/images/create?fromSrc=-&repo=chg&changes=WORKDIR%20/%FF'
        [ "$output" = 400 ] || { echo "status $output: $(cat "$PT/body")"; false; }
        valid_json "$PT/body"
        pouchd_survived
}

@test "pouch load / import / docker load of a layer with an entry named \\xff/../../x fail with the reason" {
        run pouch load -i "$HOSTILE/archive.tar"
        [ "$status" -ne 0 ] || { echo "load accepted: $output"; false; }
        [[ "$output" == *'\xff/../../x'* ]] || { echo "unclear error: $output"; false; }
        pouchd_survived
        run pouch import "$HOSTILE/layer.tar" hostile:imp
        [ "$status" -ne 0 ] || { echo "import accepted: $output"; false; }
        [[ "$output" == *'\xff/../../x'* ]] || { echo "unclear error: $output"; false; }
        pouchd_survived
        run bash -c '"$DOCKER_BIN" load < "$HOSTILE/archive.tar"'
        [ "$status" -ne 0 ] || { echo "docker load accepted: $output"; false; }
        [[ "$output" == *'\xff/../../x'* ]] || { echo "docker load: $output"; false; }
        pouchd_survived
        # the raw stream is JSON lines in valid UTF-8, ending with the error
        curl -s --max-time 30 --unix-socket "$PSOCK" -X POST -H 'Content-Type: application/x-tar' \
                --data-binary "@$HOSTILE/archive.tar" 'http://x/images/load' > "$PT/stream"
        valid_json_lines "$PT/stream"
        run jq -rs '.[-1].errorDetail.message' "$PT/stream"
        [[ "$output" == *'\xff/../../x'* ]] || { echo "stream: $(cat "$PT/stream")"; false; }
        for ref in hostile:1 hostile:imp; do
                run pouch inspect "$ref"
                [ "$status" -ne 0 ] || { echo "$ref exists after a failed load"; false; }
        done
        pouchd_survived
}

# put_blob PORT REPO FILE: upload FILE as a blob of REPO; prints its digest
put_blob() {
        local port="$1" repo="$2" file="$3" digest loc
        digest="sha256:$(sha256sum "$file" | cut -d' ' -f1)"
        loc="$(curl -sS -D - -o /dev/null -X POST "http://127.0.0.1:$port/v2/$repo/blobs/uploads/" |
                tr -d '\r' | awk -F': ' 'tolower($1) == "location" {print $2}')"
        [ -n "$loc" ] || return 1
        case "$loc" in http*) ;; *) loc="http://127.0.0.1:$port$loc" ;; esac
        case "$loc" in *\?*) loc="$loc&digest=$digest" ;; *) loc="$loc?digest=$digest" ;; esac
        curl -sSf -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@$file" "$loc" > /dev/null
        echo "$digest"
}

# push_layer_image PORT REPO TAG LAYER.tar: a one-layer image, straight through the registry API
push_layer_image() {
        local port="$1" repo="$2" tag="$3" layer="$4" dir diff ldig cdig
        dir="$(mktemp -d "$PT/img.XXXXXX")"
        diff="sha256:$(sha256sum "$layer" | cut -d' ' -f1)"
        gzip -nc "$layer" > "$dir/layer.tar.gz"
        jq -nc --arg diff "$diff" '{architecture: "amd64", os: "linux", config: {Cmd: ["sh"]},
                rootfs: {type: "layers", diff_ids: [$diff]}}' > "$dir/config.json"
        ldig="$(put_blob "$port" "$repo" "$dir/layer.tar.gz")" || return 1
        cdig="$(put_blob "$port" "$repo" "$dir/config.json")" || return 1
        jq -nc --arg c "$cdig" --argjson cs "$(stat -c %s "$dir/config.json")" \
                --arg l "$ldig" --argjson ls "$(stat -c %s "$dir/layer.tar.gz")" '{schemaVersion: 2,
                mediaType: "application/vnd.docker.distribution.manifest.v2+json",
                config: {mediaType: "application/vnd.docker.container.image.v1+json", size: $cs, digest: $c},
                layers: [{mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip", size: $ls,
                          digest: $l}]}' > "$dir/manifest.json"
        curl -sSf -X PUT -H 'Content-Type: application/vnd.docker.distribution.manifest.v2+json' \
                --data-binary "@$dir/manifest.json" "http://127.0.0.1:$port/v2/$repo/manifests/$tag" > /dev/null
}

@test "pouch pull / docker pull of an image whose layer has an entry named \\xff/../../x exit non-zero with the reason" {
        command -v docker-registry > /dev/null || skip "docker-registry is not installed"
        start_registry reg
        port="$(cat "$REG_ROOT/reg/port")"
        push_layer_image "$port" hostile/pull 1 "$HOSTILE/layer.tar"
        # the control: the same image with a clean layer pulls fine, so the failure below is the name
        python3 -c 'import tarfile, io, sys
with tarfile.open(sys.argv[1], "w") as t:
    ti = tarfile.TarInfo("ok.txt"); ti.size = 3; t.addfile(ti, io.BytesIO(b"ok\n"))' "$HOSTILE/clean.tar"
        push_layer_image "$port" hostile/clean 1 "$HOSTILE/clean.tar"
        run pouch pull "127.0.0.1:$port/hostile/clean:1"
        [ "$status" -eq 0 ] || { echo "control pull failed: $output"; false; }

        run pouch pull "127.0.0.1:$port/hostile/pull:1"
        [ "$status" -ne 0 ] || { echo "pull exited 0: $output"; false; }
        [[ "$output" == *'\xff/../../x'* ]] || { echo "unclear error: $output"; false; }
        run pouch inspect "127.0.0.1:$port/hostile/pull:1"
        [ "$status" -ne 0 ]
        pouchd_survived
        run dockerc pull "127.0.0.1:$port/hostile/pull:1"
        [ "$status" -ne 0 ] || { echo "docker pull exited 0: $output"; false; }
        [[ "$output" == *'\xff/../../x'* ]] || { echo "docker pull: $output"; false; }
        pouchd_survived
}

@test "the stat header of docker cp for a symlink whose target is not UTF-8 is valid JSON" {
        pouch create --name cpstat busybox sleep 100 > /dev/null
        python3 -c 'import tarfile, sys
with tarfile.open(sys.argv[1], "w", format=tarfile.GNU_FORMAT, encoding="utf-8", errors="surrogateescape") as t:
    ti = tarfile.TarInfo("lnk"); ti.type = tarfile.SYMTYPE
    ti.linkname = b"/tmp/\xff".decode("utf-8", "surrogateescape"); t.addfile(ti)' "$PT/lnk.tar"
        run api_code PUT '/containers/cpstat/archive?path=/' -H 'Content-Type: application/x-tar' --data-binary "@$PT/lnk.tar"
        [ "$output" = 200 ] || { echo "upload: $output"; false; }
        run curl -s -o /dev/null -D "$PT/headers" -w '%{http_code}' --max-time 20 --unix-socket "$PSOCK" -I \
                'http://x/containers/cpstat/archive?path=/lnk'
        [ "$output" = 200 ] || { echo "HEAD archive: $output"; cat "$PT/headers"; false; }
        tr -d '\r' < "$PT/headers" | awk -F': ' 'tolower($1) == "x-docker-container-path-stat" {print $2}' |
                base64 -d > "$PT/stat.json"
        valid_json "$PT/stat.json"
        run jq -r .linkTarget "$PT/stat.json"
        [ "$output" = '/tmp/\xff' ] || { echo "stat: $(cat "$PT/stat.json")"; false; }
        pouch rm -f cpstat > /dev/null
}

@test "pouch login with a password that is not UTF-8 fails with a message, not a crash" {
        run pouch login -u someone -p $'\xff' 127.0.0.1:1
        [ "$status" -eq 1 ] || { echo "exit $status: $output"; false; }
        [[ "$output" == *"UTF-8"* ]] || { echo "message: $output"; false; }
}
