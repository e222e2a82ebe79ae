/* pouch cp: docker cp's semantics over the archive API, with tar(1) on the local side.
 *
 * A destination that is an existing directory receives the source under its own name; any other
 * destination names the copy itself, so the tar stream is sent to (or unpacked in) the parent
 * directory with its top-level entry renamed, exactly as the docker CLI does. */
#include "cli.h"

#include "lib/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define GO_MODE_DIR (1u << 31) /* Go's os.ModeDir, as in X-Docker-Container-Path-Stat */

struct path_stat {
        bool exists, dir;
        char name[256];
};

/* "/containers/CTR/archive?path=PATH", escaped */
static void archive_url(char *out, size_t size, const char *ctr, const char *path)
{
        _cleanup_free_ char *ec = url_escape(ctr), *ep = url_escape(path);
        snprintf(out, size, "/containers/%s/archive?path=%s", ec ? ec : "", ep ? ep : "");
}

/* HEAD /containers/ID/archive?path=P: does P exist in the container and is it a directory? */
static int container_stat(struct cli *c, const char *ctr, const char *path, struct path_stat *ret)
{
        memset(ret, 0, sizeof(*ret));
        char url[8192];
        archive_url(url, sizeof(url), ctr, path);
        struct http_resp r;
        if (http_call(c, "HEAD", url, NULL, 0, NULL, &r) < 0)
                return -ECONNREFUSED;
        int rc = 0;
        if (r.status == 200) {
                ret->exists = true;
                _cleanup_free_ char *b64 = http_resp_header(&r, "X-Docker-Container-Path-Stat");
                size_t n = b64 ? strlen(b64) : 0;
                _cleanup_free_ unsigned char *js = malloc(n / 4 * 3 + 4);
                int k = js && n ? EVP_DecodeBlock(js, (const unsigned char *) b64, (int) n) : -1;
                json_t *st = k > 0 ? json_loadb((const char *) js, (size_t) k, JSON_DISABLE_EOF_CHECK, NULL) : NULL;
                json_int_t mode = json_integer_value(json_object_get(st, "mode"));
                const char *name = json_string_value(json_object_get(st, "name"));
                ret->dir = ((unsigned long long) mode & GO_MODE_DIR) != 0;
                snprintf(ret->name, sizeof(ret->name), "%s", name ? name : "");
                json_decref(st);
        } else if (r.status == 404 && strstr(r.body ? r.body : "", "No such container")) {
                cli_daemon_error(&r);
                rc = -ENOENT;
        } else if (r.status != 404) {
                cli_daemon_error(&r);
                rc = -EIO;
        }
        http_resp_done(&r);
        return rc;
}

/* Escape S for the pattern (regex = true) or the replacement of a GNU tar --transform expression
 * delimited by '|'. */
static void tar_escape(char *out, size_t size, const char *s, bool regex)
{
        size_t o = 0;
        for (; *s && o + 3 < size; s++) {
                bool special = regex ? strchr(".[]*^$\\|", *s) != NULL : strchr("\\&|", *s) != NULL;
                if (special)
                        out[o++] = '\\';
                out[o++] = *s;
        }
        out[o] = '\0';
}

/* --transform arguments that rename the top-level entry FROM (and what lies beneath it) to TO;
 * symlink targets are left alone. */
static void rename_exprs(char e1[4096], char e2[4096], const char *from, const char *to)
{
        char f[1024], t[1024];
        tar_escape(f, sizeof(f), from, true);
        tar_escape(t, sizeof(t), to, false);
        snprintf(e1, 4096, "--transform=s|^%s$|%s|S", f, t);
        snprintf(e2, 4096, "--transform=s|^%s/|%s/|S", f, t);
}

/* Start tar with ARGV; its stdin (to_tar) or stdout (!to_tar) is the returned pipe end. */
static pid_t spawn_tar(char *const argv[], bool to_tar, int *ret_fd)
{
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        pid_t pid = fork();
        if (pid < 0) {
                int e = errno;
                close(p[0]);
                close(p[1]);
                return -e;
        }
        if (pid == 0) {
                dup2(to_tar ? p[0] : p[1], to_tar ? STDIN_FILENO : STDOUT_FILENO);
                execvp("tar", argv);
                fprintf(stderr, "cannot run tar: %s\n", strerror(errno));
                _exit(127);
        }
        close(to_tar ? p[0] : p[1]);
        *ret_fd = to_tar ? p[1] : p[0];
        return pid;
}

