/* Seccomp: docker's default allowlist (our own table, same policy as docker's default.json) and
 * the conversion of docker-format profiles to the OCI linux.seccomp object, applying
 * includes/excludes (caps, arches, minKernel) for the container's final capability set. */
#include "runtime-wrap/spec-internal.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"
#include "lib/log.h"

#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

/* Allowed for every container. Names that do not exist on this architecture (the 32-bit and
 * time64 variants, for instance) are kept here and filtered per host at build time. Kept packed:
 * clang-format would put one name per line.
 * io_uring_setup/enter/register are left out on purpose (as in docker and containerd since 2023):
 * io_uring has been a steady source of kernel privilege escalations and its requests bypass
 * seccomp filtering of the syscalls they stand for. They get the default action (EPERM); a
 * custom profile (--security-opt seccomp=PROFILE) may allow them. */
/* clang-format off */
static const char *const allow_always[] = {
        "accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk", "capget", "capset", "chdir",
        "chmod", "chown", "chown32", "clock_adjtime", "clock_adjtime64", "clock_getres",
        "clock_getres_time64", "clock_gettime", "clock_gettime64", "clock_nanosleep",
        "clock_nanosleep_time64", "close", "close_range", "connect", "copy_file_range", "creat", "dup",
        "dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait",
        "epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "execve", "execveat",
        "exit", "exit_group", "faccessat", "faccessat2", "fadvise64", "fadvise64_64", "fallocate",
        "fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchown", "fchown32", "fchownat", "fcntl",
        "fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock", "fork", "fremovexattr", "fsetxattr",
        "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate", "ftruncate64",
        "futex", "futex_time64", "futex_waitv", "futimesat", "getcpu", "getcwd", "getdents", "getdents64",
        "getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32", "getgroups", "getgroups32",
        "getitimer", "getpeername", "getpgid", "getpgrp", "getpid", "getppid", "getpriority", "getrandom",
        "getresgid", "getresgid32", "getresuid", "getresuid32", "getrlimit", "get_robust_list",
        "getrusage", "getsid", "getsockname", "getsockopt", "get_thread_area", "gettid", "gettimeofday",
        "getuid", "getuid32", "getxattr", "inotify_add_watch", "inotify_init", "inotify_init1",
        "inotify_rm_watch", "io_cancel", "ioctl", "io_destroy", "io_getevents", "io_pgetevents",
        "io_pgetevents_time64", "ioprio_get", "ioprio_set", "io_setup", "io_submit", "ipc", "kill",
        "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self", "lchown", "lchown32", "lgetxattr", "link",
        "linkat", "listen", "listxattr", "llistxattr", "_llseek", "lremovexattr", "lseek", "lsetxattr",
        "lstat", "lstat64", "madvise", "membarrier", "memfd_create", "memfd_secret", "mincore", "mkdir",
        "mkdirat", "mknod", "mknodat", "mlock", "mlock2", "mlockall", "mmap", "mmap2", "mprotect",
        "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64",
        "mq_timedsend", "mq_timedsend_time64", "mq_unlink", "mremap", "msgctl", "msgget", "msgrcv",
        "msgsnd", "msync", "munlock", "munlockall", "munmap", "name_to_handle_at", "nanosleep",
        "newfstatat", "_newselect", "open", "openat", "openat2", "pause", "pidfd_open",
        "pidfd_send_signal", "pipe", "pipe2", "pkey_alloc", "pkey_free", "pkey_mprotect", "poll", "ppoll",
        "ppoll_time64", "prctl", "pread64", "preadv", "preadv2", "prlimit64", "process_mrelease",
        "pselect6", "pselect6_time64", "pwrite64", "pwritev", "pwritev2", "read", "readahead", "readlink",
        "readlinkat", "readv", "recv", "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg",
        "remap_file_pages", "removexattr", "rename", "renameat", "renameat2", "restart_syscall", "rmdir",
        "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn",
        "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64", "rt_tgsigqueueinfo",
        "sched_getaffinity", "sched_getattr", "sched_getparam", "sched_get_priority_max",
        "sched_get_priority_min", "sched_getscheduler", "sched_rr_get_interval",
        "sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr", "sched_setparam",
        "sched_setscheduler", "sched_yield", "seccomp", "select", "semctl", "semget", "semop",
        "semtimedop", "semtimedop_time64", "send", "sendfile", "sendfile64", "sendmmsg", "sendmsg",
        "sendto", "setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setgid", "setgid32", "setgroups",
        "setgroups32", "setitimer", "setpgid", "setpriority", "setregid", "setregid32", "setresgid",
        "setresgid32", "setresuid", "setresuid32", "setreuid", "setreuid32", "setrlimit",
        "set_robust_list", "setsid", "setsockopt", "set_thread_area", "set_tid_address", "setuid",
        "setuid32", "setxattr", "shmat", "shmctl", "shmdt", "shmget", "shutdown", "sigaltstack",
        "signalfd", "signalfd4", "sigprocmask", "sigreturn", "socketcall", "socketpair", "splice", "stat",
        "stat64", "statfs", "statfs64", "statx", "symlink", "symlinkat", "sync", "sync_file_range",
        "syncfs", "sysinfo", "tee", "tgkill", "time", "timer_create", "timer_delete", "timer_getoverrun",
        "timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64", "timerfd_create",
        "timerfd_gettime", "timerfd_gettime64", "timerfd_settime", "timerfd_settime64", "times", "tkill",
        "truncate", "truncate64", "ugetrlimit", "umask", "uname", "unlink", "unlinkat", "utime",
        "utimensat", "utimensat_time64", "utimes", "vfork", "vmsplice", "wait4", "waitid", "waitpid",
        "write", "writev", NULL,
};
/* clang-format on */

