#!/usr/bin/env bats
# A legacy VM tree in a rich container, through pouchd: the Debian rich image plus what an operator
# had enabled in the VM (tests/images/build-debian-rich.sh, then files appended to its tarball):
#   myapp      a SysV script (/etc/init.d/myapp, rcN.d links as `update-rc.d myapp defaults` makes
#              them) running busybox httpd on port 8081 through start-stop-daemon
#   apiapp     a systemd unit (Type=forking, PIDFile=), enabled by its multi-user.target.wants link,
#              busybox httpd on port 8082
#   notifyapp  a systemd unit (Type=notify, `systemd-notify --ready`), busybox httpd on port 8083
# `pouch run -d --rich` must run all three (pouch-init finds them), list the units that make no
# sense in a container as skipped with a reason, and run none of them with --rich-services none.

bats_require_minimum_version 1.5.0
load helpers

# the VM's additions, appended to the image's tarball (later tar entries win on extraction)
make_vm_overlay() {
        local o="$1"
        # /lib is a link to usr/lib in the image: the unit files go to usr/lib/systemd/system
        mkdir -p "$o/etc/init.d" "$o/usr/lib/systemd/system" "$o/etc/systemd/system/multi-user.target.wants" \
                "$o/srv/myapp" "$o/srv/apiapp" "$o/srv/notifyapp"
        local l
        for l in 0 1 2 3 4 5 6; do mkdir -p "$o/etc/rc$l.d"; done
        echo "myapp here" > "$o/srv/myapp/index.html"
        echo "apiapp here" > "$o/srv/apiapp/index.html"
        echo "notifyapp here" > "$o/srv/notifyapp/index.html"
        cat > "$o/etc/init.d/myapp" << 'EOF'
#!/bin/sh
### BEGIN INIT INFO
# Provides:          myapp
# Required-Start:    $remote_fs $syslog
# Required-Stop:     $remote_fs $syslog
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: the legacy application
### END INIT INFO
PIDFILE=/run/myapp.pid
case "$1" in
start)
        echo "Starting myapp"
        start-stop-daemon --start --background --make-pidfile --pidfile "$PIDFILE" \
                --exec /bin/busybox -- httpd -f -p 8081 -h /srv/myapp
        ;;
stop)
        echo "Stopping myapp"
        start-stop-daemon --stop --quiet --retry 5 --pidfile "$PIDFILE" && rm -f "$PIDFILE"
        ;;
*)
        echo "Usage: $0 {start|stop}" >&2
        exit 3
        ;;
esac
EOF
        chmod 0755 "$o/etc/init.d/myapp"
        # what `update-rc.d myapp defaults` makes
        for l in 2 3 4 5; do ln -s ../init.d/myapp "$o/etc/rc$l.d/S01myapp"; done
        for l in 0 1 6; do ln -s ../init.d/myapp "$o/etc/rc$l.d/K01myapp"; done
        cat > "$o/usr/lib/systemd/system/apiapp.service" << 'EOF'
[Unit]
Description=The API application
After=network-online.target
Wants=network-online.target

[Service]
Type=forking
PIDFile=/run/apiapp.pid
ExecStart=/bin/sh -c 'busybox httpd -f -p 8082 -h /srv/apiapp & echo $! > /run/apiapp.pid'
Restart=on-failure

[Install]
WantedBy=multi-user.target
EOF
        cat > "$o/usr/lib/systemd/system/notifyapp.service" << 'EOF'
[Unit]
Description=An application that says when it is ready

[Service]
Type=notify
ExecStart=/bin/sh -c 'busybox httpd -f -p 8083 -h /srv/notifyapp & sleep 0.2; systemd-notify --ready; wait'

[Install]
WantedBy=multi-user.target
EOF
        # what `systemctl enable apiapp notifyapp` makes
        ln -s /lib/systemd/system/apiapp.service "$o/etc/systemd/system/multi-user.target.wants/apiapp.service"
        ln -s /lib/systemd/system/notifyapp.service \
                "$o/etc/systemd/system/multi-user.target.wants/notifyapp.service"
}

