#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct proc_stdio {
        int child[3];          /* given to the runtime (and so to the process) as 0,1,2 */
        int parent[3];         /* our ends: [0] write to stdin, [1]/[2] read stdout/stderr */
        const char *console_path;
        int console_listen;
        int pty_master;
};

int stdio_setup(struct proc_stdio *s, bool tty, bool open_stdin);
void stdio_close_child(struct proc_stdio *s);
int runtime_run(char **argv, struct proc_stdio *s, const char *log_file, char *ret_err, size_t errlen);
int sync_report(int fd, pid_t pid, const char *error);
pid_t read_pid_file(const char *path);
