#!/usr/bin/env bats
# Networking through the CNI plugins: published ports, user networks with name resolution,
# --net none/host/container:, --ip, connect/disconnect, the docker CLI's network commands, bad
# input, teardown after stop/rm/crash and after a daemon killed with SIGKILL.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
        [ -x /usr/lib/cni/bridge ] || skip "CNI plugins are not installed (containernetworking-plugins)"
        pouchd_setup_file
}
teardown_file() { pouchd_teardown_file; }
teardown() { dump_log_on_failure; }

# a free TCP port on the host
free_port() {
        python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

http_ok() { curl -sf --max-time 3 "http://127.0.0.1:$1/passwd" | grep -q '^root:'; }

# what a container's networking leaves on the host: veths into the namespace, iptables rules
# naming the container, host-local leases
leftovers() {
        local id="$1"
        iptables-save | grep -c "$id" || true
        grep -rl "$id" "$PHOME/network/ipam" 2> /dev/null | wc -l
}

@test "busybox httpd on a published port answers curl from the host; ps, inspect and port show it" {
        local port
        port="$(free_port)"
        pouch run -d --name web -p "$port:80" busybox httpd -f -p 80 -h /etc
        wait_for 10 http_ok "$port"
        run pouch ps --filter name=web
        [[ "$output" == *"0.0.0.0:$port->80/tcp"* ]]
        run pouch inspect -f '{{json .NetworkSettings.Ports}}' web
        [ "$output" = '{"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"'"$port"'"}]}' ]
        run pouch port web 80
        [ "$output" = "0.0.0.0:$port" ]
        ip="$(pouch inspect -f '{{.NetworkSettings.IPAddress}}' web)"
        [[ "$ip" == "${PBIP%.1/24}".* ]]
        # the container reaches its gateway; /etc/hosts names it
        pouch exec web ping -c1 -W2 "${PBIP%/24}"
        run pouch exec web cat /etc/hosts
        [[ "$output" == *"$ip"*web* ]]
        id="$(cid web)"
        pouch rm -f web
        run ! http_ok "$port"
        run leftovers "$id"
        [ "${lines[0]}" = 0 ]
        [ "${lines[1]}" = 0 ]
        [ ! -e "$PHOME/netns/$id" ]
}

@test "-P publishes every exposed port on a random host port" {
        pouch run -d --name pall --expose 80 -P busybox httpd -f -p 80 -h /etc
        port="$(pouch port pall 80 | cut -d: -f2)"
        [ -n "$port" ]
        wait_for 10 http_ok "$port"
        pouch rm -f pall
}

@test "two containers on a user network ping each other by name; --ip and aliases" {
        pouch network create --subnet 10.214.7.0/24 --gateway 10.214.7.1 itnet
        run pouch network inspect -f '{{json .IPAM.Config}}' itnet
        [[ "$output" == *'"Subnet":"10.214.7.0/24"'* ]]
        pouch run -d --name first --network itnet busybox sleep 300
        pouch run -d --name second --network itnet --ip 10.214.7.77 --network-alias db busybox sleep 300
        [ "$(pouch inspect -f '{{.NetworkSettings.Networks.itnet.IPAddress}}' second)" = "10.214.7.77" ]
        # both directions: the first container learns of the second after it started
        pouch exec second ping -c1 -W2 first
        pouch exec first ping -c1 -W2 second
        pouch exec first ping -c1 -W2 db
        run pouch network inspect -f '{{len .Containers}}' itnet
        [ "$output" = 2 ]
        # a network with endpoints cannot be removed
        run pouch network rm itnet
        [ "$status" -ne 0 ]
        [[ "$output" == *"active endpoints"* ]]
        pouch rm -f first second
        pouch network rm itnet
        run pouch network inspect itnet
        [ "$status" -ne 0 ]
}

@test "connect and disconnect a running container" {
        pouch network create --subnet 10.214.8.0/24 connet
        pouch run -d --name hopper busybox sleep 300
        pouch network connect connet hopper
        run pouch exec hopper ip -4 addr show eth1
        [[ "$output" == *10.214.8.* ]]
        run pouch network connect connet hopper
        [ "$status" -ne 0 ]
        pouch network disconnect connet hopper
        run pouch exec hopper ip link show eth1
        [ "$status" -ne 0 ]
        pouch rm -f hopper
        pouch network rm connet
}

@test "--net none has only lo; --net host sees the host's interfaces; --net container: shares" {
        run pouch run --rm --net none busybox sh -c 'ls /sys/class/net'
        [ "$status" -eq 0 ]
        [ "$output" = "lo" ]
        run pouch run --rm --net host busybox sh -c 'ls /sys/class/net'
        [[ "$output" == *lo* ]]
        [ "$(echo "$output" | wc -l)" -gt 1 ]
        pouch run -d --name netowner busybox sleep 300
        ip="$(pouch inspect -f '{{.NetworkSettings.IPAddress}}' netowner)"
        run pouch run --rm --net container:netowner busybox ip -4 addr show eth0
        [[ "$output" == *"$ip"* ]]
        pouch rm -f netowner
}

@test "--add-host, --dns, --dns-search and --hostname reach /etc" {
        run pouch run --rm --hostname box1 --add-host db.local:10.1.2.3 --dns 10.0.0.53 --dns-search corp.example \
                busybox sh -c 'cat /etc/hosts /etc/resolv.conf /etc/hostname'
        [ "$status" -eq 0 ]
        [[ "$output" == *"10.1.2.3"*"db.local"* ]]
        [[ "$output" == *"nameserver 10.0.0.53"* ]]
        [[ "$output" == *"search corp.example"* ]]
        [[ "$output" == *box1* ]]
}

@test "the docker CLI: run -p, network create/ls/inspect/connect/rm" {
        local port
        port="$(free_port)"
        dockerc network create --subnet 10.214.9.0/24 dnet
        run dockerc network ls --format '{{.Name}}'
        [[ "$output" == *dnet* ]]
        dockerc run -d --name dweb --network dnet -p "$port:80" busybox httpd -f -p 80 -h /etc
        wait_for 10 http_ok "$port"
        run dockerc port dweb
        [[ "$output" == *"80/tcp -> 0.0.0.0:$port"* ]]
        run dockerc inspect -f '{{.NetworkSettings.Networks.dnet.IPAddress}}' dweb
        [[ "$output" == 10.214.9.* ]]
        run dockerc network inspect -f '{{range .Containers}}{{.Name}}{{end}}' dnet
        [ "$output" = dweb ]
        dockerc rm -f dweb
        dockerc network rm dnet
}

@test "bad input: overlapping subnet, port in use, unknown network, predefined network; nothing half-created" {
        pouch network create --subnet 10.214.10.0/24 taken
        run pouch network create --subnet 10.214.10.128/25 overlap
        [ "$status" -ne 0 ]
        [[ "$output" == *overlaps* ]]
        run pouch network inspect overlap
        [ "$status" -ne 0 ]
        [ "$(api_code GET /networks/overlap)" = 404 ]
        [ "$(api_code DELETE /networks/bridge)" = 403 ]
        run pouch run --rm --network nosuchnet busybox true
        [ "$status" -ne 0 ]
        [[ "$output" == *"network nosuchnet not found"* ]]
        local port
        port="$(free_port)"
        pouch run -d --name holder -p "$port:80" busybox sleep 300
        run pouch run -d --name clash -p "$port:80" busybox sleep 300
        [ "$status" -ne 0 ]
        [[ "$output" == *"already allocated"* ]]
        id="$(cid clash)"
        [ "$(state_of clash)" != running ]
        run leftovers "$id"
        [ "${lines[0]}" = 0 ]
        [ "${lines[1]}" = 0 ]
        [ ! -e "$PHOME/netns/$id" ]
        pouch rm -f holder clash
        pouch network rm taken
}

@test "after kill -9 of pouchd and a restart, networking still works and removal tears it down" {
        local port
        port="$(free_port)"
        pouch network create --subnet 10.214.11.0/24 survive
        pouch run -d --name keep --network survive -p "$port:80" busybox httpd -f -p 80 -h /etc
        pouch run -d --name peer --network survive busybox sleep 300
        pouch run -d --name dies --network survive busybox sleep 300
        wait_for 10 http_ok "$port"
        dies_id="$(cid dies)"
        pouchd_kill9
        # while the daemon is down: the container serves, and one container dies
        http_ok "$port"
        runc --root "$PHOME/runtime/runc" kill "$dies_id" KILL
        pouchd_restart
        http_ok "$port"
        pouch exec peer ping -c1 -W2 keep
        wait_for 10 state_is dies exited
        run leftovers "$dies_id"
        [ "${lines[0]}" = 0 ]
        [ "${lines[1]}" = 0 ]
        keep_id="$(cid keep)"
        pouch rm -f keep peer dies
        run ! http_ok "$port"
        run leftovers "$keep_id"
        [ "${lines[0]}" = 0 ]
        [ "${lines[1]}" = 0 ]
        pouch network rm survive
}

@test "network events: create, connect, disconnect, destroy" {
        since="$(date +%s)"
        pouch network create evnet
        pouch run --rm --network evnet busybox true
        pouch network rm evnet
        run pouch events --since "$since" --until "$(($(date +%s) + 1))" --filter type=network
        [[ "$output" == *create* ]]
        [[ "$output" == *connect* ]]
        [[ "$output" == *disconnect* ]]
        [[ "$output" == *destroy* ]]
}