setup_file() {
        pouchd_setup_file
        if ! "$IMAGES/build-debian-rich.sh" "$PT/vm.tar" > "$PT/build-debian.log" 2>&1; then
                cat "$PT/build-debian.log" >&3
                skip "the Debian rich image could not be built (mmdebstrap needs Debian's archive)"
        fi
        make_vm_overlay "$PT/overlay"
        # files only (and the new /srv directories): the image's directories and links stay as they are
        (cd "$PT/overlay" && find . ! -type d -o -path './srv/*' -type d) | sort |
                tar -rf "$PT/vm.tar" --owner=0 --group=0 --no-recursion -C "$PT/overlay" -T -
        pouch import "$PT/vm.tar" legacy-vm:latest > /dev/null
        rm -rf "$PT/vm.tar" "$PT/overlay"
        pouch run -d --name vm --rich legacy-vm > /dev/null
        pouch run -d --name bare --rich --rich-services none legacy-vm > /dev/null
}
teardown_file() { pouchd_teardown_file; }
teardown() {
        [ "${BATS_TEST_COMPLETED:-}" = 1 ] && return 0
        echo "---- pouch-init status: $(pouch inspect -f '{{json .Rich.Status}}' vm 2> /dev/null)"
        echo "---- processes in vm ----"
        pouch exec vm ps -eo pid,ppid,args 2>&1 || true
        nsenter -t "$(pouch inspect -f '{{.State.Pid}}' vm)" -n curl -sS --max-time 2 http://127.0.0.1:8081/ 2>&1 || true
        echo "---- last 40 lines of the vm container's log ----"
        pouch logs --tail 40 vm 2>&1 || true
        dump_log_on_failure
}

