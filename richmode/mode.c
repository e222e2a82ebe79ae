/* Rich mode names and the validation of the rich HostConfig fields. */
#include "richmode.h"

#include "lib/jsonutil.h"

#include <string.h>

static const char *const mode_names[_RICH_MODE_MAX] = {
        [RICH_MODE_POUCH_INIT] = "pouch-init",
        [RICH_MODE_DUMB_INIT] = "dumb-init",
        [RICH_MODE_SBIN_INIT] = "sbin-init",
        [RICH_MODE_SYSTEMD] = "systemd",
};

enum rich_mode rich_mode_from_string(const char *s)
{
        if (!s || !*s)
                return RICH_MODE_POUCH_INIT;
        for (int i = 0; i < _RICH_MODE_MAX; i++)
                if (strcmp(s, mode_names[i]) == 0)
                        return (enum rich_mode) i;
        return _RICH_MODE_INVALID;
}

const char *rich_mode_to_string(enum rich_mode m)
{
        return m >= 0 && m < _RICH_MODE_MAX ? mode_names[m] : NULL;
}

bool rich_enabled(const json_t *hc)
{
        return json_get_bool(hc, "Rich", false);
}

static int rich_services_validate(const char *v, bool rich, const char *mode, struct pouch_err *err);

int rich_validate(const json_t *hc, struct pouch_err *err)
{
        const char *mode = json_get_str(hc, "RichMode", "");
        const char *script = json_get_str(hc, "InitScript", "");
        bool rich = rich_enabled(hc);
        if (!rich && *mode)
                return err_set(err, -EINVAL, "--rich-mode can only be used together with --rich");
        if (!rich && *script)
                return err_set(err, -EINVAL, "--initscript can only be used together with --rich");
        if (rich_mode_from_string(mode) < 0)
                return err_set(err, -EINVAL,
                               "invalid rich mode '%s': choose pouch-init, dumb-init, sbin-init or systemd", mode);
        int r = rich_services_validate(json_get_str(hc, "RichServices", ""), rich, mode, err);
        if (r < 0)
                return r;
        /* a path or a command line (split by pouch-init) whose command is an absolute path */
        const char *first = script + strspn(script, " \t\n\"'");
        if (*script && first[0] != '/')
                return err_set(err, -EINVAL,
                               "--initscript needs an absolute path inside the container, or a command line "
                               "starting with one, not '%s'",
                               script);
        return 0;
}

/* RichServices: none, all, or a comma-separated list of systemd, sysv, pouch (pouch-init
 * checks it again: its own --rich-services). */
static int rich_services_validate(const char *v, bool rich, const char *mode, struct pouch_err *err)
{
        if (!*v)
                return 0;
        if (!rich)
                return err_set(err, -EINVAL, "--rich-services can only be used together with --rich");
        if (rich_mode_from_string(mode) != RICH_MODE_POUCH_INIT)
                return err_set(err, -EINVAL,
                               "--rich-services is for the pouch-init rich mode (the image's own init "
                               "runs its services in the %s mode)",
                               mode);
        static const char *const names[] = { "none", "all", "systemd", "sysv", "pouch" };
        for (const char *p = v;;) {
                size_t len = strcspn(p, ",");
                bool ok = false;
                for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && !ok; i++)
                        ok = strlen(names[i]) == len && strncmp(names[i], p, len) == 0;
                if (!ok)
                        return err_set(err, -EINVAL,
                                       "invalid --rich-services '%s': none, all, or a comma-separated list of "
                                       "systemd, sysv, pouch",
                                       v);
                if (!p[len])
                        return 0;
                p += len + 1;
        }
}

const char *rich_default_stop_signal(const json_t *hc)
{
        if (!rich_enabled(hc))
                return NULL;
        return rich_mode_from_string(json_get_str(hc, "RichMode", "")) == RICH_MODE_SYSTEMD ? "SIGRTMIN+3" : NULL;
}

bool rich_wants_console(const json_t *hc)
{
        return rich_enabled(hc) && rich_mode_from_string(json_get_str(hc, "RichMode", "")) == RICH_MODE_SYSTEMD;
}
