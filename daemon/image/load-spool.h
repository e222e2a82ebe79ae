/* An image archive spooled to disk: member name -> spooled file. */
#pragma once

#include "lib/err.h"

#include <jansson.h>
#include <stddef.h>

struct spool {
        char *dir;     /* removed by spool_done */
        json_t *files; /* cleaned member name -> spool file path */
        json_t *links; /* cleaned member name -> cleaned target member name */
        unsigned count;
};

/* Read the (optionally compressed) tar from fd into dir (an existing empty directory). */
int spool_archive(int fd, const char *dir, struct spool *ret, struct pouch_err *err);
void spool_done(struct spool *sp);
/* The spooled file of a member, following links; NULL when absent. */
const char *spool_lookup(const struct spool *sp, const char *name);
/* Read and parse a JSON member (at most 32 MiB). ret_data/ret_len (may be NULL) get the bytes. */
int spool_read_json(const struct spool *sp, const char *name, char **ret_data, size_t *ret_len, json_t **ret_json,
                    struct pouch_err *err);
