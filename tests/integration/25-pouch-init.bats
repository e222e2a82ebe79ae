#!/usr/bin/env bats
# pouch-init on its own, without the daemon: the static binary runs as PID 1 of a new pid and
# mount namespace, chrooted into a busybox rootfs (tests/images/build-busybox.sh), with the
# state directory at /run/pouch-init as in a rich container. Needs root.

bats_require_minimum_version 1.5.0

# shellcheck source=pouch-init-helpers.bash
. "$BATS_TEST_DIRNAME/pouch-init-helpers.bash"

setup_file() {
        pouch_init_check_host || return 0
        pouch_init_build_rootfs
}
setup() { pouch_init_setup pouch-init-it; }
teardown() { pouch_init_teardown; }

@test "pouch-init: --version, --help, an unknown option exits 125" {
        run "$INIT_BIN" --version
        [ "$status" -eq 0 ]
        [[ "$output" == "pouch-init version "* ]]
        run "$INIT_BIN" --help
        [ "$status" -eq 0 ]
        [[ "$output" == *"--initscript CMDLINE"* ]]
        run "$INIT_BIN" --bogus -- true
        [ "$status" -eq 125 ]
        [[ "$output" == *"unknown option '--bogus'"* ]]
        run "$INIT_BIN" --stop-timeout soon -- true
        [ "$status" -eq 125 ]
        run "$INIT_BIN" --state-dir
        [ "$status" -eq 125 ]
        [[ "$output" == *"needs a value"* ]]
}

@test "pouch-init: the main process's exit code propagates (0, 3, 128+9, 127, 126)" {
        run_init --no-cron -- true
        [ "$status" -eq 0 ]
        st_is .phase exited
        st_is .pid 1
        st_is .main.exitCode 0
        run_init --no-cron -- sh -c 'exit 3'
        [ "$status" -eq 3 ]
        st_is .main.exitCode 3
        run_init --no-cron -- sh -c 'kill -9 $$'
        [ "$status" -eq 137 ]
        st_is .main.exitCode 137
        run_init -127 --no-cron -- no-such-command
        [ "$status" -eq 127 ]
        [[ "$output" == *"pouch-init: exec no-such-command: No such file or directory"* ]]
        run_init -126 --no-cron -- /etc/passwd
        [ "$status" -eq 126 ]
        # runs as PID 1, CMD found on PATH, its arguments intact
        run_init --no-cron -- sh -c 'echo "pid=$$ args=$*"' sh "a b" c
        [ "$status" -eq 0 ]
        [[ "$output" == *"args=a b c"* ]]
        run_init --no-cron -- cat /proc/1/cmdline
        [[ "$output" == "/run/pouch-init/pouch-init"* ]]
}

@test "pouch-init: an orphan whose parent exited is reaped" {
        cat > "$ROOT/orphan.sh" << 'EOF2'
sh -c 'sleep 1 & echo $! > /tmp/orphan; exit 0'
sleep 0.3
o="$(cat /tmp/orphan)"
echo "ppid=$(cut -d' ' -f4 /proc/$o/stat)"
sleep 2
if [ -e /proc/$o ]; then echo "orphan state=$(cut -d' ' -f3 /proc/$o/stat)"; else echo "orphan gone"; fi
echo "zombies=$(cat /proc/[0-9]*/stat 2>/dev/null | awk '$3 == "Z"' | wc -l)"
EOF2
        run_init --no-cron -- sh /orphan.sh
        [ "$status" -eq 0 ]
        # it was handed to PID 1, and PID 1 reaped it
        [[ "$output" == *"ppid=1"* ]]
        [[ "$output" == *"orphan gone"* ]]
        [[ "$output" == *"zombies=0"* ]]
}

