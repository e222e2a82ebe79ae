/* Messages sent to /dev/log. */
#include "syslog-parse.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

/* "<N>" with N up to 191 (facility 23, severity 7): its length, or 0. */
static size_t parse_pri(const char *b, size_t len, int *ret)
{
        if (len < 3 || b[0] != '<')
                return 0;
        int v = 0;
        size_t i = 1;
        for (; i < len && i <= 4 && isdigit((unsigned char) b[i]); i++)
                v = v * 10 + (b[i] - '0');
        if (i == 1 || i > 4 || i >= len || b[i] != '>' || v > 191)
                return 0;
        *ret = v;
        return i + 1;
}

/* "Mmm dd hh:mm:ss " (the day blank-padded): 16, or 0. */
static size_t parse_timestamp(const char *b, size_t len)
{
        static const char pat[] = "Aaa #9 99:99:99 "; /* A/a letter, # blank or digit, 9 digit */
        if (len < sizeof(pat) - 1)
                return 0;
        for (size_t i = 0; i < sizeof(pat) - 1; i++) {
                unsigned char c = (unsigned char) b[i];
                bool ok = pat[i] == 'A'   ? isupper(c)
                          : pat[i] == 'a' ? islower(c)
                          : pat[i] == '9' ? isdigit(c)
                          : pat[i] == '#' ? (c == ' ' || isdigit(c))
                                          : c == (unsigned char) pat[i];
                if (!ok)
                        return 0;
        }
        return sizeof(pat) - 1;
}

/* "TAG[PID]: " or "TAG: ": its length with the tag and pid in m, or 0 (no tag). */
static size_t parse_tag(const char *b, size_t len, struct syslog_msg *m)
{
        size_t t = 0;
        while (t < len && t < SYSLOG_TAG_MAX - 1 && b[t] != ':' && b[t] != '[' && !isspace((unsigned char) b[t]) &&
               (unsigned char) b[t] >= 0x20)
                t++;
        if (t == 0 || t >= len)
                return 0;
        size_t i = t;
        int pid = -1;
        if (b[i] == '[') {
                long v = 0;
                size_t d = ++i;
                while (i < len && isdigit((unsigned char) b[i]) && i - d < 10)
                        v = v * 10 + (b[i++] - '0');
                if (i == d || i >= len || b[i] != ']')
                        return 0;
                pid = (int) v;
                i++;
        }
        if (i >= len || b[i] != ':')
                return 0;
        i++;
        if (i < len && b[i] == ' ')
                i++;
        memcpy(m->tag, b, t);
        m->tag[t] = '\0';
        m->pid = pid;
        return i;
}

void syslog_parse(const char *buf, size_t len, struct syslog_msg *ret)
{
        struct syslog_msg m = { .pri = -1, .pid = -1 };
        if (len > SYSLOG_MSG_MAX)
                len = SYSLOG_MSG_MAX;
        /* what senders end messages with */
        while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\0' || buf[len - 1] == '\r'))
                len--;
        size_t i = parse_pri(buf, len, &m.pri);
        i += parse_timestamp(buf + i, len - i);
        i += parse_tag(buf + i, len - i, &m);
        m.text = buf + i;
        m.text_len = len - i;
        *ret = m;
}

int syslog_format_line(struct buf *out, const struct syslog_msg *m)
{
        int r = buf_puts(out, "[syslog] ");
        if (r >= 0 && m->tag[0])
                r = buf_printf(out, "%s: ", m->tag);
        for (size_t i = 0; r >= 0 && i < m->text_len; i++) {
                unsigned char c = (unsigned char) m->text[i];
                if ((c < 0x20 && c != '\t') || c == 0x7f)
                        r = buf_printf(out, "#%03o", c);
                else
                        r = buf_putc(out, (char) c);
        }
        if (r >= 0)
                r = buf_putc(out, '\n');
        return r < 0 ? -ENOMEM : 0;
}
