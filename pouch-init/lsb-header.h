/* The LSB header of a SysV init script:
 *   ### BEGIN INIT INFO
 *   # Provides:          myapp
 *   # Required-Start:    $remote_fs $syslog db
 *   # Should-Start:      cache
 *   # Short-Description: My application
 *   ### END INIT INFO
 * Facilities ($remote_fs, $network, ...) are kept in the lists; the caller decides. */
#pragma once

#include "strv.h"

struct lsb_header {
        bool found;
        struct strv provides;
        struct strv required_start;
        struct strv should_start;
        char *description;
};

/* Parse the header out of a script's text. 0 (found false when it has none) or -ENOMEM. */
int lsb_header_parse(const char *text, struct lsb_header *ret);
void lsb_header_free(struct lsb_header *h);
