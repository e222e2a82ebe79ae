#!/usr/bin/env bats
# pouch-init on its own with the unit features of vendor units (Type=forking/oneshot/notify,
# ExecStop=, Restart=on-abnormal) and the discovery of an image's enabled services (systemd units
# and SysV scripts). As in 25-pouch-init.bats: the static binary is PID 1 of a new pid and mount
# namespace, chrooted into a busybox rootfs. Needs root and a C compiler (a static sd_notify sender).

bats_require_minimum_version 1.5.0

# shellcheck source=pouch-init-helpers.bash
. "$BATS_TEST_DIRNAME/pouch-init-helpers.bash"

setup_file() {
        pouch_init_check_host cc || return 0
        cc -static -O2 -o "$BATS_FILE_TMPDIR/notify-send" "$REPO/tests/integration/helpers/notify-send.c" ||
                { INIT_SKIP="cannot build the notify helper statically (libc6-dev)"; return 0; }
        pouch_init_build_rootfs
}

setup() {
        pouch_init_setup pouch-init-units tmp run
        cp "$BATS_FILE_TMPDIR/notify-send" "$ROOT/bin/notify-send"
}

teardown() { pouch_init_teardown; }

# the pid of a process inside the namespace as the host sees it (status.json has inner pids)
host_pid() {
        local p
        for p in /proc/[0-9]*; do
                if [ "$(awk '/^NSpid:/ { print $NF }' "$p/status" 2> /dev/null)" = "$1" ] &&
                        [ "$(readlink "$p/ns/pid")" = "$(readlink "/proc/$(init_pid)/ns/pid")" ]; then
                        echo "${p#/proc/}"
                        return 0
                fi
        done
        return 1
}

@test "units: Type=forking takes its main process from PIDFile=; ExecStop= runs with \$MAINPID" {
        service fork << 'EOF2'
[Service]
Type=forking
PIDFile=/run/fork.pid
ExecStart=/bin/sh -c 'sleep 1000 & echo $! > /run/fork.pid'
ExecStop=/bin/sh -c 'echo "stop $MAINPID" > /tmp/stopped; kill $MAINPID'
EOF2
        start_init --no-cron -- sleep 1000
        wait_for 10 svc_is fork state running
        [ "$(svc fork pid)" = "$(cat "$ROOT/run/fork.pid")" ]
        wait_for 10 st_is .main.running true
        kill -TERM "$(init_pid)"
        wait_init
        [ "$rc" -eq 143 ]
        [ "$(cat "$ROOT/tmp/stopped")" = "stop $(cat "$ROOT/run/fork.pid")" ]
        svc_is fork state stopped
}

@test "units: Type=forking whose PIDFile= names no process fails the start" {
        service fork << 'EOF2'
[Service]
Type=forking
PIDFile=/run/none.pid
ExecStart=/bin/true
EOF2
        start_init --no-cron -- sleep 1000
        wait_for 10 svc_is fork state failed
        [[ "$(svc fork error)" == "PIDFile=/run/none.pid: "* ]]
        kill -TERM "$(init_pid)"
        wait_init
}

@test "units: Type=oneshot runs its commands in order; RemainAfterExit=; dependents wait for it" {
        service setup << 'EOF2'
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/sh -c 'sleep 0.3; echo one >> /tmp/order'
ExecStart=/bin/sh -c 'echo two >> /tmp/order'
ExecStop=/bin/sh -c 'echo down > /tmp/setup-stopped'
EOF2
        service once << 'EOF2'
[Service]
Type=oneshot
ExecStart=/bin/true
EOF2
        service app << 'EOF2'
[Unit]
After=setup.service
[Service]
ExecStart=/bin/sh -c 'cat /tmp/order > /tmp/seen; exec sleep 1000'
EOF2
        start_init --no-cron -- sleep 1000
        wait_for 10 svc_is app state running
        wait_for 10 test -s "$ROOT/tmp/seen"
        [ "$(cat "$ROOT/tmp/seen")" = "$(printf 'one\ntwo')" ]
        svc_is setup state running
        svc_is setup pid null
        svc_is once state stopped
        svc_is once lastExitCode 0
        kill -TERM "$(init_pid)"
        wait_init
        [ "$rc" -eq 143 ]
        [ "$(cat "$ROOT/tmp/setup-stopped")" = down ]
        svc_is setup state stopped
}

@test "units: Type=notify is starting until READY=1, MAINPID= names its main process; the command waits" {
        service ready << 'EOF2'
[Service]
Type=notify
ExecStart=/bin/sh -c 'sleep 1000 & p=$!; while [ ! -e /tmp/go ]; do sleep 0.1; done; notify-send READY=1 MAINPID=$p; wait'
EOF2
        start_init --no-cron -- sh -c 'touch /tmp/main-started; exec sleep 1000'
        wait_for 10 svc_is ready state starting
        sleep 0.5
        svc_is ready state starting
        # the main process waits for the start to finish
        run ! test -e "$ROOT/tmp/main-started"
        st_is .phase starting
        touch "$ROOT/tmp/go"
        wait_for 10 svc_is ready state running
        wait_for 10 test -e "$ROOT/tmp/main-started"
        # MAINPID= named the sleep: its pid, not the shell's
        local pid
        pid="$(svc ready pid)"
        [ "$(cat "/proc/$(host_pid "$pid")/comm")" = sleep ]
        kill -TERM "$(init_pid)"
        wait_init
        [ "$rc" -eq 143 ]
}

