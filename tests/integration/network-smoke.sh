#!/bin/bash
# daemon/network smoke test against the real CNI plugins (/usr/lib/cni): networks, two namespaces
# pinging each other, a published busybox httpd reached from the host on 127.0.0.1, port
# conflicts leaving nothing behind, detach cleaning veth/lease/iptables rules (also when the
# namespace is already gone), overlapping subnets, state reloaded from disk (every step runs a new
# net-driver process). Needs root, iptables, nsenter, curl, busybox; builds its helper against
# build/*.a (run `make` first).
# Usage: tests/integration/network-smoke.sh   (KEEP=1 keeps the temp dir for a look)
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PLUGINS=${CNI_PLUGINS:-/usr/lib/cni}
# shellcheck source=smoke-tap.bash
. "$ROOT/tests/integration/smoke-tap.bash"
q() { "$@" >/dev/null 2>&1; } # q COMMAND...: run quietly (for check)

skip() {
        echo "skipped: $*"
        echo "0 passed, 0 failed"
        exit 0
}
[ "$(id -u)" = 0 ] || skip "needs root"
[ -x "$PLUGINS/bridge" ] || skip "needs the CNI plugins in $PLUGINS"
for c in iptables-save nsenter curl busybox ip; do
        command -v "$c" >/dev/null || skip "needs $c"
done
for l in libdaemon libregistry libimage libfeatures libruntime libpouch; do
        [ -f "$ROOT/build/$l.a" ] || skip "needs build/$l.a (run make)"
done

T=$(mktemp -d /tmp/pouch-net-smoke.XXXXXX)
export NET_STATE=$T/state NET_PLUGINS=$PLUGINS
# test-owned names: the default bridge and the custom network's bridge; a /24 pair unused here
X=$(($$ % 200 + 20))
for try in $(seq 0 50); do
        X=$(((X + try) % 200 + 20))
        if ! ip -4 route | grep -q "^10\.199\.$X\.\|^10\.198\.$X\." && ! ip -4 addr | grep -q "10\.199\.$X\.\|10\.198\.$X\."; then
                break
        fi
done
export NET_BRIDGE=pt$$ NET_CIDR=10.198.$X.1/24
BR2=pn$$
SUBNET=10.199.$X.0/24
NETNAME=smoke$$
IPFWD=$(cat /proc/sys/net/ipv4/ip_forward)
PIDS=()
CTRS=()
D=$T/net-driver

