#!/usr/bin/env bats
# The Engine API on the wire (curl --unix-socket): ping and version negotiation, versioned and
# unversioned paths, JSON errors with the right status codes, oversized bodies.

bats_require_minimum_version 1.5.0
load helpers

setup_file() { pouchd_setup_file; }
teardown_file() { pouchd_teardown_file; }
teardown() { dump_log_on_failure; }

# header NAME in a header dump on stdin (case-insensitive name, CR stripped)
header() { tr -d '\r' | awk -v n="$(echo "$1" | tr '[:upper:]' '[:lower:]')" -F': ' 'tolower($1) == n { print $2 }'; }

@test "HEAD and GET /_ping answer 200 with Api-Version 1.41, versioned or not" {
        run curl -sS -I --unix-socket "$PSOCK" http://x/_ping
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" == "HTTP/1.1 200"* ]]
        [ "$(echo "$output" | header Api-Version)" = "1.41" ]
        [ "$(echo "$output" | header Ostype)" = "linux" ]
        for p in /_ping /v1.41/_ping /v1.24/_ping; do
                run curl -sS -D "$PT/hdr" --unix-socket "$PSOCK" "http://x$p"
                [ "$status" -eq 0 ]
                [ "$output" = "OK" ]
                [ "$(header Api-Version < "$PT/hdr")" = "1.41" ]
                head -n1 "$PT/hdr" | grep -q ' 200'
        done
}

@test "/version and /info, with and without the /v1.41 prefix" {
        for p in /version /v1.41/version; do
                run api GET "$p"
                [ "$status" -eq 0 ]
                [ "$(echo "$output" | jq -r .ApiVersion)" = "1.41" ]
                [ "$(echo "$output" | jq -r .Os)" = "linux" ]
                [ -n "$(echo "$output" | jq -r '.Version // empty')" ]
        done
        run api GET /v1.41/info
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | jq -r .Images)" -ge 1 ]
        [ "$(echo "$output" | jq -r .DockerRootDir)" = "$PHOME" ]
        [ "$(echo "$output" | jq -r .OSType)" = "linux" ]
        run api GET /info
        [ "$(echo "$output" | jq -r 'has("Containers")')" = "true" ]
}

@test "an API version newer than 1.41 gets 400 with a JSON message; older versions are served" {
        run curl -sS -D "$PT/hdr" --unix-socket "$PSOCK" http://x/v1.99/version
        head -n1 "$PT/hdr" | grep -q ' 400'
        [[ "$(echo "$output" | jq -r .message)" == *"too new"* ]]
        [ "$(api_code GET /v1.24/containers/json)" = 200 ]
        [ "$(api_code GET /v1.40/version)" = 200 ]
}

@test "malformed JSON on create is 400 with a JSON message and Content-Type" {
        run curl -sS -D "$PT/hdr" --unix-socket "$PSOCK" -X POST -H 'Content-Type: application/json' \
                -d '{"Image":' http://x/v1.41/containers/create
        head -n1 "$PT/hdr" | grep -q ' 400'
        [[ "$(header Content-Type < "$PT/hdr")" == application/json* ]]
        [ -n "$(echo "$output" | jq -r '.message | select(type == "string" and length > 0)')" ]
        # a well-formed body of the wrong shape is a 400 too, not a crash
        [ "$(api_code POST /containers/create -H 'Content-Type: application/json' -d '[1,2]')" = 400 ]
        [ "$(api_code POST /containers/create -H 'Content-Type: application/json' -d '{}')" = 400 ]
        ping_ok
}

@test "a 20 MB body is refused (413 or 400) and the daemon keeps serving" {
        head -c 20000000 /dev/zero | tr '\0' ' ' > "$PT/big.json"
        run curl -s -o "$PT/big.out" -w '%{http_code}' --max-time 60 --unix-socket "$PSOCK" -X POST \
                -H 'Content-Type: application/json' --data-binary "@$PT/big.json" http://x/containers/create
        [ "$output" = 413 ] || [ "$output" = 400 ]
        ping_ok
        run dockerc run --rm busybox echo still-serving
        [ "$output" = "still-serving" ]
        rm -f "$PT/big.json"
}