@test "units: Type=notify without READY=1 fails after TimeoutStartSec=" {
        service slow << 'EOF2'
[Service]
Type=notify
TimeoutStartSec=500ms
ExecStart=/bin/sleep 1000
EOF2
        start_init --no-cron -- sleep 1000
        wait_for 10 svc_is slow state failed
        [[ "$(svc slow error)" == "did not start within 500 ms"* ]]
        kill -TERM "$(init_pid)"
        wait_init
}

@test "units: Restart=on-abnormal restarts after a signal, not after an exit code" {
        service abn << 'EOF2'
[Service]
Restart=on-abnormal
RestartSec=0
ExecStart=/bin/sh -c 'if [ -e /tmp/crashed ]; then exit 3; fi; touch /tmp/crashed; kill -SEGV $$$$'
EOF2
        start_init --no-cron -- sleep 1000
        wait_for 10 svc_is abn state failed
        svc_is abn restarts 1
        svc_is abn lastExitCode 3
        kill -TERM "$(init_pid)"
        wait_init
}

@test "units: StartLimitBurst= ends a crash loop in failed" {
        service loop << 'EOF2'
[Unit]
StartLimitIntervalSec=60
StartLimitBurst=3
[Service]
Restart=always
RestartSec=0
ExecStart=/bin/sh -c 'echo run >> /tmp/runs; exit 1'
EOF2
        start_init --no-cron -- sleep 1000
        wait_for 20 svc_is loop state failed
        [[ "$(svc loop error)" == "start limit hit (StartLimitBurst=3 within 60000 ms)" ]]
        [ "$(wc -l < "$ROOT/tmp/runs")" -eq 3 ]
        kill -TERM "$(init_pid)"
        wait_init
}

@test "units: RuntimeDirectory=, UMask=, StandardOutput=null, ExecStartPost=, Before=, unmet conditions" {
        service early << 'EOF2'
[Unit]
Before=aaa.service
[Service]
RuntimeDirectory=early/sub
RuntimeDirectoryMode=0710
UMask=0077
StandardOutput=null
ExecStart=/bin/sh -c 'echo hidden; touch /tmp/early-file; exec sleep 1000'
ExecStartPost=/bin/sh -c 'test -e /tmp/early-file || sleep 0.3; echo post > /tmp/post'
EOF2
        # listed first by name, ordered after early by early's Before=
        service aaa << 'EOF2'
[Service]
ExecStart=/bin/sh -c 'cat /tmp/post > /tmp/late-saw 2>&1; exec sleep 1000'
EOF2
        service gated << 'EOF2'
[Unit]
ConditionPathExists=/etc/not-there
[Service]
ExecStart=/bin/sleep 1000
EOF2
        service gated-empty << 'EOF2'
[Unit]
ConditionFileNotEmpty=!/etc/hostname-empty
[Service]
ExecStart=/bin/sleep 1000
EOF2
        : > "$ROOT/etc/hostname-empty"
        start_init --no-cron -- sleep 1000
        wait_for 10 svc_is aaa state running
        [ "$(cat "$ROOT/tmp/late-saw")" = post ]
        [ "$(stat -c %a "$ROOT/run/early/sub")" = 710 ]
        [ "$(stat -c %a "$ROOT/tmp/early-file")" = 600 ]
        run ! grep -q hidden "$ROOT/.out"
        svc_is gated state skipped
        svc_is gated reason "ConditionPathExists=/etc/not-there is not met"
        svc_is gated-empty state running
        kill -TERM "$(init_pid)"
        wait_init
}

