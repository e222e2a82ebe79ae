#!/bin/sh
# /init of the quota test VM (busybox sh). Loads the modules listed in /etc/modules.load, mounts
# the two virtio disks made by run-quota-vm.sh (vda: xfs, vdb: ext4 with the project and quota
# features) with prjquota, runs /quota-vm-test on each, prints "QUOTA-VM ALL PASS" or
# "QUOTA-VM SOME FAIL (n)" and ends the VM through the isa-debug-exit device.
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs -o mode=1777 tmp /tmp
echo "quota-vm: userspace up at $(cut -d' ' -f1 /proc/uptime)s, kernel $(uname -r)"
KVER=$(uname -r)
while read -r m; do
        insmod "/lib/modules/$KVER/$m" || echo "quota-vm: insmod $m failed"
done </etc/modules.load

FAILS=0
fail() { echo "RESULT $1 FAIL $2"; FAILS=$((FAILS + 1)); }

i=0
while [ ! -b /dev/vdb ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done

mkdir -p /mnt/xfs /mnt/ext4
for fs in xfs ext4; do
        dev=/dev/vda
        [ $fs = ext4 ] && dev=/dev/vdb
        if out=$(mount -t $fs -o prjquota $dev /mnt/$fs 2>&1); then
                echo "RESULT $fs-mount-prjquota PASS"
                /quota-vm-test $fs /mnt/$fs
                FAILS=$((FAILS + $?))
                umount /mnt/$fs || fail $fs-umount ""
        else
                fail $fs-mount-prjquota "($out)"
        fi
done

echo "quota-vm: tests done at $(cut -d' ' -f1 /proc/uptime)s"
if [ $FAILS = 0 ]; then echo "QUOTA-VM ALL PASS"; code=0; else echo "QUOTA-VM SOME FAIL ($FAILS)"; code=1; fi
sync
/sbin/vm-exit $code
poweroff -f
