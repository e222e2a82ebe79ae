#!/usr/bin/env bats
# Rich containers in pouch-init mode, through pouchd, on the Debian rich image (mmdebstrap,
# cached; tests/images/build-debian-rich.sh): one VM-like container started in setup_file with an
# SSH key (authorized_keys bind-mounted), an initscript (which also installs a cron job), two
# services.d units (one requiring the other) and a -e variable full of quotes, spaces and `=`.
# SSH goes to the container's own network namespace (nsenter) and to the port published with `-p`.

bats_require_minimum_version 1.5.0
load helpers

# the -e value: spaces, both quotes, `=`, `$`, a backslash
FOO_VALUE="a b \"double\" 'single' k=v=w \$HOME back\\slash"

setup_file() {
        pouchd_setup_file
        import_debian_rich
        if ! command -v ssh > /dev/null || ! command -v ssh-keygen > /dev/null; then
                echo "ssh and ssh-keygen are needed (apt-get install openssh-client)" >&2
                return 1
        fi

        mkdir -p "$PT/ssh" "$PT/services.d"
        ssh-keygen -q -t ed25519 -N '' -C pouch-test -f "$PT/ssh/key"
        install -m 0600 "$PT/ssh/key.pub" "$PT/ssh/authorized_keys"

        # the initscript: a side effect per run, a cron job (every minute; `%` is special in crontabs)
        cat > "$PT/init.sh" << 'EOF'
#!/bin/sh
set -e
echo "initscript ran" >> /var/tmp/initscript-ran
echo '* * * * * root printenv FOO > /var/tmp/cron-ran' > /etc/cron.d/pouchtest
echo "initscript: cron job installed"
EOF
        printf '#!/bin/sh\necho "database unreachable at db:5432" >&2\nexit 3\n' > "$PT/fail.sh"
        chmod 0755 "$PT/init.sh" "$PT/fail.sh"

        # app needs zdb (listed after it by name, so only the ordering puts zdb first); zdb takes
        # 300 ms in ExecStartPre= before its marker exists
        cat > "$PT/services.d/zdb.service" << 'EOF'
[Unit]
Description=the database the app needs
[Service]
ExecStartPre=/bin/sh -c "sleep 0.3; mkdir -p /var/tmp/order; if [ -e /var/tmp/initscript-ran ]; then touch /var/tmp/order/init-first; fi; touch /var/tmp/order/zdb"
ExecStart=/bin/sleep infinity
Restart=always
EOF
        cat > "$PT/services.d/app.service" << 'EOF'
[Unit]
Description=the application
After=zdb.service
Requires=zdb
[Service]
Environment="GREETING=hello world"
ExecStartPre=/bin/sh -c "printenv FOO > /var/tmp/app-env"
ExecStart=/bin/sh -c "if [ -e /var/tmp/order/zdb ]; then echo after-zdb; else echo before-zdb; fi >> /var/tmp/order/app; echo app up: $GREETING; exec sleep infinity"
Restart=on-failure
RestartSec=200ms
EOF

        # a free host port for -p
        SSH_PORT=""
        for p in $(shuf -i 20000-40000 -n 20); do
                ss -Hltn "sport = :$p" 2> /dev/null | grep -q . || { SSH_PORT=$p; break; }
        done
        export SSH_PORT
        RICH_STARTED_AT=$(date +%s)
        export RICH_STARTED_AT
        pouch run -d --name rich --rich --initscript /etc/pouch/init.sh -e "FOO=$FOO_VALUE" \
                ${SSH_PORT:+-p "127.0.0.1:$SSH_PORT:22"} \
                -v "$PT/ssh/authorized_keys:/root/.ssh/authorized_keys:ro" \
                -v "$PT/init.sh:/etc/pouch/init.sh:ro" \
                -v "$PT/services.d:/etc/pouch/services.d:ro" \
                debian-rich > /dev/null
}
teardown_file() { pouchd_teardown_file; }
teardown() {
        [ "${BATS_TEST_COMPLETED:-}" = 1 ] && return 0
        echo "---- pouch-init status: $(pouch inspect -f '{{json .Rich}}' rich 2> /dev/null)"
        echo "---- last 40 lines of the rich container's log ----"
        pouch logs --tail 40 rich 2>&1 || true
        dump_log_on_failure
}

