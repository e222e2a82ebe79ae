#!/usr/bin/env bats
# pouch-init on its own, asked to start, stop, restart, reload and show its services through its
# control socket (`pouch-init ctl`, and the same binary run as systemctl and service), and
# receiving syslog messages on /dev/log. As in 26-pouch-init-units.bats: the static binary is PID 1
# of a new pid and mount namespace, chrooted into a busybox rootfs. Needs root.

# shellcheck disable=SC2030,SC2031 # a test that restarts pouch-init resets UPID in its own subshell
bats_require_minimum_version 1.5.0

# shellcheck source=pouch-init-helpers.bash
. "$BATS_TEST_DIRNAME/pouch-init-helpers.bash"

setup_file() {
        pouch_init_check_host || return 0
        pouch_init_build_rootfs
}

setup() {
        pouch_init_setup pouch-init-ctl tmp run
        service web << 'EOF2'
[Unit]
Description=The web application
[Service]
ExecStart=/bin/sh -c 'echo "web up"; exec sleep 1000'
ExecReload=/bin/sh -c 'echo reloaded > /tmp/reloaded'
Restart=always
RestartSec=100ms
EOF2
}

teardown() { pouch_init_teardown; }

# the client inside the chroot, as an operator would type it
ctl() { timeout 20 chroot "$ROOT" /run/pouch-init/pouch-init ctl "$@"; }
as() { local p="$1"; shift; timeout 20 chroot "$ROOT" "$p" "$@"; }
log_has() { grep -qF -- "$1" "$ROOT/.out"; }

@test "ctl: status shows the unit, its state, main pid and last output lines; unknown units exit 4" {
        start_init --no-cron --no-sshd
        wait_for 10 svc_is web state running
        wait_for 10 log_has "[web] web up"
        run ctl status web
        [ "$status" -eq 0 ]
        [[ "$output" == *"● web.service - The web application"* ]]
        [[ "$output" == *"Loaded: loaded (/etc/pouch/services.d/web.service; static; source: services.d)"* ]]
        [[ "$output" == *"Active: active (running) since "* ]]
        [[ "$output" == *"Main PID: $(svc web pid) (web)"* ]]
        [[ "$output" == *" web: web up"* ]]
        run ctl is-active web.service
        [ "$status" -eq 0 ]
        [ "$output" = active ]
        run ctl status nosuch
        [ "$status" -eq 4 ]
        [[ "$output" == *"Unit nosuch.service could not be found."* ]]
        run ctl is-active nosuch
        [ "$status" -eq 3 ]
        run ctl is-system-running
        [ "$status" -eq 0 ]
        [ "$output" = running ]
        run ctl list-units
        [ "$status" -eq 0 ]
        [[ "$output" == *"web.service"*"active"*"running"*"The web application"* ]]
        # a user may look, not change
        run timeout 20 chroot --userspec=65534:65534 "$ROOT" /run/pouch-init/pouch-init ctl is-active web
        [ "$status" -eq 0 ]
        run timeout 20 chroot --userspec=65534:65534 "$ROOT" /run/pouch-init/pouch-init ctl stop web
        [ "$status" -eq 4 ]
        [[ "$output" == *"Failed to stop web.service: Access denied"* ]]
        run ctl is-active web
        [ "$status" -eq 0 ]
}

@test "ctl: stop runs ExecStop= and the kill, the service stays stopped; start and restart bring it back" {
        service stopper << 'EOF2'
[Service]
ExecStart=/bin/sleep 1000
ExecStop=/bin/sh -c 'echo "stop $MAINPID" > /tmp/stopper-stopped; kill $MAINPID'
Restart=always
EOF2
        start_init --no-cron --no-sshd
        wait_for 10 svc_is web state running
        wait_for 10 svc_is stopper state running
        local pid
        pid="$(svc stopper pid)"
        run ctl stop stopper
        [ "$status" -eq 0 ]
        # answered once the stop is over
        [ "$(cat "$ROOT/tmp/stopper-stopped")" = "stop $pid" ]
        run ctl is-active stopper
        [ "$status" -eq 3 ]
        [ "$output" = inactive ]
        run ctl stop web
        [ "$status" -eq 0 ]
        # Restart=always does not bring a stopped service back
        sleep 1
        run ctl is-active web
        [ "$status" -eq 3 ]
        svc_is web state stopped
        run ctl status web
        [ "$status" -eq 3 ]
        [[ "$output" == *"Active: inactive (dead)"* ]]
        run ctl start web
        [ "$status" -eq 0 ]
        run ctl is-active web
        [ "$status" -eq 0 ]
        pid="$(svc web pid)"
        run ctl restart web
        [ "$status" -eq 0 ]
        svc_is web state running
        [ "$(svc web pid)" != "$pid" ]
        # pouch-init still stops everything on SIGTERM, the stopped one included
        kill -TERM "$(init_pid)"
        wait "$UPID" || true
        UPID=""
        [ "$(st .phase)" = exited ]
}