static int wait_tar(pid_t pid)
{
        int st;
        while (waitpid(pid, &st, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -EIO;
}

static int write_fd_chunk(void *ud, const char *data, size_t len)
{
        int fd = *(int *) ud;
        while (len) {
                ssize_t k = write(fd, data, len);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return -1;
                data += k;
                len -= (size_t) k;
        }
        return 0;
}

static int discard_chunk(void *ud, const char *data, size_t len)
{
        (void) ud, (void) data, (void) len;
        return 0;
}

static int copy_from_container(struct cli *c, const char *ctr, const char *src, const char *dst)
{
        struct path_stat st;
        if (container_stat(c, ctr, src, &st) < 0)
                return 1;
        if (!st.exists) {
                fprintf(stderr, "Error response from daemon: Could not find the file %s in container %s\n", src, ctr);
                return 1;
        }
        char url[8192];
        archive_url(url, sizeof(url), ctr, src);
        long status;
        if (strcmp(dst, "-") == 0) {
                int fd = STDOUT_FILENO;
                return http_stream_call(c, "GET", url, -1, NULL, NULL, write_fd_chunk, &fd, &status) < 0 ? 1 : 0;
        }
        struct stat lst;
        bool dst_exists = stat(dst, &lst) == 0, dst_dir = dst_exists && S_ISDIR(lst.st_mode);
        if (dst_exists && !dst_dir && st.dir) {
                fprintf(stderr, "cannot copy a directory to a file: %s\n", dst);
                return 1;
        }
        _cleanup_free_ char *d1 = strdup(dst), *d2 = strdup(dst), *s1 = strdup(src);
        const char *dir = dst_dir ? dst : dirname(d1);
        if (!dst_dir && (stat(dir, &lst) < 0 || !S_ISDIR(lst.st_mode))) {
                fprintf(stderr, "destination directory %s does not exist\n", dir);
                return 1;
        }
        char e1[4096], e2[4096];
        char *full[10] = { "tar", "-x", "-f", "-", "-C", (char *) dir, NULL };
        if (!dst_dir) {
                /* the destination names the copy: unpack in its parent, renamed */
                rename_exprs(e1, e2, st.name[0] ? st.name : basename(s1), basename(d2));
                full[6] = e1;
                full[7] = e2;
                full[8] = NULL;
        }
        int fd = -1;
        pid_t pid = spawn_tar(full, true, &fd);
        if (pid < 0) {
                fprintf(stderr, "cannot run tar: %s\n", strerror((int) -pid));
                return 1;
        }
        int r = http_stream_call(c, "GET", url, -1, NULL, NULL, write_fd_chunk, &fd, &status);
        close(fd);
        int tr = wait_tar(pid);
        return r < 0 || tr < 0 ? 1 : 0;
}

static int copy_to_container(struct cli *c, const char *src, const char *ctr, const char *dst)
{
        struct path_stat st;
        if (container_stat(c, ctr, dst, &st) < 0)
                return 1;
        int fd = STDIN_FILENO;
        pid_t pid = 0;
        _cleanup_free_ char *d1 = strdup(dst), *d2 = strdup(dst), *s1 = strdup(src), *s2 = strdup(src);
        const char *target = dst;
        if (strcmp(src, "-") != 0) {
                struct stat lst;
                if (lstat(src, &lst) < 0) {
                        fprintf(stderr, "stat %s: %s\n", src, strerror(errno));
                        return 1;
                }
                if (st.exists && !st.dir && S_ISDIR(lst.st_mode)) {
                        fprintf(stderr, "cannot copy a directory to a file: %s\n", dst);
                        return 1;
                }
                const char *base = basename(s2);
                char e1[4096], e2[4096];
                char *argv[10] = { "tar", "-c", "-f", "-", "-C", dirname(s1) };
                int n = 6;
                if (!st.exists || !st.dir) {
                        /* the destination names the copy: send to its parent, renamed */
                        target = dirname(d1);
                        rename_exprs(e1, e2, base, basename(d2));
                        argv[n++] = e1;
                        argv[n++] = e2;
                }
                argv[n++] = (char *) base;
                argv[n] = NULL;
                pid = spawn_tar(argv, false, &fd);
                if (pid < 0) {
                        fprintf(stderr, "cannot run tar: %s\n", strerror((int) -pid));
                        return 1;
                }
        } else if (!st.exists || !st.dir) {
                fprintf(stderr, "destination \"%s:%s\" must be a directory\n", ctr, dst);
                return 1;
        }
        char url[8192];
        archive_url(url, sizeof(url), ctr, target);
        long status;
        int r = http_stream_call(c, "PUT", url, fd, "application/x-tar", NULL, discard_chunk, NULL, &status);
        int tr = 0;
        if (pid > 0) {
                close(fd);
                tr = wait_tar(pid);
        }
        return r < 0 || tr < 0 ? 1 : 0;
}

/* A CONTAINER:PATH argument? A leading '/' or '.' means a local path that may contain ':'. */
static const char *split_container(const char *arg)
{
        if (arg[0] == '/' || arg[0] == '.')
                return NULL;
        return strchr(arg, ':');
}

int cmd_cp(struct cli *c, int argc, char **argv)
{
        if (want_help(argc, argv, "cp"))
                return 0;
        if (argc != 3) {
                fprintf(stderr, "\"pouch cp\" requires exactly 2 arguments.\n");
                return 1;
        }
        const char *src = argv[1], *dst = argv[2];
        const char *sc = split_container(src), *dc = split_container(dst);
        if ((sc != NULL) == (dc != NULL)) {
                fprintf(stderr, "copying between containers or between local paths is not supported: "
                                "one of the paths must be CONTAINER:PATH\n");
                return 1;
        }
        const char *colon = sc ? sc : dc;
        const char *arg = sc ? src : dst;
        char ctr[256];
        snprintf(ctr, sizeof(ctr), "%.*s", (int) (colon - arg), arg);
        const char *cpath = colon + 1;
        if (!*cpath) {
                fprintf(stderr, "the container path must not be empty\n");
                return 1;
        }
        return sc ? copy_from_container(c, ctr, cpath, dst) : copy_to_container(c, src, ctr, cpath);
}
