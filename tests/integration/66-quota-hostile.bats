#!/usr/bin/env bats
# Hostile --disk-quota rules: regular expressions whose compilation would take pouchd's memory
# (nested repetition: glibc's regcomp copies what "+" repeats, so 21 nested "+" make 2^21 copies)
# are refused at once with HTTP 400 naming the limit, and pouchd's peak RSS stays small.
# The patterns here cost an unpatched pouchd about 350-730 MB each; the bounds: docs/quota.md.

bats_require_minimum_version 1.5.0
load helpers

setup_file() { pouchd_setup_file; }
teardown_file() { pouchd_teardown_file; }
teardown() { dump_log_on_failure; }

# kB value of FIELD (VmRSS, VmHWM) in pouchd's /proc status
pouchd_kb() { awk -v f="$1:" '$1 == f { print $2 }' "/proc/$(pouchd_pid)/status"; }

# a 66-byte key: "/d", 21 "(", "a", 21 ")+"
nested_key() { printf '/d%sa%s' "$(printf '(%.0s' $(seq 21))" "$(printf ')+%.0s' $(seq 21))"; }

@test "hostile quota regexes are refused with 400 naming the limit; pouchd's peak RSS stays small" {
        local key plus before after body
        key="$(nested_key)"
        [ "${#key}" -eq 66 ]
        plus="a$(printf '+%.0s' $(seq 20))"
        before="$(pouchd_kb VmHWM)"
        [ -n "$before" ]

        run pouch create --disk-quota "$key=10m" busybox true
        [ "$status" -ne 0 ]
        [[ "$output" == *"invalid disk quota"* ]]
        [[ "$output" == *"groups may be nested at most 8 deep"* ]]

        run pouch create --disk-quota "$plus=10m" busybox true
        [ "$status" -ne 0 ]
        [[ "$output" == *"nested repetition"* ]]

        # the same through the API, as HostConfig.DiskQuota
        body="$(jq -cn --arg k "$plus" '{Image: "busybox", Cmd: ["true"], HostConfig: {DiskQuota: {($k): "10m"}}}')"
        run api_code POST /containers/create -H 'Content-Type: application/json' -d "$body"
        [ "$output" = 400 ]
        run api POST /containers/create -H 'Content-Type: application/json' -d "$body"
        [[ "$(echo "$output" | jq -r .message)" == *"nested repetition"* ]]
        body="$(jq -cn '{Image: "busybox", Cmd: ["true"], HostConfig: {DiskQuota: {"a{1000}": "10m"}}}')"
        run api POST /containers/create -H 'Content-Type: application/json' -d "$body"
        [[ "$(echo "$output" | jq -r .message)" == *"a repetition count in {m,n} is at most 32"* ]]

        after="$(pouchd_kb VmHWM)"
        echo "pouchd VmHWM before ${before} kB, after ${after} kB, VmRSS now $(pouchd_kb VmRSS) kB"
        [ "$after" -lt $((before + 65536)) ]
        # nothing was created, and pouchd still answers
        [ "$(api GET '/containers/json?all=1' | jq length)" = 0 ]
}

@test "one request may ask at most 32 quota rules" {
        local body
        body="$(jq -cn '{Image: "busybox", Cmd: ["true"],
                HostConfig: {DiskQuota: ([range(33)] | map({key: "/v\(.)", value: "1m"}) | from_entries)}}')"
        run api_code POST /containers/create -H 'Content-Type: application/json' -d "$body"
        [ "$output" = 400 ]
        run api POST /containers/create -H 'Content-Type: application/json' -d "$body"
        [[ "$(echo "$output" | jq -r .message)" == *"at most 32 rules"* ]]
}
