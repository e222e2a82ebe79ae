#!/usr/bin/env bats
# Resources: limits in the container's cgroup, live `update`, `stats`, OOM kills reported.

bats_require_minimum_version 1.5.0
load helpers

setup_file() { pouchd_setup_file; }
teardown_file() { pouchd_teardown_file; }
teardown() { dump_log_on_failure; }

# the container's memory limit as the kernel sees it (cgroup v1 or v2)
mem_limit() {
        local id
        id="$(cid "$1")"
        if [ -e "/sys/fs/cgroup/memory/pouch/$id/memory.limit_in_bytes" ]; then
                cat "/sys/fs/cgroup/memory/pouch/$id/memory.limit_in_bytes"
        else
                cat "/sys/fs/cgroup/pouch/$id/memory.max"
        fi
}

@test "-m, --cpus and --pids-limit reach the cgroup; update changes them live" {
        pouch run -d --name lim -m 64m --pids-limit 40 busybox sleep 1000
        [ "$(mem_limit lim)" = 67108864 ]
        run pouch update -m 96m --cpus 0.5 --pids-limit 60 lim
        [ "$status" -eq 0 ]
        [ "$(mem_limit lim)" = 100663296 ]
        [ "$(pouch inspect -f '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}}' lim)" = \
                "100663296 500000000 60" ]
        # the limits hold for the processes inside too
        run pouch exec lim cat /sys/fs/cgroup/pids/pids.max
        [ "$status" -ne 0 ] || [ "$output" = 60 ]
        # bad input: a clear error, nothing changed
        run pouch update -m 10x lim
        [ "$status" -ne 0 ]
        run pouch update -m 3m lim
        [ "$status" -ne 0 ]
        [[ "$output" == *"Minimum memory limit"* ]]
        [ "$(mem_limit lim)" = 100663296 ]
        # the docker CLI's update
        dockerc update -m 128m lim
        [ "$(mem_limit lim)" = 134217728 ]
        pouch rm -f lim
}

@test "update of a stopped container is kept for its next start" {
        pouch create --name lim2 busybox sleep 1000
        pouch update -m 48m lim2
        pouch start lim2
        [ "$(mem_limit lim2)" = 50331648 ]
        pouch rm -f lim2
}

@test "stats: pouch stats --no-stream and docker stats --no-stream" {
        pouch run -d --name stx -m 64m busybox sleep 1000
        run pouch stats --no-stream stx
        [ "$status" -eq 0 ]
        [[ "${lines[1]}" == *stx*"/ 67.11MB"* ]]
        run dockerc stats --no-stream --format '{{.Name}} {{.MemUsage}} {{.PIDs}}' stx
        [ "$status" -eq 0 ]
        [[ "$output" == "stx "*"/ 64MiB 1" ]]
        # the API's document
        run api GET "/containers/stx/stats?stream=0"
        [ "$(echo "$output" | jq -r '.memory_stats.limit')" = 67108864 ]
        [ "$(echo "$output" | jq -r '.cpu_stats.cpu_usage.total_usage > 0')" = true ]
        [ "$(echo "$output" | jq -r '.precpu_stats.system_cpu_usage > 0')" = true ]
        pouch rm -f stx
}

@test "a memory hog under -m 32m ends OOMKilled, with an oom event" {
        since="$(date +%s)"
        run pouch run --name hog -m 32m busybox sh -c 'x=a; while true; do x="$x$x"; done'
        [ "$status" -eq 137 ]
        [ "$(pouch inspect -f '{{.State.OOMKilled}}' hog)" = true ]
        run pouch events --since "$since" --until "$(($(date +%s) + 1))" --filter event=oom
        [[ "$output" == *'"Action":"oom"'* ]]
        pouch rm hog
        # a normal exit is not an OOM kill
        pouch run --name nohog -m 32m busybox true
        [ "$(pouch inspect -f '{{.State.OOMKilled}}' nohog)" = false ]
        pouch rm nohog
}

@test "--device, --sysctl, --group-add, --cgroup-parent, --device-read-bps reach the container" {
        run pouch run --rm --device /dev/null:/dev/mynull busybox sh -c 'ls -l /dev/mynull; echo x > /dev/mynull && echo wrote'
        [[ "${lines[0]}" == c* ]]
        [ "${lines[1]}" = wrote ]
        run pouch run --rm --device /dev/nope busybox true
        [ "$status" -ne 0 ]
        [[ "$output" == *"/dev/nope"* ]]
        [ "$(pouch run --rm --sysctl kernel.shm_rmid_forced=1 busybox cat /proc/sys/kernel/shm_rmid_forced)" = 1 ]
        run pouch run --rm --sysctl kernel.panic=1 busybox true
        [ "$status" -ne 0 ]
        [[ "$output" == *"not allowed"* ]]
        run pouch run --rm --group-add 1234 --group-add nogroup busybox id -G
        [[ "$output" == *1234* ]]
        [[ "$output" == *65534* ]]
        pouch run -d --name cgp --cgroup-parent /pouch-test-parent -m 48m busybox sleep 1000
        id="$(cid cgp)"
        if [ -d /sys/fs/cgroup/memory ]; then
                [ "$(cat "/sys/fs/cgroup/memory/pouch-test-parent/$id/memory.limit_in_bytes")" = 50331648 ]
        else
                [ "$(cat "/sys/fs/cgroup/pouch-test-parent/$id/memory.max")" = 50331648 ]
        fi
        pouch rm -f cgp
        rmdir /sys/fs/cgroup/*/pouch-test-parent 2> /dev/null || true
        dev="/dev/$(lsblk -dno NAME,TYPE | awk '$2 == "disk" {print $1; exit}')"
        if [ -b "$dev" ] && [ -d /sys/fs/cgroup/blkio ]; then
                pouch run -d --name bps --device-read-bps "$dev:1mb" busybox sleep 1000
                grep -q ":.* 1048576" "/sys/fs/cgroup/blkio/pouch/$(cid bps)/blkio.throttle.read_bps_device"
                pouch rm -f bps
        fi
}

@test "--cgroup-driver: cgroupfs by default, systemd only where systemd is the init, junk refused" {
        [ "$(api GET /info | jq -r .CgroupDriver)" = cgroupfs ]
        run "$BIN/pouchd" --home "$PT/other-home" --listen "unix://$PT/other.sock" --cgroup-driver junk
        [ "$status" -ne 0 ]
        [[ "$output" == *"invalid --cgroup-driver junk"* ]]
        if [ ! -d /run/systemd/system ]; then
                run "$BIN/pouchd" --home "$PT/other-home" --listen "unix://$PT/other.sock" --cgroup-driver systemd
                [ "$status" -ne 0 ]
                [[ "$output" == *"needs systemd as the host's init"* ]]
        fi
}
