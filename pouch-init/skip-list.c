/* The services of a VM that make no sense in a container. */
#include "skip-list.h"

#include "lib/cleanup.h"

#include <fnmatch.h>
#include <stddef.h>

#define R_CONSOLE "a container has no consoles to log in on"
#define R_DEVICES "devices are set up by the container engine"
#define R_NETWORK "the network is set up by the container engine"
#define R_CLOCK "the clock is the host's"
#define R_DISKS "file systems and disks are set up by the container engine"
#define R_SYSTEMD "a systemd internal: it needs systemd as PID 1 (pouch-init does this job or it has none)"
#define R_BOOT "machine boot and shutdown step, done by the container engine"
#define R_MAINT "package maintenance timer of a VM image"
#define R_VIRT "a virtual machine's guest agent"
#define R_KERNEL "the kernel is the host's"

static const struct {
        const char *pattern;
        const char *reason;
} skip_list[] = {
        /* consoles */
        { "getty@*", R_CONSOLE },
        { "serial-getty@*", R_CONSOLE },
        { "console-getty", R_CONSOLE },
        { "container-getty@*", R_CONSOLE },
        { "autovt@*", R_CONSOLE },
        { "console-setup*", R_CONSOLE },
        { "keyboard-setup*", R_CONSOLE },
        { "setvtrgb", R_CONSOLE },
        { "plymouth*", R_CONSOLE },
        /* devices */
        { "udev", R_DEVICES },
        { "systemd-udev*", R_DEVICES },
        { "kmod", R_KERNEL },
        { "kmod-static-nodes", R_KERNEL },
        { "procps", R_KERNEL },
        { "systemd-sysctl", R_KERNEL },
        { "systemd-modules-load", R_KERNEL },
        { "irqbalance", R_KERNEL },
        { "acpid", R_KERNEL },
        { "apparmor", R_KERNEL },
        { "auditd", R_KERNEL },
        { "smartmontools", R_DISKS },
        { "smartd", R_DISKS },
        /* network */
        { "networking", R_NETWORK },
        { "network-online", R_NETWORK },
        { "NetworkManager*", R_NETWORK },
        { "systemd-networkd*", R_NETWORK },
        { "systemd-resolved", R_NETWORK },
        { "ifup@*", R_NETWORK },
        { "ifupdown*", R_NETWORK },
        { "wpa_supplicant*", R_NETWORK },
        { "ModemManager", R_NETWORK },
        { "dhcpcd*", R_NETWORK },
        { "cloud-init*", R_BOOT },
        { "cloud-config", R_BOOT },
        { "cloud-final", R_BOOT },
        /* clock */
        { "systemd-timesyncd", R_CLOCK },
        { "hwclock*", R_CLOCK },
        { "ntp", R_CLOCK },
        { "ntpd", R_CLOCK },
        { "ntpsec", R_CLOCK },
        { "chrony", R_CLOCK },
        { "chronyd", R_CLOCK },
        /* disks */
        { "fsck*", R_DISKS },
        { "systemd-fsck*", R_DISKS },
        { "systemd-remount-fs", R_DISKS },
        { "remount-fs", R_DISKS },
        { "e2scrub*", R_DISKS },
        { "fstrim", R_DISKS },
        { "lvm2*", R_DISKS },
        { "mdmonitor*", R_DISKS },
        { "multipathd", R_DISKS },
        { "cryptdisks*", R_DISKS },
        { "mountall*", R_DISKS },
        { "mountkernfs*", R_DISKS },
        { "mountdevsubfs*", R_DISKS },
        { "mountnfs*", R_DISKS },
        { "checkroot*", R_DISKS },
        { "checkfs*", R_DISKS },
        { "umountfs", R_DISKS },
        { "umountroot", R_DISKS },
        { "umountnfs*", R_DISKS },
        /* systemd itself */
        { "systemd-*", R_SYSTEMD },
        { "dbus-org.freedesktop.*", R_SYSTEMD },
        { "emergency", R_BOOT },
        { "rescue", R_BOOT },
        { "halt", R_BOOT },
        { "reboot", R_BOOT },
        { "sendsigs", R_BOOT },
        { "killprocs", R_BOOT },
        { "single", R_BOOT },
        { "bootlogs", R_BOOT },
        { "bootmisc*", R_BOOT },
        { "rmnologin", R_BOOT },
        { "urandom", R_BOOT },
        { "ondemand", R_BOOT },
        /* maintenance */
        { "apt-daily*", R_MAINT },
        { "dpkg-db-backup", R_MAINT },
        { "man-db", R_MAINT },
        { "unattended-upgrades", R_MAINT },
        { "packagekit", R_MAINT },
        { "snapd*", R_MAINT },
        /* virtualisation */
        { "qemu-guest-agent", R_VIRT },
        { "open-vm-tools", R_VIRT },
        { "vmtoolsd", R_VIRT },
        { "vboxadd*", R_VIRT },
        { "hv-*", R_VIRT },
        { "google-guest-agent", R_VIRT },
        { "walinuxagent", R_VIRT },
};

const char *skip_reason_for(const char *name)
{
        for (size_t i = 0; i < ARRAY_SIZE(skip_list); i++)
                if (fnmatch(skip_list[i].pattern, name, 0) == 0)
                        return skip_list[i].reason;
        return NULL;
}