@test "unknown container or image is 404 with a JSON message" {
        run curl -sS -D "$PT/hdr" --unix-socket "$PSOCK" http://x/v1.41/containers/nosuch/json
        head -n1 "$PT/hdr" | grep -q ' 404'
        [[ "$(header Content-Type < "$PT/hdr")" == application/json* ]]
        [ "$(echo "$output" | jq -r .message)" = "No such container: nosuch" ]
        for r in "POST /containers/nosuch/start" "POST /containers/nosuch/stop" "POST /containers/nosuch/kill" \
                "DELETE /containers/nosuch" "GET /containers/nosuch/logs?stdout=1" "POST /containers/nosuch/wait" \
                "GET /images/nosuch:1/json" "DELETE /images/nosuch:1"; do
                read -r method path <<< "$r"
                [ "$(api_code "$method" "$path")" = 404 ] || { echo "$r did not give 404"; false; }
        done
        [ "$(api_code POST /containers/create -H 'Content-Type: application/json' -d '{"Image":"nosuch:1"}')" = 404 ]
}

@test "create is 201 with Id and Warnings; a name conflict is 409" {
        run api POST '/v1.41/containers/create?name=apidup' -H 'Content-Type: application/json' \
                -d '{"Image":"busybox","Cmd":["true"]}'
        [ "$status" -eq 0 ]
        [[ "$(echo "$output" | jq -r .Id)" =~ ^[0-9a-f]{64}$ ]]
        [ "$(echo "$output" | jq -r '.Warnings | type')" = "array" ]
        run curl -sS -D "$PT/hdr" --unix-socket "$PSOCK" -X POST -H 'Content-Type: application/json' \
                -d '{"Image":"busybox","Cmd":["true"]}' 'http://x/v1.41/containers/create?name=apidup'
        head -n1 "$PT/hdr" | grep -q ' 409'
        [[ "$(echo "$output" | jq -r .message)" == *"apidup"* ]]
        [ "$(api_code DELETE /containers/apidup)" = 204 ]
}

@test "wrong state: rm of a running container 409, kill of a stopped one 409, start of a running one 304" {
        id="$(api POST '/containers/create?name=apirun' -H 'Content-Type: application/json' \
                -d '{"Image":"busybox","Cmd":["sleep","1000"]}' | jq -r .Id)"
        [ "$(api_code POST "/containers/$id/start")" = 204 ]
        run curl -sS -D "$PT/hdr" --unix-socket "$PSOCK" -X DELETE "http://x/containers/$id"
        head -n1 "$PT/hdr" | grep -q ' 409'
        [[ "$(echo "$output" | jq -r .message)" == *"running"* ]]
        [ "$(api_code POST "/containers/$id/start")" = 304 ]
        [ "$(api_code POST "/containers/$id/kill")" = 204 ]
        wait_for 10 state_is apirun exited
        [ "$(api_code POST "/containers/$id/kill")" = 409 ]
        [ "$(api_code DELETE "/containers/$id")" = 204 ]
        [ "$(api_code GET "/containers/$id/json")" = 404 ]
}

@test "container list and inspect have the fields the docker CLI reads" {
        id="$(api POST '/containers/create?name=apils' -H 'Content-Type: application/json' \
                -d '{"Image":"busybox","Cmd":["sleep","1000"],"Labels":{"k":"v"}}' | jq -r .Id)"
        api POST "/containers/$id/start"
        run api GET '/containers/json?filters=%7B%22name%22%3A%7B%22apils%22%3Atrue%7D%7D'
        [ "$(echo "$output" | jq -r '.[0].Names[0]')" = "/apils" ]
        [ "$(echo "$output" | jq -r '.[0].State')" = "running" ]
        [[ "$(echo "$output" | jq -r '.[0].Status')" == Up* ]]
        [ "$(echo "$output" | jq -r '.[0].Created | type')" = "number" ]
        [ "$(echo "$output" | jq -r '.[0].Ports | type')" = "array" ]
        [ "$(echo "$output" | jq -r '.[0].Labels.k')" = "v" ]
        run api GET "/containers/$id/json"
        [ "$(echo "$output" | jq -r .Name)" = "/apils" ]
        [ "$(echo "$output" | jq -r .State.Running)" = "true" ]
        [ "$(echo "$output" | jq -r .State.Pid)" -gt 0 ]
        [ "$(echo "$output" | jq -r .Config.Image)" = "busybox" ]
        [ "$(echo "$output" | jq -r '.HostConfig | type')" = "object" ]
        [ "$(api_code DELETE "/containers/$id?force=1")" = 204 ]
}