#define NAMES(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* Groups allowed only when the container holds the capability. */
static const struct {
        const char *cap;
        const char *const *names;
} allow_with_cap[] = {
        { "CAP_DAC_READ_SEARCH", NAMES("open_by_handle_at") },
        { "CAP_SYS_ADMIN",
          NAMES("bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick", "lookup_dcookie",
                "mount", "mount_setattr", "move_mount", "open_tree", "perf_event_open", "quotactl", "quotactl_fd",
                "setdomainname", "sethostname", "setns", "syslog", "umount", "umount2", "unshare") },
        { "CAP_SYS_BOOT", NAMES("reboot") },
        { "CAP_SYS_CHROOT", NAMES("chroot") },
        { "CAP_SYS_MODULE", NAMES("delete_module", "init_module", "finit_module") },
        { "CAP_SYS_PACCT", NAMES("acct") },
        { "CAP_SYS_PTRACE",
          NAMES("kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev", "ptrace") },
        { "CAP_SYS_RAWIO", NAMES("iopl", "ioperm") },
        { "CAP_SYS_TIME", NAMES("settimeofday", "stime", "clock_settime", "clock_settime64") },
        { "CAP_SYS_TTY_CONFIG", NAMES("vhangup") },
        { "CAP_SYS_NICE", NAMES("get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node") },
        { "CAP_SYSLOG", NAMES("syslog") },
        { "CAP_BPF", NAMES("bpf") },
        { "CAP_PERFMON", NAMES("perf_event_open") },
};

/* personality(2) values that stay allowed: PER_LINUX, UNAME26, PER_LINUX32, their combination,
 * and the 0xffffffff query. */
static const json_int_t personality_ok[] = { 0x0, 0x8, 0x20000, 0x20008, 0xffffffff };

/* CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET: creating namespaces needs
 * CAP_SYS_ADMIN; plain clone for threads and fork stays allowed. */
#define CLONE_NS_MASK 0x7E020000LL

static json_t *names_array(const char *const *names)
{
        json_t *a = json_array();
        for (size_t i = 0; names[i]; i++)
                json_array_append_new(a, json_string(names[i]));
        return a;
}

static json_t *arg_rule(const char *name, json_int_t index, json_int_t value, const char *op)
{
        return json_pack("{s:[s],s:s,s:[{s:I,s:I,s:I,s:s}]}", "names", name, "action", "SCMP_ACT_ALLOW", "args",
                         "index", index, "value", value, "valueTwo", (json_int_t) 0, "op", op);
}

