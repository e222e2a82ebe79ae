#!/usr/bin/env bats
# Rich containers are VMs with an identity of their own: SSH host keys and /etc/machine-id made on
# the first start (never those the image was built with, never two containers alike, kept across
# restarts, a user's bind-mounted key kept), the hostname in /etc/hostname of the rootfs too;
# --initscript takes a command line; --rich brings lxcfs's CPU-quota view; --enable-lxcfs=false
# turns it off. The image is the Debian rich image (tests/images/build-debian-rich.sh) with SSH
# host keys and a machine-id baked in, as an image made from a VM has them.

bats_require_minimum_version 1.5.0
load helpers

SSH_OPTS=(-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o IdentitiesOnly=yes
        -o ConnectTimeout=5 -o LogLevel=ERROR)
BAKED_MID=0123456789abcdef0123456789abcdef

# the Debian rich image plus host keys and a machine-id, imported as debian-baked
import_debian_baked() {
        if ! "$IMAGES/build-debian-rich.sh" "$PT/deb.tar" > "$PT/build-debian.log" 2>&1; then
                cat "$PT/build-debian.log" >&3
                skip "the Debian rich image could not be built (mmdebstrap needs Debian's archive)"
        fi
        mkdir -p "$PT/stage/etc/ssh"
        local t
        for t in ed25519 rsa ecdsa; do
                ssh-keygen -q -t "$t" -N '' -C baked -f "$PT/stage/etc/ssh/ssh_host_${t}_key"
        done
        echo "$BAKED_MID" > "$PT/stage/etc/machine-id"
        tar -rf "$PT/deb.tar" -C "$PT/stage" ./etc/ssh/ssh_host_ed25519_key ./etc/ssh/ssh_host_ed25519_key.pub \
                ./etc/ssh/ssh_host_rsa_key ./etc/ssh/ssh_host_rsa_key.pub ./etc/ssh/ssh_host_ecdsa_key \
                ./etc/ssh/ssh_host_ecdsa_key.pub ./etc/machine-id
        pouch import "$PT/deb.tar" debian-baked:latest > /dev/null
        rm -f "$PT/deb.tar"
}

setup_file() {
        pouchd_setup_file
        if ! command -v ssh > /dev/null || ! command -v ssh-keyscan > /dev/null; then
                echo "ssh, ssh-keygen and ssh-keyscan are needed (apt-get install openssh-client)" >&2
                return 1
        fi
        import_debian_baked
        mkdir -p "$PT/ssh" "$PT/userkey"
        ssh-keygen -q -t ed25519 -N '' -C pouch-test -f "$PT/ssh/key"
        install -m 0600 "$PT/ssh/key.pub" "$PT/ssh/authorized_keys"
        ssh-keygen -q -t ed25519 -N '' -C user-host-key -f "$PT/userkey/ssh_host_ed25519_key"
        local n
        for n in vm1 vm2; do
                pouch run -d --name "$n" --hostname "$n-host" --rich \
                        -v "$PT/ssh/authorized_keys:/root/.ssh/authorized_keys:ro" debian-baked > /dev/null
        done
}
teardown_file() { pouchd_teardown_file; }
teardown() {
        [ "${BATS_TEST_COMPLETED:-}" = 1 ] && return 0
        local n
        for n in vm1 vm2 vm3; do
                echo "---- $n: $(pouch inspect -f '{{json .Rich}}' "$n" 2> /dev/null)"
                pouch logs --tail 20 "$n" 2>&1 || true
        done
        dump_log_on_failure
}

pid_of() { pouch inspect -f '{{.State.Pid}}' "$1"; }
# ssh_in NAME CMD...: ssh as root into the container through its network namespace
ssh_in() {
        local pid
        pid="$(pid_of "$1")" && [ "$pid" -gt 0 ] || return 1
        shift
        timeout 30 nsenter -t "$pid" -n ssh "${SSH_OPTS[@]}" -i "$PT/ssh/key" -p 22 root@127.0.0.1 "$@"
}
# scan NAME TYPE: the host key of that type sshd offers, as "TYPE BASE64"
scan() {
        local pid
        pid="$(pid_of "$1")" && [ "$pid" -gt 0 ] || return 1
        timeout 10 nsenter -t "$pid" -n ssh-keyscan -t "$2" -p 22 127.0.0.1 2> /dev/null | awk '{print $2, $3}' | grep .
}
# file_key NAME TYPE: the public host key file of that type, as "TYPE BASE64"
file_key() { pouch exec "$1" cat "/etc/ssh/ssh_host_$2_key.pub" | awk '{print $1, $2}'; }
baked_key() { awk '{print $1, $2}' "$PT/stage/etc/ssh/ssh_host_$1_key.pub"; }
# every key made and sshd serving the RSA one (ssh-host-keys ran and sshd reloaded)
keys_ready() {
        local k
        k="$(scan "$1" rsa)" && [ -n "$k" ] && [ "$k" = "$(file_key "$1" rsa)" ]
}

