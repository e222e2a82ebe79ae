/* An image's /etc/passwd and /etc/group as pouch-init reads them (pouch-init/users.c): input is
 * passwd text, a NUL, group text, a NUL, then a user name or number. A user found by name has
 * that name; found by number, that uid; the same entry is found again by its name only when it is
 * the first entry of that name. Supplementary groups start with the primary group and hold no
 * duplicates. */
#include "tests/fuzz/fuzz-common.h"

#include "pouch-init/users.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *parts[3];
        fuzz_splitn(data, size, parts, 3);
        const char *passwd = parts[0], *group = parts[1], *user = parts[2];
        struct passwd_entry e;
        if (passwd_find(passwd, user, &e) == 0) {
                FUZZ_CHECK(e.name);
                char *end = NULL;
                unsigned long long n = strtoull(user, &end, 10);
                if (*user && !*end && *user != '-' && *user != '+' && *user != ' ')
                        FUZZ_CHECK(e.uid == n || strcmp(e.name, user) == 0);
                else
                        FUZZ_STREQ(e.name, user);
                gid_t *groups = NULL;
                size_t ng = 0;
                FUZZ_CHECK(group_list_for(group, e.name, e.gid, &groups, &ng) == 0);
                FUZZ_CHECK(ng >= 1 && groups[0] == e.gid);
                for (size_t i = 0; i < ng; i++)
                        for (size_t j = i + 1; j < ng; j++)
                                FUZZ_CHECK(groups[i] != groups[j]);
                free(groups);
                passwd_entry_free(&e);
        }
        gid_t gid;
        (void) group_find(group, user, &gid);
        free(parts[0]);
        return 0;
}