@test "ctl: run as systemctl and as service (argv[0]); -q; a failing start exits 1 with systemd's words" {
        service broken << 'EOF2'
[Service]
ExecStartPre=/bin/false
ExecStart=/bin/sleep 1000
EOF2
        ln -s /run/pouch-init/pouch-init "$ROOT/bin/systemctl"
        ln -s /run/pouch-init/pouch-init "$ROOT/bin/service"
        start_init --no-cron --no-sshd
        wait_for 10 svc_is web state running
        run as /bin/systemctl --no-pager -q is-active web
        [ "$status" -eq 0 ]
        [ -z "$output" ]
        run as /bin/service web stop
        [ "$status" -eq 0 ]
        run as /bin/systemctl is-active web
        [ "$status" -eq 3 ]
        run as /bin/service web start
        [ "$status" -eq 0 ]
        run as /bin/systemctl is-active web
        [ "$status" -eq 0 ]
        run as /bin/systemctl start broken
        [ "$status" -eq 1 ]
        [[ "$output" == *"Job for broken.service failed"* ]]
        run as /bin/systemctl is-failed broken
        [ "$status" -eq 0 ]
        run as /bin/systemctl frobnicate web
        [ "$status" -eq 1 ]
        [[ "$output" == *"Unknown command verb 'frobnicate'"* ]]
        # a script pouch-init does not run: service runs it itself
        mkdir -p "$ROOT/etc/init.d"
        printf '#!/bin/sh\necho "legacy $1" > /tmp/legacy\n' > "$ROOT/etc/init.d/legacy"
        chmod 0755 "$ROOT/etc/init.d/legacy"
        run as /bin/service legacy start
        [ "$status" -eq 0 ]
        [ "$(cat "$ROOT/tmp/legacy")" = "legacy start" ]
        run as /bin/service nosuch start
        [ "$status" -eq 1 ]
        [ "$output" = "nosuch: unrecognized service" ]
}

@test "ctl: reload runs ExecReload=, and is refused without it as systemd does" {
        service plain << 'EOF2'
[Service]
ExecStart=/bin/sleep 1000
EOF2
        start_init --no-cron --no-sshd
        wait_for 10 svc_is web state running
        wait_for 10 svc_is plain state running
        local pid
        pid="$(svc web pid)"
        run ctl reload web
        [ "$status" -eq 0 ]
        [ "$(cat "$ROOT/tmp/reloaded")" = reloaded ]
        [ "$(svc web pid)" = "$pid" ]
        run ctl reload plain
        [ "$status" -eq 1 ]
        [[ "$output" == *"Job type reload is not applicable for unit plain.service"* ]]
}

@test "ctl: enable and disable make and remove the multi-user.target.wants link of an image's unit" {
        mkdir -p "$ROOT/lib/systemd/system"
        printf '[Service]\nExecStart=/bin/sleep 1000\n' > "$ROOT/lib/systemd/system/extra.service"
        start_init --no-cron --no-sshd
        wait_for 10 svc_is web state running
        run ctl is-enabled extra
        [ "$status" -eq 1 ]
        run ctl enable extra
        [ "$status" -eq 0 ]
        [[ "$output" == *"Created symlink /etc/systemd/system/multi-user.target.wants/extra.service → /lib/systemd/system/extra.service."* ]]
        [ "$(readlink "$ROOT/etc/systemd/system/multi-user.target.wants/extra.service")" = /lib/systemd/system/extra.service ]
        run ctl is-enabled extra
        [ "$status" -eq 0 ]
        [ "$output" = enabled ]
        run ctl disable extra
        [ "$status" -eq 0 ]
        [[ "$output" == *"Removed \"/etc/systemd/system/multi-user.target.wants/extra.service\"."* ]]
        [ ! -L "$ROOT/etc/systemd/system/multi-user.target.wants/extra.service" ]
        run ctl enable nosuch
        [ "$status" -eq 1 ]
}

