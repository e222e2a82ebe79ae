/* pouch-init's status.json, as the daemon sees it from the host side of /run/pouch-init. */
#include "richmode.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

json_t *rich_status_read(const char *state_dir)
{
        char path[4096];
        snprintf(path, sizeof(path), "%s/status.json", state_dir);
        json_t *j = NULL;
        char e[256];
        return json_read_file(path, &j, e, sizeof(e)) < 0 ? NULL : j;
}

static int64_t mono_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int rich_wait_initscript(const char *state_dir, bool (*alive)(void *ud), void *ud, int timeout_ms,
                         struct pouch_err *err)
{
        int64_t deadline = mono_ms() + timeout_ms;
        for (int delay = 2;; delay = delay < 50 ? delay * 2 : 50) {
                _cleanup_json_ json_t *st = rich_status_read(state_dir);
                const char *phase = json_get_str(st, "phase", "");
                if (strcmp(phase, "failed") == 0) {
                        json_t *is = json_object_get(st, "initscript");
                        return err_set(err, -ECANCELED, "initscript %s failed with exit code %lld: %s",
                                       json_get_str(is, "path", "?"), (long long) json_get_int(is, "exitCode", -1),
                                       json_get_str(is, "output", ""));
                }
                if (*phase && strcmp(phase, "initscript") != 0)
                        return 0;
                if (alive && !alive(ud)) {
                        /* one last look: the failure may have been written just before the exit */
                        json_decref(st);
                        st = rich_status_read(state_dir);
                        if (strcmp(json_get_str(st, "phase", ""), "failed") == 0)
                                continue;
                        return err_set(err, -ESRCH, "the container exited before its initscript finished");
                }
                if (mono_ms() > deadline)
                        return err_set(err, -ETIMEDOUT, "the initscript did not finish within %d s", timeout_ms / 1000);
                poll(NULL, 0, delay);
        }
}
