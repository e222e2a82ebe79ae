#!/usr/bin/env bash
# Rich container start latency on the Debian rich image (tests/images/build-debian-rich.sh):
#   - `pouch run --rm IMAGE true` (a plain container of the same image), the baseline;
#   - pouch-init mode: from `pouch run -d --rich` to sshd accepting a TCP connection on port 22
#     of the container's network namespace (a connect() loop run there with nsenter), with the SSH
#     host keys already in the image (as in an image made from a VM) and, fewer runs, without them.
#     Either way a container's first start replaces them with its own (docs/pouch-init.md,
#     Identity): the ed25519 key is made before sshd starts, the others after it answers;
#     In the same runs (host keys in the image): from `pouch run -d --rich` to every enabled service
#     of the image settled in pouch-init's status (`.Rich.Status`: each service running, skipped, or
#     stopped with exit code 0 and no error), and pouch-init's resident memory (VmRSS of PID 1, read
#     through its host pid) once they are;
#   - systemd mode: from `pouch run -d --rich --rich-mode systemd` to `systemctl is-system-running`
#     answering running or degraded, and systemd's VmRSS (PID 1) then, beside pouch-init's.
# Medians over N runs (N=10 by default; N_KEYGEN=3 and N_SYSTEMD=3 for the slow ones), ratios
# printed. Prints numbers; never asserts. Root only.
#   bench/rich.sh            N=20 bench/rich.sh
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT="$PWD"
BIN="${POUCH_BIN:-$ROOT/bin}"
N="${N:-10}" N_KEYGEN="${N_KEYGEN:-3}" N_SYSTEMD="${N_SYSTEMD:-3}"
[ "$(id -u)" = 0 ] || { echo "bench needs root" >&2; exit 1; }
for b in pouchd pouch pouch-shim pouch-init; do
        [ -x "$BIN/$b" ] || { echo "$BIN/$b is missing: run make first" >&2; exit 1; }
done
for c in nsenter ssh-keygen jq; do
        command -v "$c" > /dev/null || { echo "rich bench: $c is missing, skipped" >&2; exit 0; }
done

export POUCH_BIN="$BIN"
# shellcheck source=../tests/integration/helpers.bash
. tests/integration/helpers.bash
PT="$(mktemp -d /tmp/pouch-bench.XXXXXX)"
PHOME="$PT/home" PSOCK="$PT/d.sock" PLOG="$PT/pouchd.log"
# a bridge of its own, apart from a pouchd the host may run (the teardown deletes it)
PBRIDGE="${POUCH_BENCH_BRIDGE:-pouchbench0}" PBIP="${POUCH_BENCH_BIP:-10.214.0.1/24}"
export PT PHOME PSOCK PLOG PBRIDGE PBIP POUCH_HOST="unix://$PSOCK"
trap pouchd_teardown_file EXIT

# pouchd without --debug: debug logging is not what we measure
(exec "$BIN/pouchd" --home "$PHOME" --listen "unix://$PSOCK" --bridge "$PBRIDGE" --bip "$PBIP" \
        < /dev/null > "$PLOG" 2>&1 &
        echo $! > "$PT/pouchd.pid")
wait_for 30 ping_ok || { echo "pouchd did not start:" >&2; cat "$PLOG" >&2; exit 1; }

echo "rich bench: building the Debian rich image (cached after the first time)"
if ! tests/images/build-debian-rich.sh "$PT/debian.tar" > "$PT/build.log" 2>&1; then
        echo "rich bench skipped: the Debian rich image could not be built:" >&2
        tail -n 5 "$PT/build.log" >&2
        exit 0
fi
pouch import "$PT/debian.tar" debian-rich:latest > /dev/null
# the same image with SSH host keys, appended to the tarball (later entries win)
mkdir -p "$PT/keys/etc/ssh"
ssh-keygen -A -f "$PT/keys" > /dev/null
(cd "$PT/keys" && tar -rf "$PT/debian.tar" --owner=0 --group=0 ./etc/ssh/ssh_host_*)
pouch import "$PT/debian.tar" debian-rich-keys:latest > /dev/null
rm -f "$PT/debian.tar"

now_ns() { date +%s%N; }
median() { sort -n "$1" 2> /dev/null | awk '{a[NR] = $1} END {if (NR) print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a != "" && b > 0) printf "%.2f", a / b; else print "n/a"}'; }
fails() { [ -f "$PT/$1.fail" ] && printf ' (%d failed runs)' "$(wc -l < "$PT/$1.fail")"; }
record() { echo "$2" >> "$PT/$1.t"; }
failed() { echo x >> "$PT/$1.fail"; }

plain() {
        local t0
        t0=$(now_ns)
        if pouch run --rm debian-rich true > /dev/null 2>&1; then
                record plain $((($(now_ns) - t0) / 1000000))
        else
                failed plain
        fi
}

