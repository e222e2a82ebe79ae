/* Users and groups from the container's own /etc/passwd and /etc/group, parsed by hand: the
 * binary is static and must work in images with musl or no libc at all, so there is no NSS. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct passwd_entry {
        char *name;
        uid_t uid;
        gid_t gid;
        char *home;
        char *shell;
};

/* Find user (a name, or a number matched against the uid) in passwd-format text: 0 and a filled
 * *ret (free with passwd_entry_free), -ENOENT, -ENOMEM. Malformed lines are skipped. */
int passwd_find(const char *passwd_text, const char *user, struct passwd_entry *ret);
void passwd_entry_free(struct passwd_entry *e);

/* Find group (a name, or a number matched against the gid) in group-format text: 0 and *ret,
 * -ENOENT. */
int group_find(const char *group_text, const char *group, gid_t *ret);

/* The supplementary groups of user: every group of group_text whose member list names user,
 * plus primary first. 0 with a malloc'ed array (no duplicates) in *ret and its size in *n,
 * or -ENOMEM. */
int group_list_for(const char *group_text, const char *user, gid_t primary, gid_t **ret, size_t *n);

/* What a service runs as. */
struct credentials {
        uid_t uid;
        gid_t gid;
        gid_t *groups; /* supplementary groups, primary gid included */
        size_t n_groups;
        char *name;  /* user name, for USER/LOGNAME; NULL when the user was a bare number */
        char *home;  /* NULL when unknown */
        char *shell; /* NULL when unknown */
};

/* Resolve User= and Group= (either may be NULL; without User= the uid is our own) against passwd_text and group_text
 * (either may be NULL: no such file). A numeric User= missing from passwd runs with that uid, the gid of Group= or else
 * 0 (as Docker does). 0 and *ret (free with credentials_free), -ENOENT with a static message in *err for an unknown
 * name, or -ENOMEM. */
int credentials_resolve(const char *passwd_text, const char *group_text, const char *user, const char *group,
                        struct credentials *ret, const char **err);
/* Resolve against the files /etc/passwd and /etc/group of the running system. */
int credentials_resolve_system(const char *user, const char *group, struct credentials *ret, const char **err);
void credentials_free(struct credentials *c);