rich_pid() { pouch inspect -f '{{.State.Pid}}' rich; }
SSH_OPTS=(-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o IdentitiesOnly=yes
        -o ConnectTimeout=5 -o LogLevel=ERROR)
# ssh_in CMD...: ssh as root into the container through its network namespace
ssh_in() {
        local pid
        pid="$(rich_pid)" && [ "$pid" -gt 0 ] || return 1
        timeout 30 nsenter -t "$pid" -n ssh "${SSH_OPTS[@]}" -i "$PT/ssh/key" -p 22 root@127.0.0.1 "$@"
}
# a TCP connect to the container's port 22 succeeds
sshd_accepts() {
        local pid
        pid="$(rich_pid)" && [ "$pid" -gt 0 ] || return 1
        nsenter -t "$pid" -n bash -c 'exec 3<> /dev/tcp/127.0.0.1/22' 2> /dev/null
}
# svc NAME JQ: a field of a service in pouch-init's status, as `pouch inspect` shows it
svc() {
        pouch inspect -f '{{json .Rich.Status}}' rich | jq -r --arg n "$1" ".services[] | select(.name == \$n) | $2"
}
svc_running() { [ "$(svc "$1" .state)" = running ]; }
svc_restarted() { [ "$(svc "$1" .state)" = running ] && [ "$(svc "$1" .restarts)" -ge "$2" ] && [ "$(svc "$1" .pid)" != "$3" ]; }
ms_now() { echo $(($(date +%s%N) / 1000000)); }
# ssh-host-keys made the container's RSA and ECDSA keys and reloaded sshd (which closes and reopens
# its listening socket: a connection in that instant is refused), or there was nothing to make
host_keys_done() { [ "$(svc ssh-host-keys .state)" != running ] && [ "$(svc ssh-host-keys .state)" != waiting ]; }

@test "pouch-init mode: SSH in with a key; PID 1 is pouch-init" {
        t0=$(ms_now)
        wait_for 30 sshd_accepts
        echo "# sshd accepted a connection $(($(ms_now) - t0)) ms after the first test began" >&3
        wait_for 30 host_keys_done
        wait_for 20 ssh_in true
        [ "$(ssh_in cat /proc/1/comm)" = pouch-init ]
        run ssh_in 'tr "\0" " " < /proc/1/cmdline'
        [[ "$output" == "/run/pouch-init/pouch-init "* ]]
        # the container's stop timeout (docker's default, 10 s) is pouch-init's
        [[ "$output" == *" --stop-timeout 10 "* ]]
        [ "$(ssh_in id -u)" = 0 ]
        [ "$(pouch inspect -f '{{.Rich.Mode}}' rich)" = pouch-init ]
        run pouch ps
        [[ "$output" == *"(rich: pouch-init)"* ]]
}

@test "pouch-init mode: SSH on the published port" {
        [ -n "$SSH_PORT" ] || skip "no free host port found"
        ports="$(pouch inspect -f '{{json .NetworkSettings.Ports}}' rich)"
        [ "$(jq -r --arg p "$SSH_PORT" '."22/tcp" // [] | map(select(.HostPort == $p)) | length' <<< "$ports")" -gt 0 ]
        wait_for 20 timeout 30 ssh "${SSH_OPTS[@]}" -i "$PT/ssh/key" -p "$SSH_PORT" root@127.0.0.1 true
        [ "$(timeout 30 ssh "${SSH_OPTS[@]}" -i "$PT/ssh/key" -p "$SSH_PORT" root@127.0.0.1 cat /proc/1/comm)" = pouch-init ]
}