@test "each container has SSH host keys of its own; sshd answers with ed25519 and then all of them" {
        local n t
        for n in vm1 vm2; do
                wait_for 30 ssh_in "$n" true
                wait_for 30 keys_ready "$n"
                [ "$(ssh_in "$n" id -u)" = 0 ]
                for t in ed25519 rsa ecdsa; do
                        run -0 file_key "$n" "$t"
                        [ -n "$output" ]
                        [ "$output" != "$(baked_key "$t")" ]
                        # sshd serves the container's key, not the image's
                        [ "$(scan "$n" "$t")" = "$output" ]
                done
        done
        for t in ed25519 rsa ecdsa; do
                [ "$(file_key vm1 "$t")" != "$(file_key vm2 "$t")" ]
        done
        # the built-in service that made the RSA and ECDSA keys ran once and is done
        run -0 pouch inspect -f '{{json .Rich.Status}}' vm1
        [ "$(jq -r '.services[] | select(.name == "ssh-host-keys") | "\(.state) \(.lastExitCode)"' <<< "$output")" = "stopped 0" ]
        # sshd listened (with the ed25519 key) before the other keys were made; Debian's ssh.service
        # runs sshd without -e, so its "Server listening" comes through syslog (/dev/log)
        local listening reloaded
        listening="$(pouch logs vm2 2>&1 | grep -n -m1 -E 'sshd(\[[0-9]+\])?: Server listening|\[sshd?\] Server listening' | cut -d: -f1)"
        reloaded="$(pouch logs vm2 2>&1 | grep -n -m1 'SSH host keys generated; sshd reloaded' | cut -d: -f1)"
        [ -n "$listening" ]
        [ -n "$reloaded" ]
        [ "$listening" -lt "$reloaded" ]
        run -0 pouch inspect -f '{{json .Rich.Status}}' vm2
        # sshd (the image's ssh.service, which replaces the built-in) reloaded in place (SIGHUP once
        # it listens), it was not killed and restarted
        [ "$(jq -r '.services[] | select(.name == "ssh") | "\(.state) \(.restarts)"' <<< "$output")" = "running 0" ]
}

@test "each container has a machine-id of its own" {
        local a b
        a="$(pouch exec vm1 cat /etc/machine-id)"
        b="$(pouch exec vm2 cat /etc/machine-id)"
        [[ "$a" =~ ^[0-9a-f]{32}$ ]]
        [[ "$b" =~ ^[0-9a-f]{32}$ ]]
        [ "$a" != "$b" ]
        [ "$a" != "$BAKED_MID" ]
}

@test "host keys and machine-id survive a restart" {
        wait_for 30 keys_ready vm1
        local mid ed rsa ecdsa
        mid="$(pouch exec vm1 cat /etc/machine-id)"
        ed="$(file_key vm1 ed25519)"
        rsa="$(file_key vm1 rsa)"
        ecdsa="$(file_key vm1 ecdsa)"
        run -0 pouch restart vm1
        wait_for 30 ssh_in vm1 true
        [ "$(pouch exec vm1 cat /etc/machine-id)" = "$mid" ]
        [ "$(file_key vm1 ed25519)" = "$ed" ]
        [ "$(file_key vm1 rsa)" = "$rsa" ]
        [ "$(file_key vm1 ecdsa)" = "$ecdsa" ]
        [ "$(scan vm1 ed25519)" = "$ed" ]
        [ "$(scan vm1 rsa)" = "$rsa" ]
        # nothing left to make: no ssh-host-keys service this time
        run -0 pouch inspect -f '{{json .Rich.Status}}' vm1
        [ "$(jq '[.services[] | select(.name == "ssh-host-keys")] | length' <<< "$output")" = 0 ]
}

@test "a host key the user bind-mounts is kept, the image's others are replaced" {
        run -0 pouch run -d --name vm3 --rich -v "$PT/ssh/authorized_keys:/root/.ssh/authorized_keys:ro" \
                -v "$PT/userkey/ssh_host_ed25519_key:/etc/ssh/ssh_host_ed25519_key:ro" \
                -v "$PT/userkey/ssh_host_ed25519_key.pub:/etc/ssh/ssh_host_ed25519_key.pub:ro" debian-baked
        wait_for 30 ssh_in vm3 true
        wait_for 30 keys_ready vm3
        local user
        user="$(awk '{print $1, $2}' "$PT/userkey/ssh_host_ed25519_key.pub")"
        [ "$(scan vm3 ed25519)" = "$user" ]
        [ "$(file_key vm3 ed25519)" = "$user" ]
        [ "$(file_key vm3 rsa)" != "$(baked_key rsa)" ]
        run -0 pouch restart vm3
        wait_for 30 ssh_in vm3 true
        [ "$(scan vm3 ed25519)" = "$user" ]
        pouch rm -f vm3 > /dev/null
}

