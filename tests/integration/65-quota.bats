#!/usr/bin/env bats
# Disk quotas end to end with the loop backend (this kernel has no project quotas): --disk-quota
# on the writable layer and on volumes, sized volumes, refused rules, usage in inspect and
# system df, refused resize, daemon restart (re-attach, no leaked loop device), release at rm.
# The prjquota backend runs in a VM: quota-vm-smoke.sh.

bats_require_minimum_version 1.5.0
load helpers

MIB=1048576

# loop devices whose backing file lies under the test's temp dir
loops_of_test() { losetup -l -n -O NAME,BACK-FILE 2> /dev/null | awk -v t="$PT/" 'index($2, t) == 1 {print $1}'; }
nloops() { loops_of_test | wc -l; }

setup_file() {
        local mkfs
        mkfs="$(PATH=$PATH:/usr/sbin:/sbin command -v mkfs.ext4 || true)"
        if [ -z "$mkfs" ] || [ ! -e /dev/loop-control ] || ! command -v losetup > /dev/null; then
                skip "the loop quota backend needs mkfs.ext4, losetup and /dev/loop-control"
        fi
        pouchd_setup_file
        # the loop backend whatever the host's filesystem offers
        pouchd_stop
        pouchd_restart --quota-backend loop
}

teardown_file() {
        pouchd_teardown_file
        # a loop device that outlived its mount (it should not): detach it
        local dev
        for dev in $(losetup -l -n -O NAME,BACK-FILE 2> /dev/null | awk '$2 ~ "^/tmp/pouch-it\\." {print $1}'); do
                losetup "$dev" 2> /dev/null | grep -q "${PT:-/nonexistent}/" && losetup -d "$dev" 2> /dev/null
        done
        true
}

teardown() { dump_log_on_failure; }

# df -k's size column (KiB) of PATH inside container NAME
df_kib() { pouch exec "$1" df -k "$2" | awk 'NR == 2 {print $2}'; }
between() { [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }
# mounted_at PATH-PART: some mount's target contains PATH-PART
mounted_at() { findmnt -rn -o TARGET | grep -qF "$1"; }
# n_images SUFFIX: how many quota image files end with SUFFIX
n_images() { find "$PHOME/quota" -maxdepth 1 -name "*$1" | wc -l; }

@test "info shows the quota backend; --quota-backend refuses unknown names" {
        run pouch info
        [ "$status" -eq 0 ]
        [[ "$output" == *"Quota Backend: loop"* ]]
        [ "$(api GET /info | jq -r .QuotaBackend)" = loop ]
        run "$BIN/pouchd" --home "$PT/other" --listen "unix://$PT/other.sock" --quota-backend zfs
        [ "$status" -ne 0 ]
        [[ "$output" == *"unknown quota backend"* ]]
}

@test "dd past a 20m limit fails with ENOSPC, df shows about 20 MB, the host is unaffected" {
        pouch run -d --name q1 --disk-quota 20m busybox sleep 1000
        size="$(df_kib q1 /)"
        between "$size" 17000 20480
        run pouch exec q1 dd if=/dev/zero of=/big bs=1M count=40
        [ "$status" -ne 0 ]
        [[ "$output" == *"No space left on device"* ]]
        written="$(pouch exec q1 stat -c %s /big)"
        [ "$written" -lt $((20 * MIB)) ]
        [ "$written" -gt $((10 * MIB)) ]
        # the daemon's home (the host's filesystem) still takes writes
        dd if=/dev/zero of="$PT/host-file" bs=1M count=30 status=none
        rm -f "$PT/host-file"
        # freeing space makes room again
        pouch exec q1 rm /big
        pouch exec q1 dd if=/dev/zero of=/small bs=1M count=5
}

@test "inspect shows the limit and usage; system df's SizeRw is the loop filesystem's usage" {
        pouch exec q1 dd if=/dev/zero of=/usage bs=1M count=6
        pouch exec q1 sync
        doc="$(api GET /containers/q1/json)"
        [ "$(echo "$doc" | jq -r .QuotaUsage.Backend)" = loop ]
        [ "$(echo "$doc" | jq -r '.QuotaUsage.Mounts[0].Destination')" = / ]
        [ "$(echo "$doc" | jq -r '.QuotaUsage.Mounts[0].Limit')" = $((20 * MIB)) ]
        used="$(echo "$doc" | jq -r '.QuotaUsage.Mounts[0].Used')"
        between "$used" $((6 * MIB)) $((20 * MIB))
        [ "$(echo "$doc" | jq -c .HostConfig.DiskQuota)" = '{"":"20m"}' ]
        [ "$(pouch inspect -f '{{.QuotaUsage.Backend}}' q1)" = loop ]
        id="$(cid q1)"
        rw="$(api GET /system/df | jq -r --arg id "$id" '.Containers[] | select(.Id == $id) | .SizeRw')"
        between "$rw" $((6 * MIB)) $((20 * MIB))
        run pouch system df
        [ "$status" -eq 0 ]
}

@test "two containers with separate limits" {
        pouch run -d --name q2 --disk-quota /=30m busybox sleep 1000
        pouch run -d --name q3 --disk-quota .*=50m busybox sleep 1000
        between "$(df_kib q2 /)" 26000 30720
        between "$(df_kib q3 /)" 45000 51200
        run pouch exec q2 dd if=/dev/zero of=/fill bs=1M count=60
        [ "$status" -ne 0 ]
        # q3 is not touched by q2 being full
        pouch exec q3 dd if=/dev/zero of=/fill bs=1M count=40
        [ "$(pouch exec q3 stat -c %s /fill)" = $((40 * MIB)) ]
        pouch rm -f q2 q3
}

@test "a rule for a volume's mount point limits the volume, not the rootfs" {
        # an anonymous volume (the image-VOLUME form through the API) and a named one
        api POST "/containers/create?name=qv" -H 'Content-Type: application/json' \
                -d '{"Image":"busybox","Cmd":["sleep","1000"],"Volumes":{"/data":{}},
                     "HostConfig":{"DiskQuota":{"/data":"10m","/named":"12m"},"Binds":["qvnamed:/named"]}}'
        pouch start qv
        between "$(df_kib qv /data)" 8000 10240
        between "$(df_kib qv /named)" 10000 12288
        # the rootfs has no limit here: the host's filesystem
        [ "$(df_kib qv /)" -gt 102400 ]
        run pouch exec qv dd if=/dev/zero of=/data/fill bs=1M count=20
        [ "$status" -ne 0 ]
        [[ "$output" == *"No space left on device"* ]]
        doc="$(api GET /containers/qv/json)"
        vol="$(echo "$doc" | jq -r '.QuotaUsage.Mounts[] | select(.Destination == "/data") | .Volume')"
        [ "$(echo "$doc" | jq -r '.QuotaUsage.Mounts[] | select(.Destination == "/named") | .Volume')" = qvnamed ]
        [ -f "$PHOME/quota/vol-$vol.img" ]
        [ -f "$PHOME/quota/vol-qvnamed.img" ]
        # rm -v removes the anonymous volume and its quota; the named volume keeps its own
        pouch rm -f -v qv
        [ ! -e "$PHOME/quota/vol-$vol.img" ]
        run ! mounted_at "$PHOME/volumes/$vol/"
        [ "$(api GET /volumes/qvnamed | jq -r .Status.Limit)" = $((12 * 1048576)) ]
        pouch volume rm qvnamed
        [ ! -e "$PHOME/quota/vol-qvnamed.img" ]
        run ! mounted_at "$PHOME/volumes/qvnamed/"
}

