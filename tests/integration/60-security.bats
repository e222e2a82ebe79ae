#!/usr/bin/env bats
# Security defaults of the generated OCI spec, checked from inside real containers: capabilities,
# seccomp, masked and read-only paths, --read-only, no-new-privileges, ulimits, users, namespaces.

bats_require_minimum_version 1.5.0
load helpers

setup_file() { pouchd_setup_file; }
teardown_file() { pouchd_teardown_file; }
teardown() { dump_log_on_failure; }

status_field() { # FIELD [run options...]: the value of FIELD in the container's /proc/self/status
        local f="$1"
        shift
        pouch run --rm "$@" busybox awk -v f="$f:" '$1 == f { print $2 }' /proc/self/status
}

@test "default capabilities are docker's: CapEff 00000000a80425fb" {
        run status_field CapEff
        [ "$status" -eq 0 ]
        [ "$output" = "00000000a80425fb" ]
        run status_field CapBnd
        [ "$output" = "00000000a80425fb" ]
}

@test "--cap-drop ALL gives none, --cap-add adds one, a bad name is refused" {
        run status_field CapEff --cap-drop ALL
        [ "$output" = "0000000000000000" ]
        # SYS_ADMIN is bit 21
        run status_field CapEff --cap-add SYS_ADMIN
        [ "$output" = "00000000a82425fb" ]
        run status_field CapEff --cap-drop ALL --cap-add NET_BIND_SERVICE
        [ "$output" = "0000000000000400" ]
        run -125 pouch run --rm --cap-add NOT_A_CAP busybox true
        [[ "$output" == *"NOT_A_CAP"* ]]
}

@test "--privileged gives every capability the host has and no seccomp filter" {
        host="$(awk '$1 == "CapBnd:" { print $2 }' /proc/self/status)"
        run status_field CapEff --privileged
        [ "$output" = "$host" ]
        run status_field Seccomp --privileged
        [ "$output" = "0" ]
        # the device cgroup lets it open any device (/dev/kmsg, 1:11, is not in the default list)
        run pouch run --rm --privileged busybox sh -c 'mknod /tmp/k c 1 11 && head -c 0 < /tmp/k && echo opened'
        [ "$output" = "opened" ]
        run pouch run --rm --cap-add SYSLOG busybox sh -c 'mknod /tmp/k c 1 11 && head -c 0 < /tmp/k && echo opened'
        [ "$status" -ne 0 ]
        [[ "$output" == *"Operation not permitted"* ]]
}

@test "seccomp is on by default (mode 2) and off with seccomp=unconfined" {
        run status_field Seccomp
        [ "$output" = "2" ]
        run status_field Seccomp --security-opt seccomp=unconfined
        [ "$output" = "0" ]
        # a syscall the default profile refuses
        run pouch run --rm busybox unshare -m true
        [ "$status" -ne 0 ]
}

@test "masked paths (/proc/kcore and friends) and read-only /proc/sys" {
        checked=0
        for p in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug /proc/latency_stats; do
                [ -e "$p" ] || continue # nothing to mask on this kernel
                run pouch run --rm busybox sh -c "grep -c ' $p ' /proc/self/mountinfo; wc -c < $p"
                [ "$output" = "$(printf '1\n0')" ] || { echo "$p is not masked: $output"; false; }
                checked=$((checked + 1))
        done
        [ "$checked" -ge 1 ]
        run pouch run --rm busybox sh -c 'test -e /proc/kcore && wc -c < /proc/kcore || echo absent'
        [ "$output" = "0" ] || [ "$output" = "absent" ]
        # /sys/firmware is an empty tmpfs
        run pouch run --rm busybox sh -c 'ls -A /sys/firmware | wc -l'
        [ "$output" = "0" ]
        run pouch run --rm busybox sh -c 'echo 1 > /proc/sys/kernel/sysrq'
        [ "$status" -ne 0 ]
        run pouch run --rm busybox sh -c 'grep " /proc/sys " /proc/self/mountinfo | cut -d" " -f6'
        [[ "$output" == ro,* ]]
}

