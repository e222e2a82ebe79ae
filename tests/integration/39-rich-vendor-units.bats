#!/usr/bin/env bats
# Debian's own packages in a rich container, their units unchanged: the Debian rich image plus
# nginx-light and rsyslog (tests/images/build-debian-rich.sh with extra packages), installed the
# usual way, so their postinst enabled nginx.service and rsyslog.service through deb-systemd-helper
# (multi-user.target.wants links). `pouch run -d --rich` (pouch-init mode) must run both as the
# packages ship them: nginx (Type=forking, PIDFile=, ExecStartPre= config test) answers HTTP,
# rsyslog (Type=notify, Requires=syslog.socket) receives `logger` and writes /var/log/syslog.
# postgresql is left out: postgresql-15 depends on libllvm14 and libicu72, some 200 MB more.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
        pouchd_setup_file
        if ! "$IMAGES/build-debian-rich.sh" "$PT/vendor.tar" nginx-light,rsyslog > "$PT/build-debian.log" 2>&1; then
                cat "$PT/build-debian.log" >&3
                skip "the Debian image with nginx and rsyslog could not be built (mmdebstrap needs Debian's archive)"
        fi
        pouch import "$PT/vendor.tar" vendor-vm:latest > /dev/null
        rm -f "$PT/vendor.tar"
        pouch run -d --name vm --rich vendor-vm > /dev/null
}
teardown_file() { pouchd_teardown_file; }
teardown() {
        [ "${BATS_TEST_COMPLETED:-}" = 1 ] && return 0
        echo "---- pouch-init status: $(pouch inspect -f '{{json .Rich.Status}}' vm 2> /dev/null)"
        echo "---- processes in vm ----"
        pouch exec vm ps -eo pid,ppid,args 2>&1 || true
        echo "---- last 40 lines of the vm container's log ----"
        pouch logs --tail 40 vm 2>&1 || true
        dump_log_on_failure
}

# svc CONTAINER NAME JQ: a field of a service in pouch-init's status, as `pouch inspect` shows it
svc() {
        pouch inspect -f '{{json .Rich.Status}}' "$1" | jq -r --arg n "$2" ".services[] | select(.name == \$n) | $3"
}
svc_is() { [ "$(svc "$1" "$2" "$3")" = "$4" ]; }
http_get() { pouch exec "$1" busybox wget -qO- "http://127.0.0.1$2"; }
serves() { http_get "$1" "$2" | grep -qF -- "$3"; }
syslog_has() { pouch exec "$1" grep -qF -- "$2" /var/log/syslog; }

@test "vendor units: the image enables nginx and rsyslog as Debian's postinst does" {
        run pouch exec vm readlink /etc/systemd/system/multi-user.target.wants/nginx.service
        [ "$output" = /lib/systemd/system/nginx.service ]
        run pouch exec vm readlink /etc/systemd/system/multi-user.target.wants/rsyslog.service
        [ "$output" = /lib/systemd/system/rsyslog.service ]
}

@test "vendor units: nginx's own unit runs and answers HTTP on port 80" {
        wait_for 30 svc_is vm nginx .state running
        [ "$(svc vm nginx .source)" = systemd ]
        wait_for 10 serves vm / "Welcome to nginx"
        # the unit is Type=forking with PIDFile=: its pid is nginx's master
        [ "$(svc vm nginx .pid)" = "$(pouch exec vm cat /run/nginx.pid)" ]
        run pouch exec vm ps -o args= -p "$(svc vm nginx .pid)"
        [[ "$output" == "nginx: master process"* ]]
}

@test "vendor units: rsyslog's own unit runs, and logger lands in /var/log/syslog" {
        wait_for 30 svc_is vm rsyslog .state running
        [ "$(svc vm rsyslog .source)" = systemd ]
        [ "$(pouch exec vm ps -o comm= -p "$(svc vm rsyslog .pid)")" = rsyslogd ]
        pouch exec vm logger -t vendor-test hello-vendor
        wait_for 10 syslog_has vm "vendor-test: hello-vendor"
}

@test "vendor units: every enabled service runs or is skipped with a reason, none failed" {
        wait_for 30 svc_is vm nginx .state running
        wait_for 30 svc_is vm rsyslog .state running
        wait_for 30 svc_is vm ssh .state running
        wait_for 30 svc_is vm cron .state running
        # oneshot units end stopped, with exit code 0 and no error
        run jq -r '.services[] | select(.state != "running" and .state != "skipped" and
                (.state != "stopped" or (.lastExitCode // 0) != 0 or .error != null)) |
                "\(.name) \(.state) \(.error)"' <<< "$(pouch inspect -f '{{json .Rich.Status}}' vm)"
        [ "$status" -eq 0 ]
        [ -z "$output" ]
        run jq -r '.services[] | select(.state == "skipped" and ((.reason // "") == "")) | .name' \
                <<< "$(pouch inspect -f '{{json .Rich.Status}}' vm)"
        [ -z "$output" ]
}

@test "vendor units: pouch stop stops nginx and rsyslog through their units, the container exits" {
        wait_for 30 svc_is vm nginx .state running
        pouch stop vm
        [ "$(state_of vm)" = exited ]
        run pouch logs vm
        [[ "$output" != *"nginx"*"failed"* ]]
        # started again, both come back
        pouch start vm
        wait_for 30 svc_is vm nginx .state running
        wait_for 30 svc_is vm rsyslog .state running
        wait_for 10 serves vm / "Welcome to nginx"
}