@test "a host bind named by a rule is refused (host directories get no quota)" {
        mkdir -p "$PT/hostdir"
        run pouch run --rm --disk-quota /h=10m -v "$PT/hostdir:/h" busybox true
        [ "$status" -ne 0 ]
        [[ "$output" == *"host bind mounts get no quota"* ]]
        # a bare size covers the rootfs and volumes; the bind is left alone
        run pouch run --rm --disk-quota 10m -v "$PT/hostdir:/h" busybox sh -c 'df -k /h | tail -1'
        [ "$status" -eq 0 ]
}

@test "a sized volume: volume create -o size=20m" {
        pouch volume create -o size=20m vq
        [ "$(api GET /volumes/vq | jq -r .Status.Limit)" = $((20 * MIB)) ]
        [ "$(api GET /volumes/vq | jq -r .Options.size)" = 20m ]
        run pouch run --rm -v vq:/v busybox sh -c 'df -k /v | tail -1; dd if=/dev/zero of=/v/fill bs=1M count=40'
        [ "$status" -ne 0 ]
        [[ "$output" == *"No space left on device"* ]]
        # the data stays in the volume between containers
        run pouch run --rm -v vq:/v busybox stat -c %s /v/fill
        [ "$status" -eq 0 ]
        [ "$output" -gt $((10 * MIB)) ]
        [ -f "$PHOME/quota/vol-vq.img" ]
        pouch volume rm vq
        [ ! -e "$PHOME/quota/vol-vq.img" ]
        run ! mounted_at "$PHOME/volumes/vq/"
        # bad sizes: nothing created
        run pouch volume create -o size=lots vbad
        [ "$status" -ne 0 ]
        [[ "$output" == *"invalid volume size"* ]]
        run pouch volume inspect vbad
        [ "$status" -ne 0 ]
        if [ -x "$DOCKER_BIN" ]; then
                dockerc volume create -o size=5m vd
                [ "$(api GET /volumes/vd | jq -r .Status.Limit)" = $((5 * MIB)) ]
                dockerc volume rm vd
                [ ! -e "$PHOME/quota/vol-vd.img" ]
        fi
}