@test "--read-only makes / read-only; the default rootfs is writable" {
        run pouch run --rm --read-only busybox sh -c 'awk "\$5 == \"/\" { print \$6 }" /proc/self/mountinfo'
        [[ "$output" == ro* ]]
        run pouch run --rm --read-only busybox touch /x
        [ "$status" -ne 0 ]
        [[ "$output" == *"Read-only file system"* ]]
        run pouch run --rm busybox sh -c 'touch /x && echo writable'
        [ "$output" = "writable" ]
}

@test "no-new-privileges shows NoNewPrivs 1; the default is 0" {
        run status_field NoNewPrivs --security-opt no-new-privileges
        [ "$output" = "1" ]
        run status_field NoNewPrivs
        [ "$output" = "0" ]
}

@test "--ulimit nofile=100:200 is applied; above the daemon's hard limit: error or clamp with a warning" {
        run pouch run --rm --ulimit nofile=100:200 busybox sh -c 'ulimit -n; ulimit -Hn'
        [ "$output" = "$(printf '100\n200')" ]
        run -125 pouch run --rm --ulimit nofile=300:200 busybox true
        hard="$(awk '/^Max open files/ { print $5 }' "/proc/$(pouchd_pid)/limits")"
        [ "$hard" != unlimited ] || skip "pouchd's hard nofile limit is unlimited"
        big=$((hard + 1000))
        : > "$PT/ulimit-warn.mark"
        lines_before="$(wc -l < "$PLOG")"
        body="$(jq -nc --argjson n "$big" '{Image: "busybox", Cmd: ["sh", "-c", "ulimit -n"],
                HostConfig: {Ulimits: [{Name: "nofile", Soft: $n, Hard: $n}]}}')"
        run api POST /containers/create -H 'Content-Type: application/json' -d "$body"
        if id="$(echo "$output" | jq -re '.Id // empty')"; then
                warnings="$(echo "$output" | jq -r '.Warnings // [] | join(" ")')"
                run pouch start -a "$id"
                if [ "$status" -eq 0 ]; then
                        # clamped: never above the hard limit, and someone was told
                        [ "$output" -le "$hard" ]
                        [[ "$warnings" == *nofile* ]] || tail -n +"$lines_before" "$PLOG" | grep -qi 'ulimit.*nofile'
                else
                        [[ "$output" =~ nofile|rlimit|ulimit ]]
                fi
                pouch rm -f "$id"
        else
                [[ "$output" =~ nofile|rlimit|ulimit ]]
        fi
}

@test "-u 1000:1000 runs as that uid and gid; -u nobody resolves from /etc/passwd" {
        run pouch run --rm -u 1000:1000 busybox sh -c 'id -u; id -g'
        [ "$output" = "$(printf '1000\n1000')" ]
        run pouch run --rm -u 1000:1000 busybox sh -c 'grep CapEff /proc/self/status'
        [[ "$output" == *"0000000000000000" ]]
        run pouch run --rm -u nobody busybox id
        [ "$output" = "uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)" ] || [ "$output" = "uid=65534(nobody) gid=65534(nogroup)" ]
        run pouch run --rm -u nosuchuser busybox true
        [ "$status" -ne 0 ]
}

@test "--annotation lands in the bundle's config.json" {
        id="$(pouch create --annotation org.example/k=v --annotation other=1 busybox sleep 1000)"
        pouch start "$id"
        run jq -r '.annotations["org.example/k"] + " " + .annotations.other' "$PHOME/containers/$id/config.json"
        [ "$output" = "v 1" ]
        pouch rm -f "$id"
}

@test "namespaces: own pid 1, own hostname, own network (lo and eth0; --net none: lo only); --net host shares the host's" {
        run pouch run --rm busybox sh -c 'cat /proc/1/cmdline | tr "\0" " "'
        [ "$output" = "sh -c cat /proc/1/cmdline | tr \"\\0\" \" \" " ]
        id="$(pouch create busybox hostname)"
        run pouch start -a "$id"
        [ "$output" = "${id:0:12}" ]
        pouch rm "$id"
        run pouch run --rm busybox sh -c 'ls /sys/class/net | tr "\n" " "'
        [ "$output" = "eth0 lo " ]
        run pouch run --rm --net none busybox sh -c 'ls /sys/class/net'
        [ "$output" = "lo" ]
        n_host="$(find /sys/class/net -mindepth 1 -maxdepth 1 | wc -l)"
        run pouch run --rm --net host busybox sh -c 'ls /sys/class/net | wc -l'
        [ "$output" = "$n_host" ]
}