@test "dumb-init mode: no init makes keys inside, the daemon gives the container its own" {
        command -v dumb-init > /dev/null || skip "dumb-init is not installed (apt-get install dumb-init)"
        run -0 pouch run -d --name di1 --rich --rich-mode dumb-init --net none debian-baked sleep 1000
        run -0 pouch run -d --name di2 --rich --rich-mode dumb-init --net none debian-baked sleep 1000
        local t
        for t in ed25519 rsa ecdsa; do
                run -0 file_key di1 "$t"
                [[ "$output" == ssh-* || "$output" == ecdsa-* ]]
                [ "$output" != "$(baked_key "$t")" ]
                [ "$output" != "$(file_key di2 "$t")" ]
        done
        [ "$(pouch exec di1 stat -c %a /etc/ssh/ssh_host_rsa_key)" = 600 ]
        [ "$(pouch exec di1 cat /etc/machine-id)" != "$(pouch exec di2 cat /etc/machine-id)" ]
        pouch rm -f di1 di2 > /dev/null
}

ssh_active() { [ "$(pouch exec "$1" systemctl is-active ssh)" = active ]; }

@test "systemd mode: ssh.service makes the container's own keys, a machine-id of its own" {
        run -0 pouch run -d --name sd1 --rich --rich-mode systemd --net none debian-baked
        wait_for 60 ssh_active sd1
        local t
        for t in ed25519 rsa ecdsa; do
                run -0 file_key sd1 "$t"
                [ -n "$output" ]
                [ "$output" != "$(baked_key "$t")" ]
        done
        run -0 pouch exec sd1 cat /etc/machine-id
        [[ "$output" =~ ^[0-9a-f]{32}$ ]]
        [ "$output" != "$BAKED_MID" ]
        pouch rm -f sd1 > /dev/null
}

@test "the hostname is the container's in hostname, /etc/hostname and pouch cp" {
        local n
        for n in vm1 vm2; do
                [ "$(pouch exec "$n" hostname)" = "$n-host" ]
                [ "$(pouch exec "$n" cat /etc/hostname)" = "$n-host" ]
                run -0 bash -c "'$BIN/pouch' -H 'unix://$PSOCK' cp $n:/etc/hostname - | tar -xOf -"
                [ "$output" = "$n-host" ]
        done
        # without --hostname: the short id, everywhere
        run -0 pouch run -d --name hn --rich --net none busybox
        local short
        short="$(cid hn | cut -c1-12)"
        [ "$(pouch exec hn hostname)" = "$short" ]
        run -0 bash -c "'$BIN/pouch' -H 'unix://$PSOCK' cp hn:/etc/hostname - | tar -xOf -"
        [ "$output" = "$short" ]
        pouch rm -f hn > /dev/null
}

# initscript_ok NAME: pouch-init finished the initscript with exit code 0
initscript_ok() {
        [ "$(pouch inspect -f '{{json .Rich.Status}}' "$1" | jq -r .initscript.exitCode)" = 0 ]
}

@test "--initscript takes a command line" {
        run -0 pouch run -d --name is1 --rich --net none --initscript '/bin/sh -c "echo hi > /tmp/x"' busybox sleep 1000
        wait_for 10 initscript_ok is1
        [ "$(pouch exec is1 cat /tmp/x)" = hi ]
        # quotes and escapes as in ExecStart=
        run -0 pouch run -d --name is2 --rich --net none \
                --initscript "/bin/sh -c 'printf \"%s|\" \"\$@\" > /tmp/args' sh 'a b' \"c'd\" e\\ f" busybox sleep 1000
        wait_for 10 initscript_ok is2
        [ "$(pouch exec is2 cat /tmp/args)" = "a b|c'd|e f|" ]
        pouch rm -f is1 is2 > /dev/null
}