@test "ctl: idle clients cannot hold pouch-init up; a garbage request is refused" {
        command -v python3 > /dev/null || skip "python3 is not installed"
        start_init --no-cron --no-sshd
        wait_for 10 svc_is web state running
        # 20 connections that send nothing, more than pouch-init serves at a time, held 4 s
        python3 -c '
import socket, sys, time
s = []
for i in range(20):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.connect(sys.argv[1])
    s.append(c)
time.sleep(4)
' "$ROOT/run/pouch-init/ctl.sock" &
        local hold=$!
        sleep 0.5
        # the idle ones are dropped after their read deadline: the request is answered
        run ctl is-active web
        kill "$hold" 2> /dev/null || true
        wait "$hold" 2> /dev/null || true
        [ "$status" -eq 0 ]
        [ "$output" = active ]
        run python3 -c '
import socket, sys
c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
c.connect(sys.argv[1])
c.sendall(b"start ../../etc/passwd\n")
print(c.recv(4096).decode())
' "$ROOT/run/pouch-init/ctl.sock"
        [ "$status" -eq 0 ]
        [[ "$output" == "1 2"*"invalid request"* ]]
        svc_is web state running
}

@test "syslog: logger reaches the log as [syslog] TAG: MSG when no syslog daemon runs; StandardOutput=syslog too" {
        service chatty << 'EOF2'
[Service]
ExecStart=/bin/sh -c 'echo "chatty line"; exec sleep 1000'
StandardOutput=syslog
EOF2
        start_init --no-cron --no-sshd
        wait_for 10 svc_is web state running
        [ -S "$ROOT/dev/log" ]
        run chroot "$ROOT" /bin/logger -t myapp "hello from logger"
        [ "$status" -eq 0 ]
        wait_for 5 log_has "[syslog] myapp: hello from logger"
        wait_for 5 log_has "[syslog] chatty: chatty line"
        run ! log_has "[chatty] chatty line"
}

@test "syslog: --syslog-socket PATH; none with a syslog daemon among the services" {
        command -v python3 > /dev/null || skip "python3 is not installed"
        start_init --no-cron --no-sshd --syslog-socket /run/test-log
        wait_for 10 svc_is web state running
        [ -S "$ROOT/run/test-log" ]
        python3 -c '
import socket, sys
c = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
c.sendto(b"<13>Dec  6 04:10:00 app[12]: line one\nline two\x01", sys.argv[1])
c.sendto(b"<13>short: form", sys.argv[1])
' "$ROOT/run/test-log"
        wait_for 5 log_has "[syslog] app: line one#012line two#001"
        wait_for 5 log_has "[syslog] short: form"
        kill -TERM "$(init_pid)"
        wait "$UPID" || true
        UPID=""
        [ ! -e "$ROOT/run/test-log" ]

        # the image's syslog daemon (busybox's here) binds /dev/log; StandardOutput=journal goes to it
        service rsyslog << 'EOF2'
[Service]
ExecStart=/bin/busybox syslogd -n -O /tmp/messages
EOF2
        service chatty << 'EOF2'
[Unit]
After=rsyslog.service
[Service]
ExecStart=/bin/sh -c 'while [ ! -S /dev/log ]; do sleep 0.1; done; echo "chatty line"; exec sleep 1000'
StandardOutput=journal
EOF2
        start_init --no-cron --no-sshd
        wait_for 10 svc_is rsyslog state running
        wait_for 10 grep -q "chatty: chatty line" "$ROOT/tmp/messages"
        run ! log_has "chatty line"
}