@test "pouch-init: SIGTERM stops the main process and the services quickly, exit 143" {
        service worker << 'EOF2'
[Unit]
Description=a long-running service
[Service]
ExecStart=/bin/sleep 1000
EOF2
        start_init --no-cron -- sleep 1000
        wait_for 10 st_is '.services[0].state' running
        st_is .phase running
        st_is .main.running true
        local svc_pid t0 t1
        svc_pid="$(st '.services[0].pid')"
        [ "$svc_pid" -gt 1 ]
        t0="$(ms_now)"
        kill -TERM "$(init_pid)"
        wait_init
        t1="$(ms_now)"
        echo "stopped in $((t1 - t0)) ms" >&3
        [ "$rc" -eq 143 ]
        [ $((t1 - t0)) -lt 1000 ]
        st_is .phase exited
        st_is .main.exitCode 143
        st_is '.services[0].state' stopped
        st_is '.services[0].lastExitCode' 143
}

@test "pouch-init: what ignores SIGTERM is killed: the main process after stop-timeout - 2 s, services after 2 s" {
        service stubborn << 'EOF2'
[Service]
ExecStart=/bin/sh -c "trap '' TERM; echo ready; while :; do sleep 1; done"
EOF2
        start_init --no-cron --stop-timeout 3 -- sh -c "trap '' TERM; while :; do sleep 1; done"
        wait_for 10 st_is '.services[0].state' running
        wait_for 10 st_is .main.running true
        local t0 t1
        t0="$(ms_now)"
        kill -TERM "$(init_pid)"
        wait_init
        t1="$(ms_now)"
        echo "stopped in $((t1 - t0)) ms" >&3
        [ "$rc" -eq 137 ]
        # 1 s for the main process, 2 s for the service
        [ $((t1 - t0)) -ge 2900 ]
        [ $((t1 - t0)) -lt 5000 ]
        grep -q "did not exit within 1000 ms: SIGKILL" "$ROOT/.out"
        grep -q "service stubborn did not stop within 2000 ms: SIGKILL" "$ROOT/.out"
        grep -q "^\[stubborn\] ready$" "$ROOT/.out"
        st_is '.services[0].lastExitCode' 137
}

@test "pouch-init: a crashing service is restarted with back-off; After= orders the starts" {
        service crash << 'EOF2'
[Service]
ExecStart=/bin/sh -c 'echo run >> /tmp/crash.log; echo crashing; exit 1'
Restart=always
RestartSec=100ms
EOF2
        # file-name order would start a-second first: After= must delay it until z-first started,
        # which takes the second of its ExecStartPre=
        service a-second << 'EOF2'
[Unit]
After=z-first.service
[Service]
ExecStart=/bin/sh -c 'echo second >> /tmp/order; exec sleep 1000'
EOF2
        service z-first << 'EOF2'
[Service]
ExecStartPre=/bin/sh -c 'sleep 1; echo first-pre >> /tmp/order'
ExecStart=/bin/sh -c 'echo first >> /tmp/order; exec sleep 1000'
EOF2
        start_init --no-cron -- sleep 1000
        wait_for 15 st_is '[.services[] | select(.name == "crash") | .restarts >= 3] | .[0]' true
        wait_for 10 st_is '[.services[] | select(.name == "a-second") | .state] | .[0]' running
        # the status lists the services in start order
        [ "$(st '[.services[].name] | join(" ")')" = "crash z-first a-second" ]
        run cat "$ROOT/tmp/order"
        [ "${lines[0]}" = first-pre ]
        [[ "$output" == *second* ]]
        [ "$(grep -c run "$ROOT/tmp/crash.log")" -ge 4 ]
        grep -q "^\[crash\] crashing$" "$ROOT/.out"
        grep -q "service crash exited with code 1; restarting in 200 ms" "$ROOT/.out"
        grep -q "service crash exited with code 1; restarting in 400 ms" "$ROOT/.out"
        st_is '[.services[] | select(.name == "crash") | .lastExitCode] | .[0]' 1
        kill -TERM "$(init_pid)"
        wait_init
        [ "$rc" -eq 143 ]
}