@test "--initscript with a plain path still works, executable or not" {
        printf 'echo "args:$*" > /tmp/plain\n' > "$PT/plain.sh"
        chmod 0644 "$PT/plain.sh"
        printf '#!/bin/sh\necho exec > /tmp/exec\n' > "$PT/exec.sh"
        chmod 0755 "$PT/exec.sh"
        run -0 pouch run -d --name is3 --rich --net none --initscript /etc/plain.sh \
                -v "$PT/plain.sh:/etc/plain.sh:ro" busybox sleep 1000
        run -0 pouch run -d --name is4 --rich --net none --initscript /etc/exec.sh \
                -v "$PT/exec.sh:/etc/exec.sh:ro" busybox sleep 1000
        # a command line whose first word is a script without the execute bit: /bin/sh runs it
        run -0 pouch run -d --name is5 --rich --net none --initscript '/etc/plain.sh start now' \
                -v "$PT/plain.sh:/etc/plain.sh:ro" busybox sleep 1000
        wait_for 10 initscript_ok is3
        wait_for 10 initscript_ok is4
        wait_for 10 initscript_ok is5
        [ "$(pouch exec is3 cat /tmp/plain)" = "args:" ]
        [ "$(pouch exec is4 cat /tmp/exec)" = exec ]
        [ "$(pouch exec is5 cat /tmp/plain)" = "args:start now" ]
        # a failing command line fails the start, with its output
        run pouch run -d --name is6 --rich --net none --initscript '/bin/sh -c "echo broken >&2; exit 3"' busybox sleep 1000
        [ "$status" -ne 0 ]
        [[ "$output" == *broken* ]]
        # a quoting error fails the start and says why
        run pouch run -d --name is7 --rich --net none --initscript "/bin/sh -c 'unterminated" busybox sleep 1000
        [ "$status" -ne 0 ]
        [[ "$output" == *"unterminated quote"* ]]
        # a relative command is refused at create
        run pouch create --rich --initscript 'setup.sh start' busybox
        [ "$status" -ne 0 ]
        [[ "$output" == *"absolute path"* ]]
        pouch rm -f is3 is4 is5 is6 is7 > /dev/null
}

lxcfs_running() { [ "$(api GET /info | jq -r .Lxcfs.Running)" = true ]; }

@test "--rich brings lxcfs with its CPU-quota view: /proc/cpuinfo and online CPUs follow --cpus" {
        [ "$(nproc --all)" -ge 2 ] || skip "needs a host with 2 CPUs or more"
        wait_for 10 lxcfs_running
        [ "$(api GET /info | jq -r .Lxcfs.CpuQuotaView)" = true ]
        run -0 pouch run -d --name cpu1 --rich --net none --cpus 1 busybox sleep 1000
        run -0 pouch inspect -f '{{json .LxcfsMounts}}' cpu1
        [[ "$output" == *'"/proc/cpuinfo"'* ]]
        [ "$(pouch exec cpu1 grep -c ^processor /proc/cpuinfo)" = 1 ]
        [ "$(pouch exec cpu1 cat /sys/devices/system/cpu/online)" = 0 ]
        pouch rm -f cpu1 > /dev/null
}

@test "nproc is 1 in a rich container with --cpus 1, as in a VM with one vCPU" {
        [ "$(nproc --all)" -ge 2 ] || skip "needs a host with 2 CPUs or more"
        run -0 pouch run -d --name cpu2 --rich --cpus 1 -v "$PT/ssh/authorized_keys:/root/.ssh/authorized_keys:ro" \
                debian-baked sleep 1000
        run -0 pouch exec cpu2 nproc
        [ "$output" = 1 ]
        # sessions started by the container's own init see it too
        wait_for 30 ssh_in cpu2 true
        [ "$(ssh_in cpu2 nproc)" = 1 ]
        pouch rm -f cpu2 > /dev/null
        # the user's cpuset wins; a plain container keeps Docker's behaviour (a quota, every CPU)
        run -0 pouch run --rm --rich --net none --cpus 1 --cpuset-cpus 0-1 busybox nproc
        [ "${lines[-1]}" = 2 ]
        run -0 pouch run --rm --net none --cpus 1 busybox nproc
        [ "$output" = 2 ]
}

@test "--rich --enable-lxcfs=false has no lxcfs views; a bad value is refused" {
        run -0 pouch run -d --name nolx --rich --net none --enable-lxcfs=false busybox sleep 1000
        [ "$(pouch inspect -f '{{json .HostConfig.EnableLxcfs}}' nolx)" = false ]
        run -0 pouch exec nolx cat /proc/self/mountinfo
        [[ "$output" != *lxcfs* ]]
        [ "$(pouch inspect -f '{{json .LxcfsMounts}}' nolx)" = null ]
        pouch rm -f nolx > /dev/null
        # and --enable-lxcfs=true is --enable-lxcfs
        run -0 pouch create --name yeslx --enable-lxcfs=true busybox true
        [ "$(pouch inspect -f '{{json .HostConfig.EnableLxcfs}}' yeslx)" = true ]
        pouch rm -f yeslx > /dev/null
        run pouch create --enable-lxcfs=maybe busybox true
        [ "$status" -ne 0 ]
        [[ "$output" == *"invalid --enable-lxcfs"* ]]
}
