/* Small helpers shared by streaming handlers. */
#include "api.h"

#include "lib/fsutil.h"

#include "lib/fsutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

int write_frame(int fd, int stream, const void *buf, size_t len)
{
        unsigned char hdr[8] = { (unsigned char) stream, 0, 0, 0 };
        uint32_t be = htonl((uint32_t) len);
        memcpy(hdr + 4, &be, 4);
        int r = write_all(fd, hdr, sizeof(hdr));
        return r < 0 ? r : write_all(fd, buf, len);
}