@test "pouch-init: a malformed unit fails alone; Requires= on it fails its dependent" {
        service bad << 'EOF2'
[Service]
Restart sometimes
ExecStart=/bin/true
EOF2
        service needs-bad << 'EOF2'
[Unit]
Requires=bad
[Service]
ExecStart=/bin/sleep 1000
EOF2
        service fine << 'EOF2'
[Service]
ExecStart=/bin/sleep 1000
EOF2
        start_init --no-cron -- sleep 1000
        wait_for 10 st_is '[.services[] | select(.name == "fine") | .state] | .[0]' running
        st_is '[.services[] | select(.name == "bad") | .state] | .[0]' failed
        st_is '[.services[] | select(.name == "bad") | .error] | .[0]' \
                "bad.service:2: missing '=' in 'Restart sometimes'"
        st_is '[.services[] | select(.name == "needs-bad") | .state] | .[0]' failed
        st_is '[.services[] | select(.name == "needs-bad") | .error] | .[0]' "required service bad failed to start"
        st_is .main.running true
        kill -TERM "$(init_pid)"
        wait_init
        [ "$rc" -eq 143 ]
}

@test "pouch-init: a failing initscript: phase failed, its output in status.json, its exit code" {
        printf 'echo "setting up"\necho "oops: no database" >&2\nexit 7\n' > "$ROOT/init.sh"
        run_init --no-cron --initscript /init.sh -- sh -c 'echo main ran > /tmp/main-ran'
        [ "$status" -eq 7 ]
        [[ "$output" == *"setting up"* ]]
        [[ "$output" == *"pouch-init: initscript /init.sh failed with exit code 7"* ]]
        st_is .phase failed
        st_is .initscript.path /init.sh
        st_is .initscript.exitCode 7
        [ "$(st .initscript.output)" = "$(printf 'setting up\noops: no database')" ]
        [ ! -e "$ROOT/tmp/main-ran" ]
        # killed by a signal: 128 + the signal
        printf 'kill -9 $$\n' > "$ROOT/init.sh"
        run_init --no-cron --initscript /init.sh -- true
        [ "$status" -eq 137 ]
        st_is .initscript.exitCode 137
}

@test "pouch-init: a successful initscript runs before the services and the main process" {
        cat > "$ROOT/init.sh" << 'EOF2'
#!/bin/sh
echo ready > /tmp/init-done
echo "initscript output"
EOF2
        chmod 755 "$ROOT/init.sh"
        service early << 'EOF2'
[Service]
ExecStart=/bin/sh -c 'cat /tmp/init-done > /tmp/service-saw; exec sleep 1000'
EOF2
        run_init --no-cron --initscript /init.sh -- sh -c 'cat /tmp/init-done; sleep 0.3'
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "initscript output" ]
        [[ "$output" == *ready* ]]
        [ "$(cat "$ROOT/tmp/service-saw")" = ready ]
        st_is .initscript.exitCode 0
        st_is .initscript.output "initscript output"
        st_is .phase exited
}

@test "pouch-init: the environment round-trips through /etc/profile.d/pouchenv.sh and /etc/environment" {
        local tricky="a b 'single' \"double\" =x= \$HOME \\back"
        # the environment is what pouch-init itself received: pass it through unshare and chroot
        run env TRICKY="$tricky" MULTI="$(printf 'l1\nl2')" POUCH_INIT_SECRET=hidden \
                unshare --pid --fork --mount --mount-proc="$ROOT/proc" \
                sh -c 'mount --bind /dev/null "$0/dev/null" && exec chroot "$0" /run/pouch-init/pouch-init --no-cron -- env -i sh -c ". /etc/profile.d/pouchenv.sh; printf \"[%s]\" \"\$TRICKY\"; printf \"{%s}\" \"\$MULTI\"; printf \"<%s>\" \"\$POUCH_INIT_SECRET\""' "$ROOT"
        [ "$status" -eq 0 ]
        [ "$output" = "[$tricky]{$(printf 'l1\nl2')}<>" ]
        grep -q "^TRICKY=\"a b 'single' \"double\" =x= \$HOME \\\\back\"$" "$ROOT/etc/environment"
        run ! grep -q "^MULTI=" "$ROOT/etc/environment"
        run ! grep -q POUCH_INIT_ "$ROOT/etc/environment" "$ROOT/etc/profile.d/pouchenv.sh"
}

