#!/usr/bin/env bats
# Rich containers with the image's own init: systemd, sbin-init (which is systemd in Debian) and
# dumb-init modes on a Debian rootfs built in the tests (mmdebstrap, cached); flag validation.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
        pouchd_setup_file
        import_debian_rich
}
teardown_file() { pouchd_teardown_file; }
teardown() { dump_log_on_failure; }

system_state() { pouch exec "$1" systemctl is-system-running 2> /dev/null; }
system_up() {
        local s
        s="$(system_state "$1")"
        [ "$s" = running ] || [ "$s" = degraded ]
}
# logs_have CONTAINER TEXT: the container's log (its console) holds TEXT
logs_have() { pouch logs "$1" 2>&1 | grep -qF -- "$2"; }

@test "rich flags are validated: unknown mode, initscript without --rich or relative" {
        run pouch run --rm --rich --rich-mode upstart busybox true
        [ "$status" -ne 0 ]
        [[ "$output" == *"invalid rich mode 'upstart'"* ]]
        run pouch run --rm --initscript /x.sh busybox true
        [ "$status" -ne 0 ]
        [[ "$output" == *"--initscript can only be used together with --rich"* ]]
        run pouch run --rm --rich --initscript x.sh busybox true
        [ "$status" -ne 0 ]
        [[ "$output" == *"absolute path"* ]]
        # the API says the same to docker clients
        code="$(api_code POST /containers/create -H 'Content-Type: application/json' \
                -d '{"Image":"busybox","HostConfig":{"Rich":true,"RichMode":"nope"}}')"
        [ "$code" = 400 ]
}

@test "systemd mode: reaches running with ssh and cron active, runs the command as a unit, stops cleanly" {
        pouch run -d --name sd --rich --rich-mode systemd debian-rich sh -c 'echo unit-ran > /tmp/unit-ran; sleep 1000'
        wait_for 60 system_up sd
        [ "$(pouch exec sd systemctl is-active ssh)" = active ]
        [ "$(pouch exec sd systemctl is-active cron)" = active ]
        [ "$(pouch exec sd systemctl is-active pouch-command)" = active ]
        [ "$(pouch exec sd cat /tmp/unit-ran)" = unit-ran ]
        # what a real init needs, without --privileged
        [ "$(pouch exec sd cat /proc/1/environ | tr '\0' '\n' | grep '^container=')" = container=pouch ]
        pouch exec sd sh -c 'grep -q " /run tmpfs" /proc/mounts && grep -q " /tmp tmpfs" /proc/mounts'
        [ "$(pouch exec sd cat /etc/machine-id | wc -c)" = 33 ]
        [ "$(pouch inspect -f '{{.Config.StopSignal}} {{.Rich.Mode}}' sd)" = "SIGRTMIN+3 systemd" ]
        run pouch ps
        [[ "$output" == *"(rich: systemd)"* ]]
        start=$(date +%s%N)
        pouch stop sd
        ms=$((($(date +%s%N) - start) / 1000000))
        echo "# systemd stop took ${ms} ms" >&3
        [ "$ms" -lt 10000 ]
        [ "$(state_of sd)" = exited ]
        pouch rm sd
}

@test "sbin-init mode on a systemd image behaves as systemd mode; the init alone when no command" {
        pouch run -d --name si --rich --rich-mode sbin-init debian-rich
        wait_for 60 system_up si
        [ "$(pouch exec si cat /proc/1/comm)" = systemd ]
        run pouch exec si systemctl is-active pouch-command
        [ "$output" != active ]
        [ "$(pouch inspect -f '{{.Config.StopSignal}}' si)" = "SIGRTMIN+3" ]
        pouch stop si
        [ "$(state_of si)" = exited ]
        pouch rm si
}

@test "systemd mode: pouch logs shows the boot status and the journal on the container's console" {
        pouch run -d --name con --rich --rich-mode systemd debian-rich
        wait_for 60 system_up con
        # systemd's status lines, its own log and a service's journal messages (sshd logs to syslog)
        wait_for 10 logs_have con "Reached target multi-user.target"
        run pouch logs con
        [[ "$output" == *"Welcome to Debian GNU/Linux 12"* ]]
        [[ "$output" == *"[  OK  ] Started ssh.service"* ]]
        [[ "$output" == *"sshd["*"]: Server listening on"* ]]
        # plain text: no colour escapes in the log
        [[ "$output" != *$'\e['* ]]
        # what a program logs to the journal later reaches the log too
        pouch exec con logger -t pouch-test hello-console
        wait_for 10 logs_have con "pouch-test["
        run pouch logs con
        [[ "$output" == *"pouch-test["*"]: hello-console"* ]]
        # the console is a terminal, open for the container's life
        [ "$(pouch inspect -f '{{.Config.Tty}}' con)" = true ]
        [ "$(pouch exec con systemctl is-active console-getty)" = active ]
        # and after a restart
        pouch restart con
        wait_for 60 system_up con
        [ "$(pouch logs con 2>&1 | grep -c 'Welcome to Debian GNU/Linux 12')" = 2 ]
        pouch rm -f con
}

@test "systemd mode in the foreground: pouch run prints the console" {
        pouch run --name fg --rich --rich-mode systemd debian-rich > "$PT/fg.out" 2>&1 &
        local cli=$!
        wait_for 60 system_up fg
        wait_for 10 grep -qF "Reached target multi-user.target" "$PT/fg.out"
        # the terminal's raw stream, not read as docker frames (which would eat its first 8 bytes)
        run head -n 1 "$PT/fg.out"
        [[ "$output" == "systemd "[0-9]*" running in system mode"* ]]
        pouch stop fg
        # the client returns once the container stopped
        wait_for 10 sh -c "! kill -0 $cli"
        pouch rm fg
}

@test "sbin-init mode on systemd: the console as in systemd mode" {
        pouch run -d --name sicon --rich --rich-mode sbin-init debian-rich
        wait_for 60 system_up sicon
        wait_for 10 logs_have sicon "Reached target multi-user.target"
        [ "$(pouch inspect -f '{{.Config.Tty}}' sicon)" = true ]
        pouch rm -f sicon
}

@test "sbin-init mode: an image without /sbin/init is a clear error" {
        run pouch run --rm --rich --rich-mode sbin-init busybox true
        [ "$status" -ne 0 ]
        [[ "$output" == *"no /sbin/init"* ]]
}

@test "dumb-init mode: the host's dumb-init runs the command as PID 1 in a glibc image, not in busybox" {
        command -v dumb-init > /dev/null || skip "dumb-init is not installed (apt-get install dumb-init)"
        pouch run -d --name di --rich --rich-mode dumb-init debian-rich sleep 1000
        [ "$(pouch exec di cat /proc/1/cmdline | tr '\0' ' ')" = "/run/pouch-init/dumb-init -- sleep 1000 " ]
        pouch stop di
        [ "$(pouch inspect -f '{{.State.ExitCode}}' di)" = 143 ]
        pouch rm di
        run pouch run --rm --rich --rich-mode dumb-init busybox true
        [ "$status" -ne 0 ]
        [[ "$output" == *"needs glibc"* ]]
}
