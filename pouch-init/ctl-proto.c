/* The control protocol: request lines and the answer's code line. */
#include "ctl-proto.h"

#include "unit-parse.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *const verb_names[CTL_VERB_COUNT] = {
        [CTL_START] = "start",
        [CTL_STOP] = "stop",
        [CTL_RESTART] = "restart",
        [CTL_TRY_RESTART] = "try-restart",
        [CTL_RELOAD] = "reload",
        [CTL_STATUS] = "status",
        [CTL_IS_ACTIVE] = "is-active",
        [CTL_IS_FAILED] = "is-failed",
        [CTL_IS_ENABLED] = "is-enabled",
        [CTL_ENABLE] = "enable",
        [CTL_DISABLE] = "disable",
        [CTL_LIST_UNITS] = "list-units",
        [CTL_IS_SYSTEM_RUNNING] = "is-system-running",
        [CTL_DAEMON_RELOAD] = "daemon-reload",
};

int ctl_verb_from_string(const char *s)
{
        for (int v = 0; v < CTL_VERB_COUNT; v++)
                if (strcmp(s, verb_names[v]) == 0)
                        return v;
        /* the synonyms systemctl and init scripts accept */
        if (strcmp(s, "force-reload") == 0 || strcmp(s, "reload-or-restart") == 0)
                return CTL_RESTART;
        if (strcmp(s, "condrestart") == 0)
                return CTL_TRY_RESTART;
        return -1;
}

const char *ctl_verb_name(enum ctl_verb v)
{
        return (unsigned) v < CTL_VERB_COUNT ? verb_names[v] : "unknown";
}

bool ctl_verb_needs_name(enum ctl_verb v)
{
        return v != CTL_LIST_UNITS && v != CTL_IS_SYSTEM_RUNNING && v != CTL_DAEMON_RELOAD;
}

bool ctl_verb_changes(enum ctl_verb v)
{
        return v == CTL_START || v == CTL_STOP || v == CTL_RESTART || v == CTL_TRY_RESTART || v == CTL_RELOAD ||
               v == CTL_ENABLE || v == CTL_DISABLE;
}

bool ctl_name_valid(const char *s)
{
        size_t n = strlen(s);
        if (n == 0 || n >= CTL_NAME_MAX)
                return false;
        return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:_.@-\\") == n;
}

int ctl_request_parse(const char *buf, size_t len, struct ctl_request *ret)
{
        const char *nl = memchr(buf, '\n', len);
        if (!nl)
                return len >= CTL_REQUEST_MAX ? -EINVAL : -EAGAIN;
        size_t n = (size_t) (nl - buf);
        if (n >= CTL_REQUEST_MAX || memchr(buf, '\0', n))
                return -EINVAL;
        char line[CTL_REQUEST_MAX];
        memcpy(line, buf, n);
        line[n] = '\0';
        char *sp = strchr(line, ' ');
        const char *name = "";
        if (sp) {
                *sp = '\0';
                name = sp + 1;
        }
        int v = ctl_verb_from_string(line);
        if (v < 0)
                return -EINVAL;
        bool needs = ctl_verb_needs_name(v);
        if (needs != (*name != '\0') || (needs && !ctl_name_valid(name)))
                return -EINVAL;
        struct ctl_request rq = { .verb = v };
        strcpy(rq.name, name);
        unit_name_normalize(rq.name);
        if (needs && !rq.name[0])
                return -EINVAL;
        *ret = rq;
        return 0;
}

int ctl_request_format(enum ctl_verb verb, const char *name, char *buf, size_t size)
{
        if (name && !ctl_name_valid(name))
                return -EINVAL;
        int n = name ? snprintf(buf, size, "%s %s\n", ctl_verb_name(verb), name)
                     : snprintf(buf, size, "%s\n", ctl_verb_name(verb));
        if (n < 0 || (size_t) n >= size)
                return -ENOBUFS;
        return n;
}

int ctl_reply_parse(const char *buf, size_t len, int *ret_code, int *ret_fd, size_t *ret_text)
{
        const char *nl = memchr(buf, '\n', len < 8 ? len : 8);
        if (!nl || nl - buf < 3 || nl[-2] != ' ' || (nl[-1] != '1' && nl[-1] != '2'))
                return -EINVAL;
        char num[8];
        size_t n = (size_t) (nl - buf) - 2;
        memcpy(num, buf, n);
        num[n] = '\0';
        unsigned long long code;
        if (!parse_uint(num, 255, &code))
                return -EINVAL;
        *ret_code = (int) code;
        *ret_fd = nl[-1] - '0';
        *ret_text = (size_t) (nl - buf) + 1;
        return 0;
}