/* Docker's default profile in docker's own format (includes/excludes still unresolved). */
static json_t *default_docker_profile(void)
{
        json_t *calls = json_array();
        json_array_append_new(calls,
                              json_pack("{s:o,s:s}", "names", names_array(allow_always), "action", "SCMP_ACT_ALLOW"));
        json_array_append_new(calls,
                              json_pack("{s:[s,s,s],s:s,s:{s:s}}", "names", "process_vm_readv", "process_vm_writev",
                                        "ptrace", "action", "SCMP_ACT_ALLOW", "includes", "minKernel", "4.8"));
        /* AF_VSOCK (40) sockets are host-wide; everything else is fine. */
        json_array_append_new(calls, arg_rule("socket", 0, 40, "SCMP_CMP_NE"));
        for (size_t i = 0; i < ARRAY_SIZE(personality_ok); i++)
                json_array_append_new(calls, arg_rule("personality", 0, personality_ok[i], "SCMP_CMP_EQ"));
        json_array_append_new(calls, json_pack("{s:[s],s:s,s:{s:[s,s]}}", "names", "arch_prctl", "action",
                                               "SCMP_ACT_ALLOW", "includes", "arches", "amd64", "x32"));
        json_array_append_new(calls, json_pack("{s:[s],s:s,s:{s:[s,s,s]}}", "names", "modify_ldt", "action",
                                               "SCMP_ACT_ALLOW", "includes", "arches", "amd64", "x32", "x86"));
        for (size_t i = 0; i < ARRAY_SIZE(allow_with_cap); i++)
                json_array_append_new(calls,
                                      json_pack("{s:o,s:s,s:{s:[s]}}", "names", names_array(allow_with_cap[i].names),
                                                "action", "SCMP_ACT_ALLOW", "includes", "caps", allow_with_cap[i].cap));
        json_t *clone = arg_rule("clone", 0, CLONE_NS_MASK, "SCMP_CMP_MASKED_EQ");
        json_object_set_new(clone, "excludes",
                            json_pack("{s:[s],s:[s,s]}", "caps", "CAP_SYS_ADMIN", "arches", "s390", "s390x"));
        json_array_append_new(calls, clone);
        /* clone3 passes its flags in memory seccomp cannot inspect: make it look absent (ENOSYS)
         * so libcs fall back to clone. */
        json_array_append_new(calls, json_pack("{s:[s],s:s,s:i,s:{s:[s]}}", "names", "clone3", "action",
                                               "SCMP_ACT_ERRNO", "errnoRet", 38, "excludes", "caps", "CAP_SYS_ADMIN"));
        return json_pack("{s:s,s:i,s:[{s:s,s:[s,s]}],s:o}", "defaultAction", "SCMP_ACT_ERRNO", "defaultErrnoRet", 1,
                         "archMap", "architecture", "SCMP_ARCH_X86_64", "subArchitectures", "SCMP_ARCH_X86",
                         "SCMP_ARCH_X32", "syscalls", calls);
}

struct native_arch {
        const char *scmp;   /* "SCMP_ARCH_X86_64" */
        const char *goarch; /* "amd64", as docker profiles name arches */
};

static struct native_arch native_arch(void)
{
        switch (seccomp_arch_native()) {
        case SCMP_ARCH_AARCH64:
                return (struct native_arch){ "SCMP_ARCH_AARCH64", "arm64" };
        case SCMP_ARCH_X86:
                return (struct native_arch){ "SCMP_ARCH_X86", "386" };
        case SCMP_ARCH_ARM:
                return (struct native_arch){ "SCMP_ARCH_ARM", "arm" };
        case SCMP_ARCH_PPC64LE:
                return (struct native_arch){ "SCMP_ARCH_PPC64LE", "ppc64le" };
        case SCMP_ARCH_S390X:
                return (struct native_arch){ "SCMP_ARCH_S390X", "s390x" };
        case SCMP_ARCH_RISCV64:
                return (struct native_arch){ "SCMP_ARCH_RISCV64", "riscv64" };
        default:
                return (struct native_arch){ "SCMP_ARCH_X86_64", "amd64" };
        }
}

static bool str_in_array(const json_t *a, const char *s)
{
        size_t i;
        json_t *v;
        json_array_foreach(a, i, v)
                if (json_is_string(v) && STREQ(json_string_value(v), s))
                        return true;
        return false;
}

static bool kernel_at_least(const char *min)
{
        struct utsname u;
        int kmaj = 0, kmin = 0, maj = 0, mi = 0;
        if (uname(&u) < 0 || sscanf(u.release, "%d.%d", &kmaj, &kmin) < 1 || sscanf(min, "%d.%d", &maj, &mi) < 1)
                return true;
        return kmaj > maj || (kmaj == maj && kmin >= mi);
}

/* Does this docker-format syscall entry apply to a container with caps on this host? */
static bool entry_applies(const json_t *e, const json_t *caps, const char *goarch)
{
        json_t *inc = json_object_get(e, "includes"), *exc = json_object_get(e, "excludes");
        json_t *arches = json_object_get(inc, "arches");
        if (json_array_size(arches) > 0 && !str_in_array(arches, goarch))
                return false;
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(inc, "caps"), i, v)
                if (!str_in_array(caps, json_string_value(v)))
                        return false;
        const char *min = json_get_str(inc, "minKernel", NULL);
        if (min && !kernel_at_least(min))
                return false;
        if (str_in_array(json_object_get(exc, "arches"), goarch))
                return false;
        json_array_foreach(json_object_get(exc, "caps"), i, v)
                if (str_in_array(caps, json_string_value(v)))
                        return false;
        return true;
}