@test "pouch-init mode: the initscript ran before the services, its output in the log and status" {
        [ "$(pouch exec rich cat /var/tmp/initscript-ran)" = "initscript ran" ]
        pouch exec rich test -s /etc/cron.d/pouchtest
        # zdb's ExecStartPre= saw the initscript's file
        wait_for 20 svc_running zdb
        pouch exec rich test -e /var/tmp/order/init-first
        [ "$(pouch inspect -f '{{json .Rich.Status.initscript}}' rich | jq -r '.path, .exitCode')" = "/etc/pouch/init.sh
0" ]
        run pouch logs rich
        [[ "$output" == *"initscript: cron job installed"* ]]
}

@test "pouch-init mode: a failing initscript fails pouch run and pouch start with its message" {
        run pouch run -d --name badinit --rich --initscript /fail.sh -v "$PT/fail.sh:/fail.sh:ro" debian-rich
        [ "$status" -ne 0 ]
        [[ "$output" == *"initscript /fail.sh failed with exit code 3"* ]]
        [[ "$output" == *"database unreachable at db:5432"* ]]
        wait_for 10 state_is badinit exited
        [ "$(pouch inspect -f '{{.State.ExitCode}}' badinit)" = 3 ]
        [[ "$(pouch inspect -f '{{.State.Error}}' badinit)" == *"database unreachable"* ]]
        # it runs again, and fails again, at the next start
        run pouch start badinit
        [ "$status" -ne 0 ]
        [[ "$output" == *"database unreachable at db:5432"* ]]
        pouch rm -f badinit
}

@test "pouch-init mode: the command is the main process; its exit code is the container's" {
        run pouch run --rm --rich --stop-timeout 30 debian-rich sh -c 'tr "\0" " " < /proc/1/cmdline; echo; echo "main pid $$"; exit 3'
        [ "$status" -eq 3 ]
        [[ "$output" == *"/run/pouch-init/pouch-init --stop-timeout 30 -- sh -c"* ]]
        [[ "$output" == *"main pid "* ]]
        [[ "$output" != *"main pid 1"$'\n'* ]]
}

@test "pouch-init mode: an SSH login shell, pouch exec and a service see a -e value with spaces, quotes and =" {
        wait_for 20 ssh_in true
        # a login shell (bash -l reads /etc/profile, then /etc/profile.d/pouchenv.sh)
        # shellcheck disable=SC2016 # expanded in the container
        run ssh_in 'bash -l' <<< 'printf "[%s]" "$FOO"'
        [ "$status" -eq 0 ]
        [ "$output" = "[$FOO_VALUE]" ]
        # the same from a login shell that starts with an empty environment (no pam_env)
        # shellcheck disable=SC2016
        run ssh_in 'env -i bash -l' <<< 'printf "[%s]" "$FOO"'
        [ "$output" = "[$FOO_VALUE]" ]
        # an SSH command (pam_env reads /etc/environment)
        # shellcheck disable=SC2016
        run ssh_in 'printf "[%s]" "$FOO"'
        [ "$output" = "[$FOO_VALUE]" ]
        [ "$(pouch exec rich printenv FOO)" = "$FOO_VALUE" ]
        wait_for 20 svc_running app
        [ "$(pouch exec rich cat /var/tmp/app-env)" = "$FOO_VALUE" ]
}

@test "pouch-init mode: pouch exec works (output, exit code, stdin)" {
        [ "$(pouch exec rich cat /etc/debian_version | cut -c1-2)" = 12 ]
        run pouch exec rich sh -c 'exit 7'
        [ "$status" -eq 7 ]
        [ "$(echo piped | pouch exec -i rich cat)" = piped ]
        run pouch exec rich ps -o comm= -p 1
        [ "$output" = pouch-init ]
}

@test "pouch-init mode: pouch inspect shows the services' state, pid and restarts" {
        wait_for 20 svc_running app
        st="$(pouch inspect -f '{{json .Rich.Status}}' rich)"
        [ "$(jq -r .phase <<< "$st")" = running ]
        [ "$(jq -r .pid <<< "$st")" = 1 ]
        # the image's enabled units (Debian's cron.service and ssh.service replace the built-ins),
        # then services.d in dependency order; the image's units that cannot run are listed skipped;
        # ssh-host-keys makes the container's RSA and ECDSA keys after ssh started
        [ "$(jq -r '[.services[] | select(.state != "skipped" and .name != "ssh-host-keys") | .name] | join(" ")' <<< "$st")" = "cron ssh zdb app" ]
        [ "$(jq -r '[.services[] | select(.name == "ssh-host-keys" and .source == "builtin")] | length' <<< "$st")" = 1 ]
        [ "$(jq -r '[.services[] | select(.state == "running" and .pid > 1 and .name != "ssh-host-keys")] | length' <<< "$st")" = 4 ]
        [ "$(jq -r '[.services[].restarts] | add' <<< "$st")" -ge 0 ]
        # the pid shown is the service's process in the container
        sshd="$(jq -r '.services[] | select(.name == "ssh") | .pid' <<< "$st")"
        [ "$(pouch exec rich ps -o comm= -p "$sshd")" = sshd ]
}

@test "pouch-init mode: a services.d service starts after its dependency; its output is prefixed in the log" {
        wait_for 20 svc_running app
        [ "$(pouch exec rich head -n 1 /var/tmp/order/app)" = after-zdb ]
        run pouch logs rich
        [[ "$output" == *"[app] app up: hello world"* ]]
}

@test "pouch-init mode: a crashed services.d service is restarted" {
        wait_for 20 svc_running app
        old="$(svc app .pid)"
        restarts="$(svc app .restarts)"
        pouch exec rich kill -KILL "$old"
        wait_for 10 svc_restarted app $((restarts + 1)) "$old"
        [ "$(pouch exec rich ps -o args= -p "$(svc app .pid)")" = "sleep infinity" ]
        run pouch logs rich
        [[ "$output" == *"service app exited"* ]]
}

@test "pouch-init mode: sshd killed with SIGKILL is back within seconds" {
        wait_for 20 svc_running ssh
        old="$(svc ssh .pid)"
        restarts="$(svc ssh .restarts)"
        t0=$(ms_now)
        pouch exec rich kill -KILL "$old"
        wait_for 5 svc_restarted ssh $((restarts + 1)) "$old"
        wait_for 5 sshd_accepts
        echo "# sshd accepted connections again $(($(ms_now) - t0)) ms after SIGKILL" >&3
        [ "$(ssh_in cat /proc/1/comm)" = pouch-init ]
}

orphan_gone() { ! pouch exec rich ps -o stat= -p "$1" > /dev/null; }
@test "pouch-init mode: orphans are reparented to pouch-init and reaped (no zombie after 2 s)" {
        # the shell exits at once; its background sleeps become orphans of PID 1
        pids="$(pouch exec rich sh -c 'for i in 1 2 3; do sleep 1 > /dev/null 2>&1 & echo $!; done')"
        [ "$(wc -w <<< "$pids")" = 3 ]
        for p in $pids; do
                [ "$(pouch exec rich ps -o ppid= -p "$p" | tr -d ' ')" = 1 ]
        done
        # the sleeps end after 1 s: 2 s later none of them may be left, not even as a zombie
        sleep 1
        for p in $pids; do
                wait_for 2 orphan_gone "$p"
        done
        [ "$(pouch exec rich ps -eo stat= | grep -c '^Z')" = 0 ]
}

cron_ran() { pouch exec rich test -s /var/tmp/cron-ran; }
@test "pouch-init mode: a * * * * * cron job runs within ~70 s and sees the -e variable" {
        # counted from the container's start in setup_file
        left=$((RICH_STARTED_AT + 75 - $(date +%s)))
        [ "$left" -gt 5 ] || left=5
        wait_for "$left" cron_ran
        echo "# the cron job ran $(($(date +%s) - RICH_STARTED_AT)) s after the container started" >&3
        [ "$(pouch exec rich cat /var/tmp/cron-ran)" = "$FOO_VALUE" ]
}

@test "pouch-init mode: pouch stop finishes well under its timeout; the next start runs the initscript again, keeps the host keys" {
        t0=$(ms_now)
        pouch stop -t 10 rich
        ms=$(($(ms_now) - t0))
        echo "# pouch stop took ${ms} ms" >&3
        [ "$ms" -lt 3000 ]
        [ "$(state_of rich)" = exited ]
        [ "$(pouch inspect -f '{{.State.ExitCode}}' rich)" = 0 ]
        pouch start rich
        [ "$(pouch exec rich grep -c 'initscript ran' /var/tmp/initscript-ran)" = 2 ]
        wait_for 20 ssh_in true
        wait_for 20 svc_running app
        # the host keys made at the first start are kept: ssh-keygen -A ran once
        [ "$(pouch logs rich | grep -c 'ssh-keygen: generating new host keys')" = 1 ]
        pouch rm -f rich
}
