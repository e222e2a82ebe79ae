/* Messages sent to /dev/log, as glibc's syslog() and logger send them: RFC 3164
 * "<PRI>Mmm dd hh:mm:ss TAG[PID]: MSG" and the short "<PRI>TAG: MSG", and the line pouch-init writes
 * for each to the container's log: "[syslog] TAG: MSG". */
#pragma once

#include "buf.h"

#include <stddef.h>

#define SYSLOG_MSG_MAX 8192 /* longer datagrams are cut */
#define SYSLOG_TAG_MAX 64

struct syslog_msg {
        int pri;                  /* -1: none given */
        char tag[SYSLOG_TAG_MAX]; /* "" when the message has none */
        int pid;                  /* -1: none given */
        const char *text;         /* points into the parsed buffer */
        size_t text_len;
};

/* Parse one datagram (not NUL-terminated). Never fails: what is not understood stays in the text. */
void syslog_parse(const char *buf, size_t len, struct syslog_msg *ret);
/* Append "[syslog] TAG: MSG\n" (no "TAG: " without a tag). Control characters (newlines
 * included) become #NNN (octal, as rsyslog writes them); other bytes are kept as they are.
 * 0 or -ENOMEM. */
int syslog_format_line(struct buf *out, const struct syslog_msg *m);
