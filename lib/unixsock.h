/* AF_UNIX helpers: listen, connect, pass file descriptors. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* Bind+listen on path (an existing socket file is replaced), chmod to mode. Returns fd or -errno. */
int unix_listen(const char *path, mode_t mode);
int unix_connect(const char *path);
/* Send len bytes of data with one fd attached (SCM_RIGHTS). */
int unix_send_fd(int sock, int fd, const void *data, size_t len);
/* Receive up to len bytes and at most one fd (*ret_fd = -1 when none). Returns bytes or -errno. */
ssize_t unix_recv_fd(int sock, void *data, size_t len, int *ret_fd);