@test "bad rules are refused with the accepted forms listed, and nothing is created" {
        before="$(pouch ps -aq | wc -l)"
        imgs_before="$(n_images .img)"
        run pouch run --rm --disk-quota 10x busybox true
        [ "$status" -ne 0 ]
        [[ "$output" == *"accepted forms"* ]]
        [[ "$output" == *"/&/PATH=SIZE"* ]]
        run pouch create --disk-quota /data=-5g busybox true
        [ "$status" -ne 0 ]
        [[ "$output" == *"accepted forms"* ]]
        # the API: 400 with the message
        code="$(api_code POST /containers/create -H 'Content-Type: application/json' \
                -d '{"Image":"busybox","Cmd":["true"],"HostConfig":{"DiskQuota":{"/":"abc"}}}')"
        [ "$code" = 400 ]
        msg="$(api POST /containers/create -H 'Content-Type: application/json' \
                -d '{"Image":"busybox","Cmd":["true"],"HostConfig":{"DiskQuota":{"/":"abc"}}}' | jq -r .message)"
        [[ "$msg" == *"accepted forms"* ]]
        # a string is accepted as one rule
        code="$(api_code POST /containers/create -H 'Content-Type: application/json' \
                -d '{"Image":"busybox","Cmd":["true"],"HostConfig":{"DiskQuota":"12q"}}')"
        [ "$code" = 400 ]
        # QuotaID must be a number; the loop backend needs at least 1m and cannot share one quota
        run pouch create --disk-quota 10m --quota-id abc busybox true
        [ "$status" -ne 0 ]
        [[ "$output" == *"invalid QuotaID"* ]]
        run pouch create --disk-quota /=512k busybox true
        [ "$status" -ne 0 ]
        [[ "$output" == *"at least 1m"* ]]
        run pouch create --disk-quota '/&/data=10m' -v /data busybox true
        [ "$status" -ne 0 ]
        [[ "$output" == *"prjquota"* ]]
        [ "$(pouch ps -aq | wc -l)" = "$before" ]
        [ "$(n_images .img)" = "$imgs_before" ]
        # a string DiskQuota through the API works
        id="$(api POST /containers/create -H 'Content-Type: application/json' \
                -d '{"Image":"busybox","Cmd":["true"],"HostConfig":{"DiskQuota":"/=8m","QuotaID":"-1"}}' | jq -r .Id)"
        [ "$(api GET "/containers/$id/json" | jq -r '.QuotaUsage.Mounts[0].Limit')" = $((8 * MIB)) ]
        pouch rm "$id"
}

@test "update --disk-quota is refused clearly on the loop backend" {
        run pouch update --disk-quota 40m q1
        [ "$status" -ne 0 ]
        [[ "$output" == *"loop quota backend cannot resize"* ]]
        code="$(api_code POST /containers/q1/update -H 'Content-Type: application/json' -d '{"DiskQuota":{"/":"40m"}}')"
        [ "$code" = 400 ]
        [ "$(api GET /containers/q1/json | jq -r '.QuotaUsage.Mounts[0].Limit')" = $((20 * MIB)) ]
        # other fields of update still work
        pouch update -m 64m q1
}

@test "stop and start keep the limit and the data" {
        pouch stop -t 1 q1
        pouch start q1
        between "$(df_kib q1 /)" 17000 20480
        [ "$(pouch exec q1 stat -c %s /usage)" = $((6 * MIB)) ]
}

@test "a pouchd restart keeps the limits and leaks no loop device" {
        pouch create --name qs --disk-quota 15m busybox sleep 1000
        sid="$(cid qs)"
        n="$(nloops)"
        [ "$n" -ge 2 ]
        pouchd_stop
        # as after a reboot: the stopped container's image is no longer mounted
        umount "$PHOME/containers/$sid/rw"
        [ "$(nloops)" = $((n - 1)) ]
        pouchd_restart --quota-backend loop
        # re-attached once, not twice
        [ "$(nloops)" = "$n" ]
        [ "$(findmnt -rn -o TARGET | grep -c "^$PHOME/containers/$sid/rw\$")" = 1 ]
        # the running container kept its limit, the stopped one gets it at start
        between "$(df_kib q1 /)" 17000 20480
        pouch start qs
        between "$(df_kib qs /)" 12000 15360
        run pouch exec qs dd if=/dev/zero of=/fill bs=1M count=30
        [ "$status" -ne 0 ]
        # a second restart with everything mounted adds nothing
        pouchd_stop
        pouchd_restart --quota-backend loop
        [ "$(nloops)" = "$n" ]
        pouch rm -f qs
}

@test "rm and --rm release the quota" {
        id="$(cid q1)"
        [ -f "$PHOME/quota/$id-rootfs.img" ]
        pouch rm -f q1
        [ ! -e "$PHOME/quota/$id-rootfs.img" ]
        run ! mounted_at "$id"
        run pouch run --rm --disk-quota 20m busybox sh -c 'df -k / | tail -1'
        [ "$status" -eq 0 ]
        [ "$(n_images rootfs.img)" = 0 ]
        [ "$(nloops)" = 0 ]
}