@test "pouch-init: busybox crond is started as the cron service" {
        mkdir -p "$ROOT/usr/sbin" "$ROOT/var/spool/cron/crontabs"
        ln -s /bin/busybox "$ROOT/usr/sbin/crond"
        start_init -- sleep 1000
        wait_for 10 st_is '.services[0].state' running
        st_is '.services[0].name' cron
        local pid
        pid="$(st '.services[0].pid')"
        sleep 1
        # still the same process, not a restart loop
        st_is '.services[0].pid' "$pid"
        st_is '.services[0].restarts' 0
        [ "$(tr '\0' ' ' < "/proc/$(init_pid)/task/$(init_pid)/children" | wc -w)" -ge 2 ]
        run pgrep -f -x "/usr/sbin/crond -f"
        [ "$status" -eq 0 ]
        kill -TERM "$(init_pid)"
        wait_init
        [ "$rc" -eq 143 ]
        st_is '.services[0].state' stopped
}

@test "pouch-init: --keep-running, and no command, keep the services up after the main process" {
        service keeper << 'EOF2'
[Service]
ExecStart=/bin/sleep 1000
EOF2
        start_init --no-cron --keep-running -- sh -c 'exit 5'
        wait_for 10 st_is .main.exitCode 5
        sleep 0.5
        st_is .main.running false
        st_is .phase running
        st_is '.services[0].state' running
        kill -0 "$(init_pid)"
        grep -q "the services keep running (--keep-running)" "$ROOT/.out"
        kill -TERM "$(init_pid)"
        wait_init
        [ "$rc" -eq 5 ]
        st_is '.services[0].state' stopped

        # no command at all: VM-like, until SIGTERM, exit 0
        start_init --no-cron
        wait_for 10 st_is '.services[0].state' running
        st_is .main null
        st_is .phase running
        kill -TERM "$(init_pid)"
        wait_init
        [ "$rc" -eq 0 ]
        st_is .phase exited
}

@test "pouch-init: --exec runs the initscript, then the command in its place" {
        printf 'echo prepared > /tmp/prepared\n' > "$ROOT/init.sh"
        run_init --initscript /init.sh --exec -- sh -c 'cat /tmp/prepared; echo "pid1=$(cat /proc/1/comm)"'
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = prepared ]
        # PID 1 is now the command (sh), not pouch-init
        [ "${lines[1]}" = pid1=sh ]
        st_is .phase running
        st_is .initscript.exitCode 0
}

@test "pouch-init: SIGHUP, SIGUSR1, SIGUSR2, SIGWINCH, SIGQUIT are forwarded to the main process" {
        cat > "$ROOT/traps.sh" << 'EOF2'
for s in HUP USR1 USR2 WINCH QUIT; do trap "echo got-$s >> /tmp/got" $s; done
trap 'echo got-TERM >> /tmp/got; exit 0' TERM
echo ready > /tmp/ready
while :; do sleep 0.1; done
EOF2
        start_init --no-cron -- sh /traps.sh
        wait_for 10 test -e "$ROOT/tmp/ready"
        local s
        for s in HUP USR1 USR2 WINCH QUIT; do
                kill -"$s" "$(init_pid)"
                wait_for 5 grep -q "got-$s" "$ROOT/tmp/got"
        done
        # pouch-init itself did not stop on any of them
        st_is .phase running
        kill -TERM "$(init_pid)"
        wait_init
        # the main process's own exit code: its TERM trap exits 0
        [ "$rc" -eq 0 ]
        grep -q got-TERM "$ROOT/tmp/got"
}

