#!/usr/bin/env bats
# sysinfo(2) in rich containers: busybox `free` and `uptime` call it directly (lxcfs cannot help);
# the container's pouch-shim answers it as a seccomp agent with the memory limit and the
# container's uptime, also while pouchd is down and after it restarted.

bats_require_minimum_version 1.5.0
load helpers

setup_file() { pouchd_setup_file; }
teardown_file() { pouchd_teardown_file; }
teardown() { dump_log_on_failure; }

# the "total" column of busybox free's Mem: line (kB)
mem_total() { awk '$1 == "Mem:" { print $2 }' <<< "$1"; }
host_mem_total() { mem_total "$(busybox free)"; }
# notify_fds_are PID N: the process holds N seccomp notify fds
notify_fds_are() { [ "$(find "/proc/$1/fd" -lname 'anon_inode:seccomp notify' | wc -l)" = "$2" ]; }
# seconds of uptime from busybox uptime ("up 3 min," / "up 1:02," / "up 2 days, ...")
uptime_seconds() {
        sed -E 's/.* up +//' <<< "$1" | awk -F, '{
                s = $1
                if (s ~ /day/) { print 86400; exit }
                if (s ~ /min/) { print s * 60; exit }
                if (s ~ /:/) { split(s, a, ":"); print a[1] * 3600 + a[2] * 60; exit }
                print 999999 }'
}

@test "rich container: free shows the memory limit, uptime the container's" {
        run pouch run --rm --rich -m 256m busybox sh -c 'free; uptime'
        [ "$status" -eq 0 ]
        echo "$output"
        [ "$(mem_total "$output")" = 262144 ]
        # "used" (total - free - the page cache of lxcfs's /proc/meminfo) fits in the total
        [ "$(awk '$1 == "Mem:" { print ($3 <= $2) }' <<< "$output")" = 1 ]
        # the host has been up for longer than this test (one minute at least); the container not
        up="$(uptime_seconds "$(grep ' up ' <<< "$output")")"
        [ "$up" -lt 60 ]
}

@test "rich container without a memory limit, and a plain container, see the host's memory" {
        host="$(host_mem_total)"
        run pouch run --rm --rich busybox free
        [ "$status" -eq 0 ]
        [ "$(mem_total "$output")" = "$host" ]
        run pouch run --rm -m 256m busybox free
        [ "$status" -eq 0 ]
        [ "$(mem_total "$output")" = "$host" ]
}

@test "a custom seccomp profile is left alone" {
        printf '{"defaultAction":"SCMP_ACT_ALLOW"}' > "$PT/allow.json"
        run pouch run --rm --rich -m 256m --security-opt "seccomp=$PT/allow.json" busybox free
        [ "$status" -eq 0 ]
        [ "$(mem_total "$output")" = "$(host_mem_total)" ]
}

@test "exec'd processes see the limit too, and the container's own calls while pouchd is down" {
        # the container runs free whenever /tmp/go appears (nsenter would not be under its seccomp filter)
        pouch run -d --name keep --rich -m 128m busybox sh -c \
                'while sleep 0.1; do [ -e /tmp/go ] && free > /tmp/out.tmp && mv /tmp/out.tmp /tmp/out && rm /tmp/go; done'
        run pouch exec keep free
        [ "$status" -eq 0 ]
        [ "$(mem_total "$output")" = 131072 ]
        pid="$(pouch inspect -f '{{.State.Pid}}' keep)"
        root="/proc/$pid/root"
        pouchd_kill9
        run ! ping_ok
        touch "$root/tmp/go"
        wait_for 10 test -e "$root/tmp/out"
        [ "$(mem_total "$(cat "$root/tmp/out")")" = 131072 ]
        pouchd_restart
        run pouch exec keep free
        [ "$status" -eq 0 ]
        [ "$(mem_total "$output")" = 131072 ]
        run pouch exec keep uptime
        [ "$status" -eq 0 ]
        [ "$(uptime_seconds "$output")" -lt 60 ]
        # each exec brought one notify fd to the shim; they are closed again when the execs end
        for _ in 1 2 3 4 5; do pouch exec keep free > /dev/null; done
        spid="$(shim_pid keep)"
        wait_for 10 notify_fds_are "$spid" 1
        pouch rm -f keep
}

@test "without lxcfs's /proc/meminfo sysinfo is left to the kernel, so free stays consistent" {
        pouchd_stop
        pouchd_restart --lxcfs-binary /nonexistent/lxcfs
        run pouch run --rm --rich -m 256m busybox sh -c 'free; grep MemTotal /proc/meminfo'
        [ "$status" -eq 0 ]
        host="$(host_mem_total)"
        [ "$(mem_total "$output")" = "$host" ]
        [[ "$output" == *"MemTotal:"*" $host kB"* ]]
}

@test "\"rich-sysinfo\": false in the config file leaves sysinfo to the kernel" {
        echo '{"rich-sysinfo": false}' > "$PT/config.json"
        pouchd_stop
        pouchd_restart --config-file "$PT/config.json"
        run pouch run --rm --rich -m 256m busybox free
        [ "$status" -eq 0 ]
        [ "$(mem_total "$output")" = "$(host_mem_total)" ]
}