static json_t *known_names(const json_t *e)
{
        json_t *out = json_array();
        json_t *names = json_object_get(e, "names");
        const char *single = json_get_str(e, "name", NULL);
        size_t i;
        json_t *v;
        json_array_foreach(names, i, v) {
                const char *n = json_string_value(v);
                if (n && seccomp_syscall_resolve_name(n) != __NR_SCMP_ERROR)
                        json_array_append_new(out, json_string(n));
                else if (n)
                        log_debug("seccomp: syscall %s unknown to libseccomp, left out", n);
        }
        if (single && seccomp_syscall_resolve_name(single) != __NR_SCMP_ERROR)
                json_array_append_new(out, json_string(single));
        return out;
}

static int convert_args(const json_t *args, json_t **ret, struct pouch_err *err)
{
        json_t *out = json_array();
        size_t i;
        json_t *a;
        json_array_foreach(args, i, a) {
                const char *op = json_get_str(a, "op", NULL);
                if (!op || !json_is_integer(json_object_get(a, "index"))) {
                        json_decref(out);
                        return err_set(err, -EINVAL, "invalid seccomp profile: syscall argument needs index and op");
                }
                json_array_append_new(out, json_pack("{s:I,s:I,s:I,s:s}", "index", json_get_int(a, "index", 0), "value",
                                                     json_get_int(a, "value", 0), "valueTwo",
                                                     json_get_int(a, "valueTwo", 0), "op", op));
        }
        *ret = out;
        return 0;
}

static json_t *architectures(const json_t *docker, const struct native_arch *na)
{
        json_t *given = json_object_get(docker, "architectures");
        if (json_array_size(given) > 0)
                return json_deep_copy(given);
        json_t *out = json_array();
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(docker, "archMap"), i, m) {
                if (!STREQ(json_get_str(m, "architecture", ""), na->scmp))
                        continue;
                json_array_append_new(out, json_string(na->scmp));
                json_array_extend(out, json_object_get(m, "subArchitectures"));
        }
        return out;
}

int seccomp_profile_convert(const json_t *docker, const json_t *caps, json_t **ret_oci, struct pouch_err *err)
{
        const char *def = json_get_str(docker, "defaultAction", NULL);
        if (!def)
                return err_set(err, -EINVAL, "invalid seccomp profile: defaultAction is required");
        struct native_arch na = native_arch();
        _cleanup_json_ json_t *oci = json_pack("{s:s,s:o}", "defaultAction", def, "architectures",
                                               architectures(docker, &na));
        json_t *v = json_object_get(docker, "defaultErrnoRet");
        if (json_is_integer(v))
                json_object_set(oci, "defaultErrnoRet", v);
        if (json_is_array(v = json_object_get(docker, "flags")))
                json_object_set(oci, "flags", v);
        json_t *out = json_array();
        json_object_set_new(oci, "syscalls", out);
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(docker, "syscalls"), i, e) {
                const char *action = json_get_str(e, "action", NULL);
                if (!action)
                        return err_set(err, -EINVAL, "invalid seccomp profile: syscall entry %zu has no action", i);
                if (!entry_applies(e, caps, na.goarch))
                        continue;
                json_t *names = known_names(e);
                if (json_array_size(names) == 0) {
                        json_decref(names);
                        continue;
                }
                json_t *s = json_pack("{s:o,s:s}", "names", names, "action", action);
                json_array_append_new(out, s);
                if (json_is_integer(v = json_object_get(e, "errnoRet")))
                        json_object_set(s, "errnoRet", v);
                if (json_array_size(json_object_get(e, "args")) > 0) {
                        json_t *args = NULL;
                        int r = convert_args(json_object_get(e, "args"), &args, err);
                        if (r < 0)
                                return r;
                        json_object_set_new(s, "args", args);
                }
        }
        *ret_oci = TAKE_PTR(oci);
        return 0;
}

json_t *seccomp_default_profile_for_caps(const json_t *caps)
{
        _cleanup_json_ json_t *docker = default_docker_profile();
        json_t *oci = NULL;
        if (!docker || seccomp_profile_convert(docker, caps, &oci, NULL) < 0)
                return NULL;
        return oci;
}

json_t *seccomp_default_profile(void)
{
        _cleanup_json_ json_t *caps = json_array();
        for (size_t i = 0; spec_default_caps[i]; i++)
                json_array_append_new(caps, json_string(spec_default_caps[i]));
        return seccomp_default_profile_for_caps(caps);
}

int seccomp_profile_from_docker_json(const json_t *docker_profile, json_t **ret_oci, struct pouch_err *err)
{
        _cleanup_json_ json_t *caps = json_array();
        for (size_t i = 0; spec_default_caps[i]; i++)
                json_array_append_new(caps, json_string(spec_default_caps[i]));
        return seccomp_profile_convert(docker_profile, caps, ret_oci, err);
}