@test "pouch-init: on a terminal the main process gets it as its foreground process group" {
        command -v script > /dev/null || skip "script (util-linux) is not installed"
        cat > "$ROOT/ttycheck.sh" << 'EOF2'
read pid comm state ppid pgrp sid tty tpgid rest < /proc/$$/stat
echo "fg=$([ "$pgrp" = "$tpgid" ] && echo yes || echo no) own-session=$([ "$sid" = "$pid" ] && echo yes || echo no)"
test -t 0 && echo stdin-tty
EOF2
        local ns="unshare --pid --fork --mount --mount-proc=$ROOT/proc sh -c"
        local mnt='mount --bind /dev/null "$0/dev/null" &&'
        # pouch-init in a session it does not lead: a new process group, made the foreground one
        run script -qec "$ns '$mnt exec chroot \"\$0\" /run/pouch-init/pouch-init --no-cron -- sh /ttycheck.sh' $ROOT" /dev/null
        [ "$status" -eq 0 ]
        [[ "$output" == *"fg=yes own-session=no"* ]]
        [[ "$output" == *stdin-tty* ]]
        # pouch-init leads the session owning the terminal (PID 1 of a container with a tty): it
        # lets go of the terminal, and the main process's own session takes it
        run script -qec "$ns '$mnt exec setsid -c chroot \"\$0\" /run/pouch-init/pouch-init --no-cron -- sh /ttycheck.sh' $ROOT" /dev/null
        [ "$status" -eq 0 ]
        [[ "$output" == *"fg=yes own-session=yes"* ]]
        [[ "$output" == *stdin-tty* ]]
        # without a terminal: its own session all the same
        run_init --no-cron -- sh /ttycheck.sh
        [[ "$output" == *"own-session=yes"* ]]
        [[ "$output" != *stdin-tty* ]]
}

@test "pouch-init: Debian's sshd (host keys made by ssh-keygen -A) and cron as built-ins; the stop takes well under a second" {
        local deb="$BATS_FILE_TMPDIR/debian-rich.tar"
        if [ ! -s "$deb" ] && ! "$REPO/tests/images/build-debian-rich.sh" "$deb" > /dev/null 2>&1; then
                skip "the Debian rich rootfs could not be built (mmdebstrap needs Debian's archive)"
        fi
        rm -rf "$ROOT"
        ROOT="$(mktemp -d /tmp/pouch-init-it.XXXXXX)"
        STATUS="$ROOT/run/pouch-init/status.json"
        tar -xf "$deb" -C "$ROOT"
        mkdir -p "$ROOT/run/pouch-init" "$ROOT/dev" "$ROOT/proc"
        : > "$ROOT/dev/null"
        cp "$INIT_BIN" "$ROOT/run/pouch-init/pouch-init"
        run ! ls "$ROOT"/etc/ssh/ssh_host_*_key
        # its own network namespace too: sshd listens on port 22
        unshare --pid --fork --mount --net --mount-proc="$ROOT/proc" \
                sh -c 'mount --bind /dev/null "$0/dev/null" && exec chroot "$0" /run/pouch-init/pouch-init "$@"' \
                "$ROOT" --stop-timeout 10 --rich-services none -- sleep 1000 > "$ROOT/.out" 2>&1 3>&- &
        UPID=$!
        wait_for 10 init_pid > /dev/null
        wait_for 30 st_is '[.services[] | select(.name == "sshd") | .state] | .[0]' running
        wait_for 10 st_is '[.services[] | select(.name == "cron") | .state] | .[0]' running
        wait_for 10 st_is .main.running true
        ls "$ROOT"/etc/ssh/ssh_host_*_key
        [ -d "$ROOT/run/sshd" ]
        grep -q '^export PATH=' "$ROOT/etc/profile.d/pouchenv.sh"
        grep -q '^PATH="' "$ROOT/etc/environment"
        # sshd really listens, and is not restarting
        wait_for 10 grep -q "Server listening on" "$ROOT/.out"
        grep -q '^\[sshd\] Server listening on' "$ROOT/.out"
        sleep 0.5
        st_is '[.services[] | select(.name == "sshd") | .restarts] | .[0]' 0
        local t0 t1
        t0="$(ms_now)"
        kill -TERM "$(init_pid)"
        wait_init
        t1="$(ms_now)"
        echo "stopped in $((t1 - t0)) ms" >&3
        [ "$rc" -eq 143 ]
        [ $((t1 - t0)) -lt 1000 ]
        st_is '[.services[] | select(.name == "sshd") | .state] | .[0]' stopped
        st_is '[.services[] | select(.name == "cron") | .state] | .[0]' stopped
}
