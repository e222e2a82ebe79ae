/* SSH host keys made on a rich container's first start: ed25519 before sshd, the rest after. */
#include "ssh-keys.h"

#include "lib/cleanup.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SSHD_PID_FILE "/run/sshd.pid"
#define PID_FILE_WAIT_MS 10000

static bool key_exists(const char *root, const char *type)
{
        char path[4096];
        struct stat st;
        snprintf(path, sizeof(path), "%s/etc/ssh/ssh_host_%s_key", root, type);
        /* a bind-mounted key is a file too; an empty one (a mount point left behind) is not a key */
        return stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

void ssh_keys_state(const char *root, struct ssh_key_state *ret)
{
        ret->ed25519 = key_exists(root, "ed25519");
        ret->others = key_exists(root, "rsa") && key_exists(root, "ecdsa");
}

static int cmd_set(struct exec_cmd *c, const char *const *argv)
{
        c->path = strdup(argv[0]);
        if (!c->path)
                return -ENOMEM;
        for (; *argv; argv++) {
                int r = strv_push_dup(&c->argv, *argv);
                if (r < 0)
                        return r;
        }
        return 0;
}

int ssh_keys_add_pre(struct unit *u, const char *keygen, const struct ssh_key_state *st)
{
        if (st->ed25519)
                return 0;
        struct exec_cmd *pre = realloc(u->pre, (u->n_pre + 1) * sizeof(*pre));
        if (!pre)
                return -ENOMEM;
        u->pre = pre;
        /* first: a vendor unit's own ExecStartPre= (Debian's `sshd -t`) needs a host key */
        memmove(pre + 1, pre, u->n_pre * sizeof(*pre));
        u->n_pre++;
        struct exec_cmd *c = &pre[0];
        memset(c, 0, sizeof(*c));
        /* its failure is sshd's business: sshd says which key it lacks */
        c->ignore_failure = true;
        const char *const argv[] = { keygen, "-q", "-t", "ed25519", "-N", "", "-f", "/etc/ssh/ssh_host_ed25519_key",
                                     NULL };
        return cmd_set(c, argv);
}

int ssh_keys_unit(const char *keygen, const char *self, const char *sshd_unit, const struct ssh_key_state *st,
                  struct unit *u, bool *ret_needed)
{
        *ret_needed = false;
        if (st->others)
                return 0;
        *ret_needed = true;
        int r = unit_init(u, SSH_HOST_KEYS_UNIT);
        if (r < 0)
                return r;
        u->source = SOURCE_BUILTIN;
        u->restart = RESTART_NO;
        r = strv_push_dup(&u->after, sshd_unit);
        if (r < 0)
                return r;
        const char *const argv[] = { self, SSH_HOST_KEYS_OPTION, keygen, NULL };
        return cmd_set(&u->start, argv);
}

int ssh_keys_parse_pid(const char *text)
{
        if (!text)
                return 0;
        char *end;
        errno = 0;
        long v = strtol(text, &end, 10);
        if (errno || end == text || v <= 0 || v > 4194304)
                return 0;
        while (*end == '\n' || *end == ' ')
                end++;
        return *end ? 0 : (int) v;
}

/* Whether pid is an sshd and a child of parent. */
static bool is_sibling_sshd(pid_t pid, pid_t parent)
{
        char path[64];
        _cleanup_free_ char *stat_txt = NULL;
        snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
        if (read_file(path, 4096, &stat_txt, NULL) < 0)
                return false;
        char *lp = strchr(stat_txt, '('), *rp = strrchr(stat_txt, ')');
        int ppid = 0;
        if (!lp || !rp || sscanf(rp + 1, " %*c %d", &ppid) != 1 || ppid != parent)
                return false;
        return rp - lp - 1 == 4 && strncmp(lp + 1, "sshd", 4) == 0;
}

static void sleep_ms(long ms)
{
        struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
        nanosleep(&ts, NULL);
}

/* Wait until the pid file names an sshd child of parent (it then listens and handles SIGHUP). */
static pid_t wait_pid_file(pid_t parent)
{
        for (int waited = 0; waited < PID_FILE_WAIT_MS; waited += 50) {
                _cleanup_free_ char *txt = NULL;
                if (read_file(SSHD_PID_FILE, 64, &txt, NULL) == 0) {
                        pid_t pid = ssh_keys_parse_pid(txt);
                        if (pid > 0 && is_sibling_sshd(pid, parent))
                                return pid;
                }
                sleep_ms(50);
        }
        return 0;
}

static int hup_sshd(pid_t parent)
{
        pid_t pid = wait_pid_file(parent);
        if (pid > 0)
                return kill(pid, SIGHUP) < 0 ? -errno : 1;
        /* no pid file (another PidFile=): every sshd pouch-init started */
        _cleanup_closedir_ DIR *d = opendir("/proc");
        if (!d)
                return -errno;
        int n = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                pid_t p = (pid_t) atoi(de->d_name);
                if (p > 0 && is_sibling_sshd(p, parent) && kill(p, SIGHUP) == 0)
                        n++;
        }
        return n;
}

int ssh_keys_generate_main(const char *keygen)
{
        pid_t parent = getppid();
        pid_t pid = fork();
        if (pid < 0) {
                fprintf(stderr, "pouch-init: cannot run %s: %s\n", keygen, strerror(errno));
                return 1;
        }
        if (pid == 0) {
                execl(keygen, keygen, "-A", (char *) NULL);
                fprintf(stderr, "pouch-init: cannot run %s: %s\n", keygen, strerror(errno));
                _exit(127);
        }
        int ws;
        while (waitpid(pid, &ws, 0) < 0)
                if (errno != EINTR)
                        return 1;
        int code = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
        if (code != 0) {
                fprintf(stderr, "pouch-init: %s -A failed with exit code %d\n", keygen, code);
                return code;
        }
        int r = hup_sshd(parent);
        if (r < 0)
                fprintf(stderr, "pouch-init: cannot signal sshd to load the new host keys: %s\n", strerror(-r));
        else if (r == 0)
                fprintf(stderr, "pouch-init: no sshd to load the new host keys\n");
        else
                printf("SSH host keys generated; sshd reloaded\n");
        return 0;
}
