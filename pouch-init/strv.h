/* NULL-terminated, growable vectors of malloc'ed strings (argv and envp lists). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct strv {
        char **v; /* NULL-terminated once anything was pushed; may be NULL when empty */
        size_t n;
        size_t cap;
};

/* Append s, taking ownership (s is freed when the push fails): 0 or -ENOMEM. */
int strv_push(struct strv *s, char *owned);
/* Append a copy of str / of its first len bytes: 0 or -ENOMEM. */
int strv_push_dup(struct strv *s, const char *str);
int strv_push_ndup(struct strv *s, const char *str, size_t len);
/* Copy every string of src (NULL-terminated) to the end of s: 0 or -ENOMEM. */
int strv_extend(struct strv *s, char *const *src);
/* A NULL-terminated array even for an empty vector (for execve); -ENOMEM when that fails. */
int strv_terminate(struct strv *s);
/* Free the strings and the array; s is empty afterwards. */
void strv_free(struct strv *s);
/* Whether s holds str. */
bool strv_contains(const struct strv *s, const char *str);

/* Environment lists of NAME=value strings. */
/* Set NAME=value from "NAME=value" (a copy), replacing an earlier NAME: 0, -EINVAL (no '='), -ENOMEM. */
int strv_env_put(struct strv *s, const char *kv);
/* Set name to value: 0 or -ENOMEM. */
int strv_env_set(struct strv *s, const char *name, const char *value);
/* The value of name, or NULL. */
const char *strv_env_get(const struct strv *s, const char *name);

#define _cleanup_strv_ __attribute__((cleanup(strv_free)))
