/* `pouch run/create` options (cli/create-opts.c), including --env-file: input is the option words,
 * one per line, a NUL, then the contents of an env file given as --env-file. A successful parse
 * gives a request body that serialises and parses back the same, with NAME=value Env entries. */
#include "tests/fuzz/fuzz-common.h"

#include "cli/create-opts.h"
#include "lib/jsonutil.h"

#include <getopt.h>

#define MAX_ARGS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size > 8192)
                return 0;
        char *words, *env_text;
        fuzz_split2(data, size, &words, &env_text);
        int fd = fuzz_memfd((const uint8_t *) env_text, strlen(env_text));
        char envfile[64];
        snprintf(envfile, sizeof(envfile), "/proc/self/fd/%d", fd);
        char *argv[MAX_ARGS + 4] = { "run", "--env-file", envfile };
        int argc = 3;
        for (char *save = NULL, *w = strtok_r(words, "\n", &save); w && argc < MAX_ARGS;
             w = strtok_r(NULL, "\n", &save))
                argv[argc++] = w;
        argv[argc] = NULL;
        struct create_opts o;
        /* create_opts_parse sets optind = 1, which does not reset glibc's position inside a group of
         * short options: a scan with optind = 0 does, or it would point into the previous argv */
        char *reset[] = { "reset", NULL };
        opterr = 0;
        optind = 0;
        FUZZ_CHECK(getopt(1, reset, "") == -1);
        if (create_opts_parse(argc, argv, &o) == 0) {
                char *body = json_dumps(o.body, JSON_COMPACT);
                FUZZ_CHECK(body);
                json_t *again = json_loads(body, 0, NULL);
                FUZZ_CHECK(again && json_equal(again, o.body));
                size_t i;
                json_t *e;
                json_array_foreach(json_object_get(o.body, "Env"), i, e)
                        FUZZ_CHECK(json_is_string(e) && strchr(json_string_value(e), '='));
                json_decref(again);
                free(body);
        }
        json_decref(o.body);
        close(fd);
        free(words);
        return 0;
}
