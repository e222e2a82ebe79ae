#pragma once
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
struct create_opts {
        json_t *body;
        const char *name;
        bool detach, interactive, tty, auto_remove, help;
};
/* -1 on a usage error (message printed). */
int create_opts_parse(int argc, char **argv, struct create_opts *o);
void create_opts_usage(FILE *f);
