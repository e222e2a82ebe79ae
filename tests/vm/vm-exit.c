/* vm-exit CODE: end the test VM with a status. Writes CODE to QEMU's isa-debug-exit device
 * (I/O port 0xf4), which makes QEMU exit with status CODE*2+1. Debian kernels have no
 * /dev/port, hence ioperm + outb. Returns 1 when the device is missing (caller powers off). */
#include <stdlib.h>
#include <sys/io.h>

int main(int argc, char **argv)
{
        int code = argc > 1 ? atoi(argv[1]) : 0;
        if (ioperm(0xf4, 1, 1) < 0)
                return 1;
        outb((unsigned char) code, 0xf4);
        return 1;
}
