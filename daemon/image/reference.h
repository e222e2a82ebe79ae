/* Docker image reference parsing and normalisation ("busybox" = docker.io/library/busybox:latest). */
#pragma once

#include <stdbool.h>

struct image_ref {
        char *domain; /* "docker.io", "127.0.0.1:5000" */
        char *path;   /* "library/busybox" */
        char *tag;    /* "latest" when neither tag nor digest given; NULL with a digest only */
        char *digest; /* "sha256:<hex>" or NULL */
};

/* -EINVAL for invalid references (uppercase repo, bad tag chars, empty). */
int reference_parse(const char *s, struct image_ref *ret);
void reference_done(struct image_ref *r);
/* "docker.io/library/busybox:latest" (tag or @digest). Caller frees. */
char *reference_full(const struct image_ref *r);
/* Familiar form: "busybox:latest", "127.0.0.1:5000/x:1". Caller frees. */
char *reference_familiar(const struct image_ref *r);
/* Repository only, full ("docker.io/library/busybox") or familiar ("busybox"). Caller frees. */
char *reference_repo(const struct image_ref *r, bool familiar);
