#!/usr/bin/env bats
# io_uring is outside the default seccomp profile (as in docker and containerd): io_uring_setup
# fails with EPERM in a default container, and works with a custom profile that allows it, with
# seccomp=unconfined and with --privileged. A tiny static probe (helpers/uring-probe.c) is built
# here and bind-mounted into busybox containers.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
        pouchd_setup_file
        cc -D_GNU_SOURCE -static -O2 -o "$PT/uring-probe" "$HELPERS_ROOT/tests/integration/helpers/uring-probe.c"
        # the host itself must allow io_uring, or nothing below can tell allowed from denied
        "$PT/uring-probe" > "$PT/host-probe.txt" || true
        # a real filter (mkdir is refused) that allows io_uring explicitly
        cat > "$PT/uring-profile.json" << 'JSON'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [
  {"names": ["io_uring_setup", "io_uring_enter", "io_uring_register"], "action": "SCMP_ACT_ALLOW"},
  {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}
 ]}
JSON
}
teardown_file() { pouchd_teardown_file; }
setup() {
        [ "$(cat "$PT/host-probe.txt")" = ok ] || skip "io_uring is not available on this host: $(cat "$PT/host-probe.txt")"
}
teardown() { dump_log_on_failure; }

probe() { # [run options...]: run the probe in a busybox container
        pouch run --rm -v "$PT/uring-probe:/uring-probe:ro" "$@" busybox /uring-probe
}

@test "the default seccomp profile refuses io_uring_setup with EPERM" {
        run -1 probe
        [ "$output" = "EPERM" ]
        # also with CAP_SYS_ADMIN: docker allows io_uring for no capability
        run -1 probe --cap-add SYS_ADMIN
        [ "$output" = "EPERM" ]
}

@test "a custom seccomp profile that allows io_uring lets io_uring_setup work" {
        run -0 probe --security-opt "seccomp=$PT/uring-profile.json"
        [ "$output" = "ok" ]
        # the custom profile is in force (it refuses mkdir with EACCES)
        run pouch run --rm --security-opt "seccomp=$PT/uring-profile.json" busybox mkdir /x
        [ "$status" -ne 0 ]
        [[ "$output" == *"ermission denied"* ]]
}

@test "seccomp=unconfined and --privileged allow io_uring_setup" {
        run -0 probe --security-opt seccomp=unconfined
        [ "$output" = "ok" ]
        run -0 probe --privileged
        [ "$output" = "ok" ]
}
