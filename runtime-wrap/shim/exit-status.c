/* The exit record (exit.json) and the one-line report on the sync fd. */
#include "runtime-run.h"

#include "lib/fsutil.h"
#include "lib/util.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int exit_code_of(int status)
{
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return 255;
}

int exit_signal_of(int status)
{
        return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

int exit_status_format(int status, const struct timespec *finished, bool oom_killed, char *buf, size_t len)
{
        char ts[48];
        format_rfc3339nano(finished, ts, sizeof(ts));
        int n = snprintf(buf, len, "{\"ExitCode\":%d,\"FinishedAt\":\"%s\",\"Signal\":%d,\"OOMKilled\":%s}\n",
                         exit_code_of(status), ts, exit_signal_of(status), oom_killed ? "true" : "false");
        return n < 0 || (size_t) n >= len ? -ENOBUFS : n;
}

int exit_status_write(const char *path, int status, const struct timespec *finished, bool oom_killed)
{
        char buf[160];
        int n = exit_status_format(status, finished, oom_killed, buf, sizeof(buf));
        if (n < 0)
                return n;
        return write_file_atomic(path, buf, (size_t) n, 0644);
}

int sync_report(int fd, pid_t pid, const char *error)
{
        if (fd < 0)
                return 0;
        char *line = NULL;
        if (error) {
                json_t *j = json_pack("{s:s}", "error", error);
                line = j ? json_dumps(j, JSON_COMPACT) : NULL;
                json_decref(j);
        } else if (asprintf(&line, "{\"pid\":%d}", (int) pid) < 0) {
                line = NULL;
        }
        if (!line && error) /* e.g. a message that is not UTF-8 */
                line = strdup("{\"error\":\"OCI runtime failed (unprintable message)\"}");
        int r = line ? write_all(fd, line, strlen(line)) : -ENOMEM;
        if (r == 0)
                r = write_all(fd, "\n", 1);
        free(line);
        close(fd);
        return r;
}