# a VM tree: a SysV app enabled in rc2.d, a systemd unit enabled by a wants link, with a drop-in
make_vm_tree() {
        mkdir -p "$ROOT/etc/init.d" "$ROOT/etc/rc2.d" "$ROOT/lib/systemd/system" \
                "$ROOT/etc/systemd/system/multi-user.target.wants" "$ROOT/etc/systemd/system/apiapp.service.d" \
                "$ROOT/etc/systemd/system/getty.target.wants"
        local s
        for s in myapp dbapp; do
                cat > "$ROOT/etc/init.d/$s" << EOF2
#!/bin/sh
### BEGIN INIT INFO
# Provides:          $s
# Required-Start:    \$remote_fs $([ "$s" = myapp ] && echo dbapp)
# Short-Description: the $s application
### END INIT INFO
case "\$1" in
start) echo "$s" >> /tmp/sysv-order; sleep 1000 > /dev/null 2>&1 & echo \$! > /run/$s.pid ;;
stop) $([ "$s" = myapp ] && echo "sleep 0.3;") echo "$s" >> /tmp/sysv-stopped; kill "\$(cat /run/$s.pid)" ;;
esac
EOF2
                chmod 755 "$ROOT/etc/init.d/$s"
        done
        # S order says myapp first; its LSB header says after dbapp
        ln -s ../init.d/myapp "$ROOT/etc/rc2.d/S01myapp"
        ln -s ../init.d/dbapp "$ROOT/etc/rc2.d/S02dbapp"
        # a script that also has a unit: it runs once, as the unit
        printf '#!/bin/sh\necho sysv >> /tmp/apiapp-by\n' > "$ROOT/etc/init.d/apiapp"
        chmod 755 "$ROOT/etc/init.d/apiapp"
        ln -s ../init.d/apiapp "$ROOT/etc/rc2.d/S03apiapp"
        cat > "$ROOT/lib/systemd/system/apiapp.service" << 'EOF2'
[Unit]
Description=API application
After=network-online.target myapp.service
Wants=network-online.target
[Service]
Type=forking
PIDFile=/run/apiapp.pid
ExecStart=/bin/sh -c 'echo "unit $GREETING" >> /tmp/apiapp-by; sleep 1000 & echo $! > /run/apiapp.pid'
ProtectSystem=full
[Install]
WantedBy=multi-user.target
EOF2
        printf '[Service]\nEnvironment=GREETING=from-dropin\n' > "$ROOT/etc/systemd/system/apiapp.service.d/10-env.conf"
        ln -s /lib/systemd/system/apiapp.service "$ROOT/etc/systemd/system/multi-user.target.wants/apiapp.service"
        printf '[Service]\nExecStart=/bin/sleep 1000\n' > "$ROOT/lib/systemd/system/masked.service"
        ln -s /dev/null "$ROOT/etc/systemd/system/masked.service"
        ln -s /lib/systemd/system/masked.service "$ROOT/etc/systemd/system/multi-user.target.wants/masked.service"
        printf '[Service]\nExecStart=/sbin/getty 38400 %%I\n' > "$ROOT/lib/systemd/system/getty@.service"
        ln -s /lib/systemd/system/getty@.service "$ROOT/etc/systemd/system/getty.target.wants/getty@tty1.service"
        ln -s /lib/systemd/system/getty.target "$ROOT/etc/systemd/system/multi-user.target.wants/getty.target"
}

@test "discovery: a SysV script (LSB order) and a systemd unit (drop-in) run; masked and skip-listed ones are listed" {
        make_vm_tree
        start_init --no-cron -- sleep 1000
        wait_for 10 svc_is apiapp state running
        wait_for 10 svc_is myapp state running
        svc_is dbapp state running
        svc_is myapp source sysv
        svc_is apiapp source systemd
        [ "$(cat "$ROOT/tmp/sysv-order")" = "$(printf 'dbapp\nmyapp')" ]
        # the unit ran, not the script; the drop-in applied; ProtectSystem= is a warning
        [ "$(cat "$ROOT/tmp/apiapp-by")" = "unit from-dropin" ]
        [ "$(svc apiapp pid)" = "$(cat "$ROOT/run/apiapp.pid")" ]
        [[ "$(svc apiapp warnings)" == *"unsupported key ProtectSystem="* ]]
        [ "$(st '[.services[] | select(.name == "apiapp")] | length')" = 1 ]
        svc_is masked state skipped
        [[ "$(svc masked reason)" == masked* ]]
        svc_is getty@tty1 state skipped
        [[ "$(svc getty@tty1 reason)" == *consoles* ]]
        kill -TERM "$(init_pid)"
        wait_init
        [ "$rc" -eq 143 ]
        # SysV stop scripts ran, in reverse order: myapp (after dbapp) first
        [ "$(cat "$ROOT/tmp/sysv-stopped")" = "$(printf 'myapp\ndbapp')" ]
}

@test "discovery: --rich-services none runs none of them, sysv runs the scripts only, pouch the services dir" {
        make_vm_tree
        printf '[Service]\nExecStart=/bin/sleep 1000\n' > "$ROOT/etc/pouch/services.d/web.service"
        run_init --no-cron --rich-services none -- true
        [ "$status" -eq 0 ]
        st_is '.services | length' 0
        run ! test -e "$ROOT/tmp/sysv-order"
        run_init --no-cron --rich-services sysv -- true
        [ "$status" -eq 0 ]
        st_is '[.services[].name] | sort | join(",")' "apiapp,dbapp,myapp"
        svc_is apiapp source sysv
        run_init --no-cron --rich-services pouch,systemd -- true
        [ "$status" -eq 0 ]
        st_is '[.services[] | select(.state != "skipped") | .name] | sort | join(",")' "apiapp,web"
        run_init --no-cron --rich-services bogus -- true
        [ "$status" -eq 125 ]
        [[ "$output" == *"invalid --rich-services 'bogus'"* ]]
}
