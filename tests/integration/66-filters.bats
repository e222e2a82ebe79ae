#!/usr/bin/env bats
# The "filters" parameter in both JSON forms: the map form {"label":{"app=web":true}} (docker CLI)
# and the list form {"label":["app=web"]} (docker-py, docker-compose, Ansible, testcontainers), on
# list and prune of containers, images, volumes and networks, through the API and through docker-py.
# Unknown keys, bad JSON and bad value types are 400 and a rejected prune removes nothing.

bats_require_minimum_version 1.5.0
load helpers

setup_file() { pouchd_setup_file; }
teardown_file() { pouchd_teardown_file; }
teardown() { dump_log_on_failure; }

# enc JSON: URL-encoded
enc() { jq -rn --arg v "$1" '$v|@uri'; }

# mkctr NAME LABELS [CMD...]: create a busybox container with these labels (a JSON object), print its id
mkctr() {
        local name="$1" labels="$2" cmd='["true"]'
        shift 2
        [ $# -eq 0 ] || cmd="$(jq -cn '$ARGS.positional' --args "$@")"
        api POST "/containers/create?name=$name" -H 'Content-Type: application/json' \
                -d "{\"Image\":\"busybox\",\"Cmd\":$cmd,\"Labels\":$labels}" | jq -er .Id
}

# names PATH: the sorted container names a GET of /containers/json... returns, space-separated
ctr_names() { api GET "$1" | jq -r '[.[].Names[0] | ltrimstr("/")] | sort | join(" ")'; }

# mkimg REPO:TAG LABEL...: import the busybox rootfs with LABEL changes ("k=v")
mkimg() {
        local ref="$1" q="" l
        shift
        for l in "$@"; do q="$q&changes=$(enc "LABEL $l")"; done
        api POST "/images/create?fromSrc=-&repo=${ref%%:*}&tag=${ref#*:}$q" -H 'Content-Type: application/x-tar' \
                --data-binary @"$PBUSYBOX" > /dev/null
        api GET "/images/$ref/json" | jq -e .Id > /dev/null
}

# the python3 that has docker-py (Debian's python3-docker, or one on PATH)
docker_py() {
        local p
        for p in /usr/bin/python3 python3; do
                if "$p" -c 'import docker' 2> /dev/null; then
                        echo "$p"
                        return 0
                fi
        done
        return 1
}

@test "container list: the list form and the map form select the same labelled containers" {
        mkctr f-web1 '{"app":"web","suite":"ls"}'
        mkctr f-web2 '{"app":"web","tier":"front","suite":"ls"}'
        mkctr f-db1 '{"app":"db","suite":"ls"}'
        mkctr f-plain '{"suite":"ls"}'
        mkctr f-other '{}'

        run ctr_names "/containers/json?all=1&filters=$(enc '{"label":["suite=ls","app=web"]}')"
        [ "$status" -eq 0 ]
        [ "$output" = "f-web1 f-web2" ]
        run ctr_names "/containers/json?all=1&filters=$(enc '{"label":{"suite=ls":true,"app=web":true}}')"
        [ "$output" = "f-web1 f-web2" ]
        # every label value must match (dockerd ANDs them), the key alone matches any value
        run ctr_names "/containers/json?all=1&filters=$(enc '{"label":["app=web","tier=front"]}')"
        [ "$output" = "f-web2" ]
        run ctr_names "/containers/json?all=1&filters=$(enc '{"label":["app"]}')"
        [ "$output" = "f-db1 f-web1 f-web2" ]
        run ctr_names "/containers/json?all=1&filters=$(enc '{"label":["nosuch=label"]}')"
        [ "$status" -eq 0 ]
        [ "$output" = "" ]
        # keys are ANDed; name is a substring
        run ctr_names "/containers/json?all=1&filters=$(enc '{"label":["suite=ls"],"name":["f-db"]}')"
        [ "$output" = "f-db1" ]
        # a status filter lists stopped containers without all=1, as in dockerd
        run ctr_names "/containers/json?filters=$(enc '{"label":["suite=ls"],"status":["created"]}')"
        [ "$output" = "f-db1 f-plain f-web1 f-web2" ]
        run ctr_names "/containers/json?filters=$(enc '{"label":["suite=ls"]}')"
        [ "$output" = "" ]
        # keys dockerd accepts are accepted
        run api_code GET "/containers/json?all=1&filters=$(enc '{"is-task":["false"],"health":["none"],"publish":["80"],"expose":["80/tcp"],"exited":["0"],"isolation":["default"]}')"
        [ "$output" = 200 ]
        run ctr_names "/containers/json?all=1&filters=$(enc '{"label":["suite=ls"],"before":["f-db1"]}')"
        [ "$output" = "f-web1 f-web2" ]
        run ctr_names "/containers/json?all=1&filters=$(enc '{"label":["suite=ls"],"since":["f-web2"]}')"
        [ "$output" = "f-db1 f-plain" ]
        # ports: a range covers the exposed port; the protocol must match; bad specs are 400
        api POST "/containers/create?name=f-exp" -H 'Content-Type: application/json' \
                -d '{"Image":"busybox","Cmd":["true"],"Labels":{"suite":"exp"},"ExposedPorts":{"8080/tcp":{}}}' > /dev/null
        run ctr_names "/containers/json?all=1&filters=$(enc '{"expose":["8000-8100"]}')"
        [ "$output" = "f-exp" ]
        run ctr_names "/containers/json?all=1&filters=$(enc '{"expose":["8080/udp"]}')"
        [ "$output" = "" ]
        run api_code GET "/containers/json?all=1&filters=$(enc '{"expose":["1-99999"]}')"
        [ "$output" = 400 ]
        run api_code GET "/containers/json?all=1&filters=$(enc '{"publish":["80:80"]}')"
        [ "$output" = 400 ]
        for n in f-web1 f-web2 f-db1 f-plain f-other f-exp; do api DELETE "/containers/$n" > /dev/null; done
}

@test "container prune removes only the stopped containers the filters select" {
        local web db run_id ids
        web="$(mkctr p-web1 '{"app":"web","suite":"prune"}')"
        db="$(mkctr p-db1 '{"app":"db","suite":"prune"}')"
        mkctr p-keep '{"suite":"other"}'
        run_id="$(mkctr p-run '{"app":"web","suite":"prune"}' sleep 1000)"
        run api_code POST /containers/p-run/start
        [ "$output" = 204 ]

        run api POST "/containers/prune?filters=$(enc '{"label":["suite=prune","app=web"]}')"
        [ "$status" -eq 0 ]
        ids="$(jq -r '.ContainersDeleted | sort | join(" ")' <<< "$output")"
        [ "$ids" = "$web" ]
        run ctr_names "/containers/json?all=1&filters=$(enc '{"label":["suite=prune"]}')"
        [ "$output" = "p-db1 p-run" ]

        # map form, with label! excluding
        run api POST "/containers/prune?filters=$(enc '{"label":{"suite=prune":true},"label!":{"app=web":true}}')"
        [ "$status" -eq 0 ]
        [ "$(jq -r '.ContainersDeleted | join(" ")' <<< "$output")" = "$db" ]
        run ctr_names "/containers/json?all=1"
        [ "$output" = "p-keep p-run" ]
        # until: nothing was created before an hour ago
        run api POST "/containers/prune?filters=$(enc '{"until":["1h"]}')"
        [ "$(jq -r '.ContainersDeleted | length' <<< "$output")" = 0 ]
        run api_code POST "/containers/prune?filters=$(enc '{"until":["yesterday"]}')"
        [ "$output" = 400 ]
        api DELETE "/containers/$run_id?force=1" > /dev/null
        api DELETE /containers/p-keep > /dev/null
}

@test "images: list and prune by label in both forms" {
        mkimg fimg:web app=web suite=img
        mkimg fimg:db app=db suite=img
        run api GET "/images/json?filters=$(enc '{"label":["suite=img","app=web"]}')"
        [ "$status" -eq 0 ]
        [ "$(jq -r '[.[].RepoTags[]] | join(" ")' <<< "$output")" = "fimg:web" ]
        run api GET "/images/json?filters=$(enc '{"label":{"suite=img":true,"app=web":true}}')"
        [ "$(jq -r '[.[].RepoTags[]] | join(" ")' <<< "$output")" = "fimg:web" ]
        run api GET "/images/json?filters=$(enc '{"reference":["fimg"]}')"
        [ "$(jq -r '[.[].RepoTags[]] | sort | join(" ")' <<< "$output")" = "fimg:db fimg:web" ]
        run api GET "/images/json?filters=$(enc '{"label":["suite=img"],"dangling":["true"]}')"
        [ "$output" = "[]" ]

        run api POST "/images/prune?filters=$(enc '{"dangling":["false"],"label":["suite=img","app=web"]}')"
        [ "$status" -eq 0 ]
        [[ "$output" == *'"Untagged":"fimg:web"'* ]]
        [[ "$output" != *fimg:db* ]]
        run api_code GET /images/fimg:web/json
        [ "$output" = 404 ]
        run api_code GET /images/fimg:db/json
        [ "$output" = 200 ]
        run api_code GET /images/busybox:latest/json
        [ "$output" = 200 ]
        api DELETE /images/fimg:db > /dev/null
}

@test "volumes: list and prune by label in both forms" {
        api POST /volumes/create -H 'Content-Type: application/json' \
                -d '{"Name":"fv-web","Labels":{"app":"web","suite":"vol"}}' > /dev/null
        api POST /volumes/create -H 'Content-Type: application/json' \
                -d '{"Name":"fv-db","Labels":{"app":"db","suite":"vol"}}' > /dev/null
        api POST /volumes/create -H 'Content-Type: application/json' -d '{"Name":"fv-none"}' > /dev/null
        run api GET "/volumes?filters=$(enc '{"label":["suite=vol","app=web"]}')"
        [ "$status" -eq 0 ]
        [ "$(jq -r '[.Volumes[].Name] | join(" ")' <<< "$output")" = "fv-web" ]
        run api GET "/volumes?filters=$(enc '{"label":{"suite=vol":true,"app=web":true}}')"
        [ "$(jq -r '[.Volumes[].Name] | join(" ")' <<< "$output")" = "fv-web" ]
        run api GET "/volumes?filters=$(enc '{"name":["fv-"],"dangling":["true"]}')"
        [ "$(jq -r '[.Volumes[].Name] | sort | join(" ")' <<< "$output")" = "fv-db fv-none fv-web" ]

        run api POST "/volumes/prune?filters=$(enc '{"all":["true"],"label":["suite=vol","app=web"]}')"
        [ "$status" -eq 0 ]
        [ "$(jq -r '.VolumesDeleted | join(" ")' <<< "$output")" = "fv-web" ]
        run api GET "/volumes?filters=$(enc '{"name":["fv-"]}')"
        [ "$(jq -r '[.Volumes[].Name] | sort | join(" ")' <<< "$output")" = "fv-db fv-none" ]
        run api POST "/volumes/prune?filters=$(enc '{"all":{"true":true},"label!":{"app=db":true}}')"
        [[ "$(jq -r '.VolumesDeleted | join(" ")' <<< "$output")" == *fv-none* ]]
        run api GET "/volumes?filters=$(enc '{"name":["fv-"]}')"
        [ "$(jq -r '[.Volumes[].Name] | join(" ")' <<< "$output")" = "fv-db" ]
        api DELETE /volumes/fv-db > /dev/null
}

@test "networks: list and prune by label in both forms" {
        api POST /networks/create -H 'Content-Type: application/json' \
                -d '{"Name":"fnet-web","Labels":{"app":"web","suite":"net"}}' > /dev/null
        api POST /networks/create -H 'Content-Type: application/json' \
                -d '{"Name":"fnet-db","Labels":{"app":"db","suite":"net"}}' > /dev/null
        run api GET "/networks?filters=$(enc '{"label":["suite=net","app=web"]}')"
        [ "$status" -eq 0 ]
        [ "$(jq -r '[.[].Name] | join(" ")' <<< "$output")" = "fnet-web" ]
        run api GET "/networks?filters=$(enc '{"label":{"suite=net":true,"app=web":true}}')"
        [ "$(jq -r '[.[].Name] | join(" ")' <<< "$output")" = "fnet-web" ]

        run api POST "/networks/prune?filters=$(enc '{"label":["suite=net","app=web"]}')"
        [ "$status" -eq 0 ]
        [ "$(jq -r '.NetworksDeleted | join(" ")' <<< "$output")" = "fnet-web" ]
        run api GET "/networks?filters=$(enc '{"label":["suite=net"]}')"
        [ "$(jq -r '[.[].Name] | join(" ")' <<< "$output")" = "fnet-db" ]
        run api_code GET /networks/bridge
        [ "$output" = 200 ]
        api DELETE /networks/fnet-db > /dev/null
}

@test "unknown filter keys, bad JSON and bad value types are 400 and a rejected prune removes nothing" {
        mkctr u-stopped '{"app":"web"}'
        local ep
        for ep in "GET /containers/json" "GET /images/json" "GET /volumes" "GET /networks" \
                "POST /containers/prune" "POST /images/prune" "POST /volumes/prune" "POST /networks/prune"; do
                run api "${ep% *}" "${ep#* }?filters=$(enc '{"label":["app=web"],"foo":["x"]}')" -w ' %{http_code}'
                [ "$status" -eq 0 ]
                [[ "$output" == *"invalid filter 'foo'"*" 400" ]] || { echo "$ep: $output"; false; }
                run api_code "${ep% *}" "${ep#* }?filters=$(enc '{"label":')"
                [ "$output" = 400 ] || { echo "$ep bad JSON: $output"; false; }
                run api_code "${ep% *}" "${ep#* }?filters=$(enc '{"label":[1]}')"
                [ "$output" = 400 ] || { echo "$ep number: $output"; false; }
                run api_code "${ep% *}" "${ep#* }?filters=$(enc '{"label":"app=web"}')"
                [ "$output" = 400 ] || { echo "$ep string: $output"; false; }
                run api_code "${ep% *}" "${ep#* }?filters=$(enc '["label"]')"
                [ "$output" = 400 ] || { echo "$ep array: $output"; false; }
        done
        # keys of another endpoint are unknown here, as in dockerd
        run api_code GET "/containers/json?filters=$(enc '{"dangling":["true"]}')"
        [ "$output" = 400 ]
        run api_code GET "/containers/json?filters=$(enc '{"status":["sleeping"]}')"
        [ "$output" = 400 ]
        run api_code GET "/images/json?filters=$(enc '{"dangling":["maybe"]}')"
        [ "$output" = 400 ]
        run ctr_names "/containers/json?all=1"
        [ "$output" = "u-stopped" ]
        # the events stream takes any key, like dockerd
        run api_code GET "/events?since=1&until=2&filters=$(enc '{"foo":["x"]}')"
        [ "$output" = 200 ]
        api DELETE /containers/u-stopped > /dev/null
}

@test "events: the list form selects by type and container" {
        local t0 t1
        t0="$(date +%s)"
        mkctr ev-one '{}'
        mkctr ev-two '{}'
        t1=$(($(date +%s) + 1))
        run api GET "/events?since=$t0&until=$t1&filters=$(enc '{"type":["container"],"container":["ev-one"],"event":["create"]}')"
        [ "$status" -eq 0 ]
        [ "$(jq -rs '[.[].Actor.Attributes.name] | join(" ")' <<< "$output")" = "ev-one" ]
        run api GET "/events?since=$t0&until=$t1&filters=$(enc '{"type":{"container":true},"event":{"create":true},"container":{"ev-":true}}')"
        [ "$(jq -rs '[.[].Actor.Attributes.name] | sort | join(" ")' <<< "$output")" = "ev-one ev-two" ]
        api DELETE /containers/ev-one > /dev/null
        api DELETE /containers/ev-two > /dev/null
}

@test "docker-py: list and prune containers, images, volumes and networks by label" {
        local py
        py="$(docker_py)" || { echo "no python3 with docker-py (apt-get install python3-docker)"; false; }
        mkimg pyimg:web app=web suite=pyimg
        mkimg pyimg:db app=db suite=pyimg
        run "$py" - "$PSOCK" <<'EOF'
import sys
import docker

client = docker.DockerClient(base_url="unix://" + sys.argv[1], version="1.41")
web = {"label": ["suite=py", "app=web"]}


def check(what, got, want):
    if got != want:
        sys.exit("%s: got %r, wanted %r" % (what, got, want))


for name, app in (("py-web1", "web"), ("py-web2", "web"), ("py-db", "db")):
    client.containers.create("busybox", "true", name=name, labels={"app": app, "suite": "py"})
check("containers.list", sorted(c.name for c in client.containers.list(all=True, filters=web)),
      ["py-web1", "py-web2"])
res = client.containers.prune(filters=web)
check("containers.prune", len(res["ContainersDeleted"] or []), 2)
check("containers left", [c.name for c in client.containers.list(all=True, filters={"label": ["suite=py"]})],
      ["py-db"])

for name, app in (("pyv-web", "web"), ("pyv-db", "db")):
    client.volumes.create(name=name, labels={"app": app, "suite": "py"})
check("volumes.list", [v.name for v in client.volumes.list(filters=web)], ["pyv-web"])
res = client.volumes.prune(filters=dict(web, all=True))
check("volumes.prune", res["VolumesDeleted"], ["pyv-web"])
check("volumes left", [v.name for v in client.volumes.list(filters={"label": ["suite=py"]})], ["pyv-db"])

for name, app in (("pynet-web", "web"), ("pynet-db", "db")):
    client.networks.create(name, labels={"app": app, "suite": "py"})
check("networks.list", [n.name for n in client.networks.list(filters=web)], ["pynet-web"])
res = client.networks.prune(filters=web)
check("networks.prune", res["NetworksDeleted"], ["pynet-web"])
check("networks left", [n.name for n in client.networks.list(filters={"label": ["suite=py"]})], ["pynet-db"])

pyweb = {"label": ["suite=pyimg", "app=web"]}
check("images.list", [i.tags for i in client.images.list(filters=pyweb)], [["pyimg:web"]])
res = client.images.prune(filters=dict(pyweb, dangling=False))
check("images.prune", [d.get("Untagged") for d in res["ImagesDeleted"] if d.get("Untagged")], ["pyimg:web"])
check("images left", [i.tags for i in client.images.list(filters={"label": ["suite=pyimg"]})], [["pyimg:db"]])

try:
    client.containers.list(all=True, filters={"foo": ["x"]})
    sys.exit("an unknown filter key was accepted")
except docker.errors.APIError as e:
    check("unknown key status", e.status_code, 400)

client.containers.get("py-db").remove()
client.volumes.get("pyv-db").remove()
client.networks.get("pynet-db").remove()
client.images.remove("pyimg:db")
print("ok")
EOF
        echo "$output"
        [ "$status" -eq 0 ]
        [ "${lines[-1]}" = ok ]
}
