/* The LSB header of a SysV init script. */
#include "lsb-header.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int push_words(const char *v, struct strv *list)
{
        while (*v) {
                v += strspn(v, " \t");
                size_t len = strcspn(v, " \t");
                if (!len)
                        break;
                int r = strv_push_ndup(list, v, len);
                if (r < 0)
                        return r;
                v += len;
        }
        return 0;
}

/* One "# Key: value" line of the header. */
static int header_line(const char *line, struct lsb_header *h)
{
        line += strspn(line, "#");
        line += strspn(line, " \t");
        const char *colon = strchr(line, ':');
        if (!colon)
                return 0;
        size_t klen = (size_t) (colon - line);
        const char *v = colon + 1;
        v += strspn(v, " \t");
        if (klen == 8 && strncmp(line, "Provides", 8) == 0)
                return push_words(v, &h->provides);
        if (klen == 14 && strncmp(line, "Required-Start", 14) == 0)
                return push_words(v, &h->required_start);
        if (klen == 12 && strncmp(line, "Should-Start", 12) == 0)
                return push_words(v, &h->should_start);
        if (klen == 17 && strncmp(line, "Short-Description", 17) == 0 && !h->description) {
                h->description = strdup(v);
                return h->description ? 0 : -ENOMEM;
        }
        return 0;
}

int lsb_header_parse(const char *text, struct lsb_header *h)
{
        memset(h, 0, sizeof(*h));
        bool in = false;
        for (const char *s = text; *s;) {
                size_t len = strcspn(s, "\n");
                char line[1024];
                size_t n = len < sizeof(line) - 1 ? len : sizeof(line) - 1;
                memcpy(line, s, n);
                line[n] = '\0';
                if (n && line[n - 1] == '\r')
                        line[n - 1] = '\0';
                s += len + (s[len] == '\n');
                if (strncmp(line, "### BEGIN INIT INFO", 19) == 0) {
                        in = true;
                        h->found = true;
                        continue;
                }
                if (!in)
                        continue;
                if (strncmp(line, "### END INIT INFO", 17) == 0 || line[0] != '#')
                        break;
                int r = header_line(line, h);
                if (r < 0)
                        return r;
        }
        return 0;
}

void lsb_header_free(struct lsb_header *h)
{
        strv_free(&h->provides);
        strv_free(&h->required_start);
        strv_free(&h->should_start);
        free(h->description);
        h->description = NULL;
}