cleanup() {
        for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
        for c in "${CTRS[@]}"; do "$D" detach-all "$c" >/dev/null 2>&1; done
        "$D" rm-net "$NETNAME" >/dev/null 2>&1
        for f in "$T"/ns/*; do [ -e "$f" ] && "$D" netns-rm "$f" >/dev/null 2>&1; done
        umount "$T/ns" 2>/dev/null
        for b in "$NET_BRIDGE" "$BR2"; do
                [ -d "/sys/class/net/$b/bridge" ] && ip link del "$b" 2>/dev/null
                # the default network's host rules stay after its last detach: drop them
                "$ROOT/packaging/remove-host-rules.sh" "$b"
        done
        echo "$IPFWD" >/proc/sys/net/ipv4/ip_forward
        rm -rf "$T"
}
if [ -n "${KEEP:-}" ]; then echo "keeping $T"; else trap cleanup EXIT; fi

# shellcheck disable=SC2046 # pkg-config prints one flag per word
cc -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -I"$ROOT" -I"$ROOT/lib" -o "$D" \
        "$ROOT/tests/integration/helpers/net-driver.c" \
        "$ROOT/build/libdaemon.a" "$ROOT/build/libregistry.a" "$ROOT/build/libimage.a" "$ROOT/build/libfeatures.a" \
        "$ROOT/build/libruntime.a" "$ROOT/build/libpouch.a" \
        $(pkg-config --libs jansson libmicrohttpd libarchive libcurl libcrypto libseccomp libcap mount libsystemd gnutls) \
        -lpthread || { echo "cannot build the helper"; echo "0 passed, 1 failed"; exit 1; }

# ipt: the iptables rules without comments and counters
ipt() { iptables-save | grep -v '^#' | sed 's/\[[0-9]*:[0-9]*\]//'; }
nftr() { nft list ruleset 2>/dev/null | sed 's/counter packets [0-9]* bytes [0-9]*/counter/'; }
run() { "$D" "$@" 2>"$T/err"; }          # stdout kept, stderr in $T/err
errmsg() { cat "$T/err"; }
ipam_files() { find "$T/state/ipam" -mindepth 2 -maxdepth 2 -name '[0-9]*' 2>/dev/null | wc -l; }
leases_of() { grep -l "$1" "$T"/state/ipam/*/10.* 2>/dev/null | wc -l; }
veths() { ip -o link show type veth 2>/dev/null | wc -l; }
ns_links() { nsenter --net="$1" ip -o link show | wc -l; }
mkns() { "$D" netns-create "$T/ns/$1" && "$D" lo-up "$T/ns/$1"; }

# --- networks ------------------------------------------------------------------------------
LIST=$(run list)
check "predefined networks bridge, host, none exist" \
        test "$(echo "$LIST" | grep -o '"Name":"[a-z]*"' | sort | tr '\n' ' ')" = '"Name":"bridge" "Name":"host" "Name":"none" '
check "default bridge network uses NET_CIDR" grep -q "\"Subnet\":\"10.198.$X.0/24\",\"Gateway\":\"10.198.$X.1\"" <<<"$LIST"
OUT=$(run create-json "{\"Name\":\"$NETNAME\",\"IPAM\":{\"Config\":[{\"Subnet\":\"$SUBNET\"}]},\"Options\":{\"com.docker.network.bridge.name\":\"$BR2\"}}")
check "create network $NETNAME" grep -q '"Id":"[0-9a-f]\{64\}","Warning":""' <<<"$OUT"
# shellcheck disable=SC2001 # a capture group, which no ${var//} expansion has
NETID=$(sed 's/.*"Id":"\([0-9a-f]*\)".*/\1/' <<<"$OUT")
OUT=$(run inspect "${NETID:0:12}")
check "inspect by id prefix (a new process: read back from disk)" \
        grep -q "\"Name\":\"$NETNAME\".*\"Subnet\":\"$SUBNET\",\"Gateway\":\"10.199.$X.1\"" <<<"$OUT"
run create-net other$$ "10.199.$X.128/25" >/dev/null
check "overlapping subnet refused (403: EPERM)" grep -q "^error 1: invalid pool request: Pool overlaps with other one on this address space" "$T/err"
run create-net "$NETNAME" >/dev/null
check "duplicate name refused (409: EEXIST)" grep -q "^error 17: network with name $NETNAME already exists" "$T/err"
run create-net gw$$ 10.197.$X.0/24 10.196.0.1 >/dev/null
check "gateway outside the subnet refused (400)" grep -q "^error 22: no matching subnet for gateway" "$T/err"
run rm-net bridge
check "predefined network cannot be removed (403: EPERM)" grep -q "^error 1: bridge is a pre-defined network" "$T/err"

# --- attach, ping, published port -----------------------------------------------------------
mkdir -p "$T/ns" "$T/www"
echo "hello from pouch $$" >"$T/www/index.html"
for n in warm a b c d; do mkns "$n" || bad "netns $n"; done
CTRS=(warm ctra ctrb ctrc ctrd)

# warm-up: the first attach creates the plugins' shared chains (CNI-HOSTPORT-*, CNI-FORWARD)
run attach "$NETNAME" warm "$T/ns/warm" '{"81/tcp":[{"HostIp":"","HostPort":""}]}' >/dev/null &&
        run detach "$NETNAME" warm
check "warm-up attach/detach" test $? = 0
IPT0=$(ipt)
NFT0=$(nftr)
VETH0=$(veths)

HPORT=$((20000 + $$ % 20000))
while busybox netstat -ltn 2>/dev/null | grep -q ":$HPORT "; do HPORT=$((HPORT + 1)); done
EPA=$(run attach "$NETNAME" ctra "$T/ns/a" "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"$HPORT\"}]}")
check "attach ctra with -p $HPORT:80" grep -q '"IPAddress":"10.199.'"$X"'.[0-9]*","IPPrefixLen":24' <<<"$EPA"
EPB=$(run attach "$NETNAME" ctrb "$T/ns/b")
check "attach ctrb" grep -q '"IPAddress":"10.199.' <<<"$EPB"
# shellcheck disable=SC2001 # a capture group, which no ${var//} expansion has
IPA=$(sed 's/.*"IPAddress":"\([0-9.]*\)".*/\1/' <<<"$EPA")
# shellcheck disable=SC2001 # a capture group, which no ${var//} expansion has
IPB=$(sed 's/.*"IPAddress":"\([0-9.]*\)".*/\1/' <<<"$EPB")
check "ip_forward enabled" test "$(cat /proc/sys/net/ipv4/ip_forward)" = 1
check "bridge $BR2 exists with the gateway address" sh -c "ip -4 -o addr show dev $BR2 | grep -q 10.199.$X.1/24"
check "ctra pings ctrb ($IPB)" q nsenter --net="$T/ns/a" busybox ping -c1 -W2 "$IPB"
check "ctrb pings ctra ($IPA)" q nsenter --net="$T/ns/b" busybox ping -c1 -W2 "$IPA"
check "lo is up in the namespace" q nsenter --net="$T/ns/a" busybox ping -c1 -W1 127.0.0.1
OUT=$(run inspect "$NETNAME")
check "inspect lists both containers" grep -q "\"ctra\":{\"Name\":\"ctra\".*\"IPv4Address\":\"$IPA/24\"" <<<"$OUT"
check "ports of ctra" test "$(run ports ctra)" = "{\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"$HPORT\"}]}"
check "peers of ctrb" test "$(run peers "$NETNAME" ctrb)" = "{\"ctra\":\"$IPA\"}"

nsenter --net="$T/ns/a" busybox httpd -f -p 80 -h "$T/www" &
PIDS+=($!)
for _ in $(seq 1 20); do curl -s -m1 "http://$IPA/" >/dev/null && break; sleep 0.2; done
check "httpd answers on the container address" test "$(curl -s -m3 "http://$IPA/")" = "hello from pouch $$"
check "published port answers on 127.0.0.1:$HPORT" test "$(curl -s -m3 "http://127.0.0.1:$HPORT/")" = "hello from pouch $$"
HOSTIP=$(ip -4 -o route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p')
if [ -n "$HOSTIP" ]; then
        check "published port answers on $HOSTIP:$HPORT" test "$(curl -s -m3 "http://$HOSTIP:$HPORT/")" = "hello from pouch $$"
fi
check "ctrb reaches the published port through the host (hairpin)" \
        test "$(nsenter --net="$T/ns/b" curl -s -m3 "http://10.199.$X.1:$HPORT/")" = "hello from pouch $$"

# --- port conflicts leave nothing behind ----------------------------------------------------
IPT1=$(ipt)
LEASES1=$(ipam_files)
VETH1=$(veths)
run attach "$NETNAME" ctrc "$T/ns/c" "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"$HPORT\"}]}" >/dev/null
check "host port used by another endpoint: EBUSY" grep -q "^error 16: .*Bind for 0.0.0.0:$HPORT failed: port is already allocated" "$T/err"
HPORT2=$((HPORT + 1))
while busybox netstat -ltn 2>/dev/null | grep -q ":$HPORT2 "; do HPORT2=$((HPORT2 + 1)); done
busybox nc -l -p "$HPORT2" >/dev/null 2>&1 &
PIDS+=($!)
for _ in $(seq 1 20); do busybox netstat -ltn | grep -q ":$HPORT2 " && break; sleep 0.1; done
run attach "$NETNAME" ctrc "$T/ns/c" "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"$HPORT2\"}]}" >/dev/null
check "host port bound by a host process: EBUSY" grep -q "^error 16: .*Bind for 0.0.0.0:$HPORT2 failed: port is already allocated" "$T/err"
check "nothing left: no endpoint record" sh -c "! '$D' inspect '$NETNAME' | grep -q ctrc"
check "nothing left: no lease" test "$(ipam_files)" = "$LEASES1"
check "nothing left: no veth" test "$(veths)" = "$VETH1"
check "nothing left: namespace has only lo" test "$(ns_links "$T/ns/c")" = 1
check "nothing left: iptables unchanged" test "$(ipt)" = "$IPT1"

# --ip: host-local hands out the requested address
OUT=$(run attach "$NETNAME" ctrc "$T/ns/c" "" "10.199.$X.250")
check "attach with --ip 10.199.$X.250" grep -q "\"IPAMConfig\":{\"IPv4Address\":\"10.199.$X.250\"}.*\"IPAddress\":\"10.199.$X.250\"" <<<"$OUT"
run detach "$NETNAME" ctrc
check "detach of a --ip endpoint" test $? = 0
run attach bridge ctrc "$T/ns/c" "" "10.198.$X.7" >/dev/null
check "--ip on the default bridge refused (400)" grep -q "^error 22: user specified IP address is supported only" "$T/err"

# random host port (-P / -p 80): chosen by pouch, in the ephemeral range, reported
EPC=$(run attach "$NETNAME" ctrc "$T/ns/c" '{"80/tcp":[{"HostIp":"","HostPort":""}],"53/udp":[{"HostIp":"127.0.0.1","HostPort":"0"}]}')
check "attach ctrc with random host ports" grep -q '"IPAddress":"10.199.' <<<"$EPC"
PORTS=$(run ports ctrc)
RP=$(sed -n 's/.*"80\/tcp":\[{"HostIp":"0.0.0.0","HostPort":"\([0-9]*\)"}\].*/\1/p' <<<"$PORTS")
read -r LO HI </proc/sys/net/ipv4/ip_local_port_range
check "random tcp port $RP in the ephemeral range $LO-$HI" test -n "$RP" -a "${RP:-0}" -ge "$LO" -a "${RP:-0}" -le "$HI"
check "random udp port on 127.0.0.1 reported" grep -q '"53/udp":\[{"HostIp":"127.0.0.1","HostPort":"[1-9][0-9]*"}\]' <<<"$PORTS"
check "portmap rules for the random port" sh -c "iptables-save -t nat | grep -q -- '--dport $RP '"
# shellcheck disable=SC2001 # a capture group, which no ${var//} expansion has
IPC=$(sed 's/.*"IPAddress":"\([0-9.]*\)".*/\1/' <<<"$EPC")

# --- detach ---------------------------------------------------------------------------------
VETHB=$(veths)
run detach "$NETNAME" ctrb
check "detach ctrb" test $? = 0
check "ctrb: veth removed" test "$(veths)" = $((VETHB - 1))
check "ctrb: lease freed" test "$(leases_of ctrb)" = 0
check "ctrb: no iptables rule mentions it" sh -c "! iptables-save | grep -q -e ctrb -e '$IPB/32'"
check "ctrb: namespace has only lo" test "$(ns_links "$T/ns/b")" = 1
run detach "$NETNAME" ctrb
check "detach is idempotent" test $? = 0

# namespace gone before detach (container died, netns removed): DEL still cleans everything
"$D" netns-rm "$T/ns/c"
run detach "$NETNAME" ctrc
check "detach ctrc after its namespace was removed" test $? = 0
check "ctrc: lease freed" test "$(leases_of ctrc)" = 0
check "ctrc: no iptables rule mentions it" sh -c "! iptables-save | grep -q -e ctrc -e '$IPC/32' -e 'dport $RP '"
check "ctrc: no stand-in namespace left" test -z "$(ls "$T/state/tmp")"
for _ in $(seq 1 20); do [ "$(veths)" = "$VETH1" ] || break; sleep 0.1; done
check "ctrc: its veth went with the namespace" test "$(veths)" -lt "$VETH1"

kill "${PIDS[0]}" 2>/dev/null
run rm-net "$NETNAME"
check "network with endpoints cannot be removed (409: EBUSY)" grep -q "^error 16: error while removing network: network $NETNAME id $NETID has active endpoints" "$T/err"
run detach-all ctra
check "detach-all ctra" test $? = 0
check "published port closed after detach" sh -c "! curl -s -m2 http://127.0.0.1:$HPORT/ >/dev/null"
check "iptables rules back to the pre-attach state" test "$(ipt)" = "$IPT0"
check "nft ruleset back to the pre-attach state" test "$(nftr)" = "$NFT0"
check "veths back to the pre-attach count" test "$(veths)" = "$VETH0"

# --- dangling filter, prune-free remove -----------------------------------------------------
check "dangling filter lists the custom network" sh -c "$D list '{\"dangling\":{\"true\":true}}' | grep -q '\"Name\":\"$NETNAME\"'"
run rm-net "$NETNAME"
check "remove $NETNAME" test $? = 0
check "its bridge $BR2 is gone" test ! -e "/sys/class/net/$BR2"
check "its ipam data is gone" test -z "$(ls "$T/state/ipam")"
check "its record is gone" test "$(find "$T/state/networks" -mindepth 1 -maxdepth 1 | wc -l)" = 3

# the default network works too
EPD=$(run attach bridge ctrd "$T/ns/d")
check "attach ctrd to the default bridge ($NET_BRIDGE)" grep -q "\"IPAddress\":\"10.198.$X.[0-9]*\"" <<<"$EPD"
check "ctrd reaches the gateway" q nsenter --net="$T/ns/d" busybox ping -c1 -W2 "10.198.$X.1"
run detach bridge ctrd
check "detach ctrd" test $? = 0

echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