# rich_ssh NAME IMAGE: pouch run -d --rich, then connect() to port 22 in the container's netns
# until it is accepted (a 2 ms poll inside one nsenter'd bash); also records when run returned
rich_ssh() {
        local name="$1" image="$2" t0 t1 pid
        t0=$(now_ns)
        if ! pouch run -d --rich --name bench-rich "$image" > /dev/null 2> "$PT/err"; then
                failed "$name"
                cat "$PT/err" >&2
                pouch rm -f bench-rich > /dev/null 2>&1
                return
        fi
        t1=$(now_ns)
        pid="$(pouch inspect -f '{{.State.Pid}}' bench-rich)"
        # shellcheck disable=SC2016 # runs in the container's netns
        if timeout 30 nsenter -t "$pid" -n bash -c \
                'until { : <> /dev/tcp/127.0.0.1/22; } 2> /dev/null; do sleep 0.002; done'; then
                record "$name" $((($(now_ns) - t0) / 1000000))
                record "$name.run" $(((t1 - t0) / 1000000))
        else
                failed "$name"
        fi
        if [ "$name" = rich ]; then
                if wait_for 30 services_settled bench-rich; then
                        record svc $((($(now_ns) - t0) / 1000000))
                        record rss "$(vm_rss "$pid")"
                else
                        failed svc
                fi
        fi
        pouch rm -f bench-rich > /dev/null 2>&1
}

# every service in pouch-init's status is running, skipped, or stopped with exit code 0 and no error
# shellcheck disable=SC2317 # called through wait_for
services_settled() {
        pouch inspect -f '{{json .Rich.Status}}' "$1" | jq -e '(.services | length) > 0 and all(.services[];
                .state == "running" or .state == "skipped" or
                (.state == "stopped" and (.lastExitCode // 0) == 0 and .error == null))' > /dev/null
}
vm_rss() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

system_up() {
        local s
        s="$(pouch exec bench-systemd systemctl is-system-running 2> /dev/null)"
        [ "$s" = running ] || [ "$s" = degraded ]
}
systemd_mode() {
        local t0 deadline=$((SECONDS + 120))
        t0=$(now_ns)
        if ! pouch run -d --rich --rich-mode systemd --name bench-systemd debian-rich-keys > /dev/null; then
                failed systemd
                return
        fi
        until system_up; do
                if [ "$SECONDS" -ge "$deadline" ]; then
                        failed systemd
                        pouch rm -f bench-systemd > /dev/null 2>&1
                        return
                fi
                sleep 0.05
        done
        record systemd $((($(now_ns) - t0) / 1000000))
        record systemd.rss "$(vm_rss "$(pouch inspect -f '{{.State.Pid}}' bench-systemd)")"
        pouch rm -f bench-systemd > /dev/null 2>&1
}

echo "rich bench: $N runs each, interleaved (keygen: $N_KEYGEN, systemd: $N_SYSTEMD)"
# one warm-up of each, not counted (page cache, first overlay mounts)
plain
rich_ssh warmup debian-rich-keys
rm -f "$PT"/*.t "$PT"/*.fail
for i in $(seq 1 "$N"); do
        plain
        rich_ssh rich debian-rich-keys
        [ "$i" -le "$N_KEYGEN" ] && rich_ssh keygen debian-rich
        [ "$i" -le "$N_SYSTEMD" ] && systemd_mode
done

p="$(median "$PT/plain.t")"
r="$(median "$PT/rich.t")"
rr="$(median "$PT/rich.run.t")"
k="$(median "$PT/keygen.t")"
s="$(median "$PT/systemd.t")"
sv="$(median "$PT/svc.t")"
rss="$(median "$PT/rss.t")"
srss="$(median "$PT/systemd.rss.t")"
printf 'rich start latency, medians (ms):\n'
printf '  pouch run --rm debian-rich true                  %6s%s\n' "${p:-n/a}" "$(fails plain)"
printf '  pouch-init: run -d --rich to sshd accepting      %6s%s   ratio to run --rm %s   (target < 300)\n' \
        "${r:-n/a}" "$(fails rich)" "$(ratio "$r" "$p")"
printf '    of which pouch run -d returned after           %6s\n' "${rr:-n/a}"
printf '  pouch-init, no host keys in the image (keygen)   %6s%s   ratio to run --rm %s\n' \
        "${k:-n/a}" "$(fails keygen)" "$(ratio "$k" "$p")"
printf '  pouch-init: run -d --rich to all services settled%6s%s   ratio to run --rm %s\n' \
        "${sv:-n/a}" "$(fails svc)" "$(ratio "$sv" "$p")"
printf '  systemd mode: run -d to is-system-running        %6s%s   ratio to pouch-init (sshd) %s, (services) %s\n' \
        "${s:-n/a}" "$(fails systemd)" "$(ratio "$s" "$r")" "$(ratio "$s" "$sv")"
printf 'PID 1 resident memory, medians (kB):\n'
printf '  pouch-init, services settled                     %6s\n' "${rss:-n/a}"
printf '  systemd, is-system-running                       %6s   ratio to pouch-init %s\n' \
        "${srss:-n/a}" "$(ratio "$srss" "$rss")"
exit 0
