/* services.d unit files (pouch-init/unit-parse.c) and their time spans: a unit either carries an
 * error message naming its file, or is complete (an ExecStart= command with argv[0], normalised
 * dependency names, a time span in range); a parsed time span re-parses from its milliseconds. */
#include "tests/fuzz/fuzz-common.h"

#include "pouch-init/unit-parse.h"

#define MAX_SPAN_MS (365LL * 24 * 3600 * 1000)

static void check_names(const struct strv *l)
{
        for (size_t i = 0; i < l->n; i++) {
                /* "a.service.service" is the unit file of that name, whose unit is "a.service" */
                FUZZ_CHECK(l->v[i] && *l->v[i]);
        }
}

static void check_cmd(const struct exec_cmd *c)
{
        FUZZ_CHECK(c->path && c->argv.n >= 1 && c->argv.v[0]);
        for (size_t i = 0; i < c->argv.n; i++)
                FUZZ_CHECK(c->argv.v[i]);
}

static void check_timespan(const char *s)
{
        int64_t ms;
        if (parse_timespan_ms(s, &ms) < 0)
                return;
        FUZZ_CHECK(ms >= 0 && ms <= MAX_SPAN_MS + 1);
        char again[32];
        snprintf(again, sizeof(again), "%lldms", (long long) ms);
        int64_t ms2;
        FUZZ_CHECK(parse_timespan_ms(again, &ms2) == 0 && ms2 == ms);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = fuzz_str(data, size);
        struct unit u;
        FUZZ_CHECK(unit_parse("fuzz.service", s, &u) == 0);
        FUZZ_STREQ(u.name, "fuzz");
        if (u.error) {
                FUZZ_CHECK(strncmp(u.error, "fuzz.service:", 13) == 0);
        } else {
                check_cmd(&u.start);
                for (size_t i = 0; i < u.n_pre; i++)
                        check_cmd(&u.pre[i]);
                check_names(&u.after);
                check_names(&u.requires);
                check_names(&u.wants);
                FUZZ_CHECK(u.restart_sec_ms >= 0 && u.restart_sec_ms <= MAX_SPAN_MS + 1);
                for (size_t i = 0; i < u.environment.n; i++)
                        FUZZ_CHECK(strchr(u.environment.v[i], '=') > u.environment.v[i]);
                for (size_t i = 0; i < u.n_env_files; i++)
                        FUZZ_CHECK(u.env_files[i].path && *u.env_files[i].path);
        }
        for (size_t i = 0; i < u.warnings.n; i++)
                FUZZ_CHECK(strncmp(u.warnings.v[i], "fuzz.service:", 13) == 0);
        unit_free(&u);
        char *nl = strchr(s, '\n');
        if (nl)
                *nl = '\0';
        check_timespan(s);
        free(s);
        return 0;
}
