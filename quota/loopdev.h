/* Loop devices for the loop quota backend: attach an image file to a free device with
 * LO_FLAGS_AUTOCLEAR (the kernel detaches it when its last user, the mount, goes away, so an
 * unmount never leaks a device), and find out which image backs a mounted device. */
#pragma once

#include <sys/types.h>

/* 0 when /dev/loop-control can be opened (loop devices can be allocated here), else -errno. */
int loopdev_probe(void);
/* Attach image (read-write) to a free loop device (LOOP_CTL_GET_FREE + LOOP_CONFIGURE, or
 * LOOP_SET_FD + LOOP_SET_STATUS64 on kernels before 5.8). Returns an fd of the device and its
 * path in ret_path ("/dev/loopN", caller frees). Mount it, then close the fd: from then on the
 * mount holds the device. Closing the fd without mounting frees the device. */
int loopdev_attach(const char *image, char **ret_path);
/* The file backing block device dev, when dev is a loop device (from sysfs; " (deleted)" cut
 * off). -ENXIO when dev is not an attached loop device. */
int loopdev_backing_file(dev_t dev, char **ret_path);