# svc CONTAINER NAME JQ: a field of a service in pouch-init's status, as `pouch inspect` shows it
svc() {
        pouch inspect -f '{{json .Rich.Status}}' "$1" | jq -r --arg n "$2" ".services[] | select(.name == \$n) | $3"
}
svc_is() { [ "$(svc "$1" "$2" "$3")" = "$4" ]; }
# logs_have CONTAINER TEXT: the container's log has TEXT
logs_have() { pouch logs "$1" 2>&1 | grep -qF -- "$2"; }
# answers CONTAINER PORT TEXT: the container's http server on PORT serves TEXT (curl in its netns)
answers() {
        local pid
        pid="$(pouch inspect -f '{{.State.Pid}}' "$1")" && [ "$pid" -gt 0 ] || return 1
        [ "$(nsenter -t "$pid" -n curl -s --max-time 2 "http://127.0.0.1:$2/")" = "$3" ]
}

@test "rich services: the SysV app, the forking unit and the notify unit all answer" {
        wait_for 30 svc_is vm myapp .state running
        wait_for 30 svc_is vm apiapp .state running
        wait_for 30 svc_is vm notifyapp .state running
        wait_for 10 answers vm 8081 "myapp here"
        wait_for 10 answers vm 8082 "apiapp here"
        wait_for 10 answers vm 8083 "notifyapp here"
        [ "$(svc vm myapp .source)" = sysv ]
        [ "$(svc vm apiapp .source)" = systemd ]
        # the forking unit's pid is the one of its PIDFile=
        [ "$(svc vm apiapp .pid)" = "$(pouch exec vm cat /run/apiapp.pid)" ]
        run pouch logs vm
        [[ "$output" == *"[myapp] Starting myapp"* ]]
}

@test "rich services: the image's ssh and cron units replace the built-ins" {
        wait_for 30 svc_is vm ssh .state running
        wait_for 30 svc_is vm cron .state running
        [ "$(svc vm ssh .source)" = systemd ]
        [ -z "$(svc vm sshd .name)" ]
        [ "$(pouch exec vm ps -o comm= -p "$(svc vm ssh .pid)")" = sshd ]
        # the SysV scripts of ssh and cron ran as their units: listed once each
        [ "$(pouch inspect -f '{{json .Rich.Status}}' vm | jq '[.services[] | select(.name == "ssh")] | length')" = 1 ]
}

@test "rich services: units that make no sense in a container are listed as skipped with a reason" {
        wait_for 30 svc_is vm apiapp .state running
        [ "$(svc vm getty@tty1 .state)" = skipped ]
        [[ "$(svc vm getty@tty1 .reason)" == *consoles* ]]
        [ "$(svc vm systemd-logind .state)" = skipped ]
        [[ "$(svc vm systemd-logind .reason)" == *systemd* ]]
        [ "$(svc vm dbus .state)" = skipped ]
        [[ "$(svc vm dbus .reason)" == *"socket-activated by dbus.socket"* ]]
        [ "$(svc vm apt-daily.timer .state)" = skipped ]
        [ -n "$(svc vm apt-daily.timer .reason)" ]
}

@test "rich services: --rich-services none runs none of the image's services" {
        wait_for 30 svc_is bare sshd .state running
        [ "$(pouch inspect -f '{{json .Rich.Status}}' bare | jq -r '[.services[].name] | join(" ")')" = "sshd ssh-host-keys cron" ]
        run ! answers bare 8081 "myapp here"
        run ! answers bare 8082 "apiapp here"
        run pouch exec bare test -e /run/apiapp.pid
        [ "$status" -ne 0 ]
}

@test "rich services: a bad --rich-services, or one without --rich or in another mode, is refused" {
        run pouch create --rich --rich-services bogus legacy-vm
        [ "$status" -ne 0 ]
        [[ "$output" == *"invalid --rich-services 'bogus'"* ]]
        run pouch create --rich-services all legacy-vm
        [ "$status" -ne 0 ]
        [[ "$output" == *"--rich-services can only be used together with --rich"* ]]
        run pouch create --rich --rich-mode systemd --rich-services sysv legacy-vm
        [ "$status" -ne 0 ]
        [[ "$output" == *"pouch-init rich mode"* ]]
}

@test "rich services: systemctl and service inside reach pouch-init (status, stop stays stopped, start, SysV)" {
        wait_for 30 svc_is vm ssh .state running
        wait_for 30 svc_is vm cron .state running
        wait_for 30 svc_is vm myapp .state running
        run pouch exec vm systemctl status ssh
        [ "$status" -eq 0 ]
        [[ "$output" == *"● ssh.service - OpenBSD Secure Shell server"* ]]
        [[ "$output" == *"Active: active (running) since"* ]]
        [[ "$output" == *"Main PID: $(svc vm ssh .pid) (ssh)"* ]]
        run pouch exec vm systemctl is-enabled apiapp
        [ "$status" -eq 0 ]
        [ "$output" = enabled ]
        run pouch exec vm systemctl stop cron
        [ "$status" -eq 0 ]
        run pouch exec vm systemctl is-active cron
        [ "$status" -eq 3 ]
        [ "$output" = inactive ]
        # Restart= does not bring it back
        sleep 1
        svc_is vm cron .state stopped
        run pouch exec vm service cron start
        [ "$status" -eq 0 ]
        run pouch exec vm systemctl is-active cron
        [ "$status" -eq 0 ]
        # a SysV script: its stop and start, through pouch-init
        run pouch exec vm service myapp stop
        [ "$status" -eq 0 ]
        run ! answers vm 8081 "myapp here"
        svc_is vm myapp .state stopped
        run pouch exec vm service myapp start
        [ "$status" -eq 0 ]
        wait_for 10 answers vm 8081 "myapp here"
}

@test "rich services: logger inside reaches pouch logs (no syslog daemon in the image)" {
        wait_for 30 svc_is vm ssh .state running
        run pouch exec vm logger -t pouchtest "hello from the vm"
        [ "$status" -eq 0 ]
        wait_for 10 logs_have vm "[syslog] pouchtest: hello from the vm"
}

@test "rich services: pouch stop runs the SysV stop script; pouch-init exits on its own (code 0, not killed)" {
        wait_for 30 svc_is vm myapp .state running
        pouch stop vm > /dev/null
        [ "$(pouch inspect -f '{{.State.ExitCode}}' vm)" = 0 ]
        run pouch logs vm
        [[ "$output" == *"[myapp] Stopping myapp"* ]]
}
