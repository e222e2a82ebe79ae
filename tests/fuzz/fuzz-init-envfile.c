/* EnvironmentFile= parsing (pouch-init/unit-envfile.c) and the login-session environment files
 * (pouch-init/env-file.c): what parses renders to a profile.d file whose `export NAME='value'`
 * lines parse back to the same variables; the pam_env file has one line per variable it carries. */
#include "tests/fuzz/fuzz-common.h"

#include "pouch-init/buf.h"
#include "pouch-init/env-file.h"
#include "pouch-init/unit-envfile.h"

static size_t count_lines(const char *s)
{
        size_t n = 0;
        for (; *s; s++)
                n += *s == '\n';
        return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = fuzz_str(data, size);
        struct strv env = { 0 };
        unsigned bad = 0;
        int r = envfile_parse(s, &env, &bad);
        FUZZ_CHECK(r == 0 || r == -EINVAL);
        if (r == -EINVAL)
                FUZZ_CHECK(bad >= 1 && bad <= count_lines(s) + 1);
        if (r == 0 && env.n > 0) {
                FUZZ_CHECK(strv_terminate(&env) == 0);
                struct buf profile = { 0 }, pam = { 0 };
                FUZZ_CHECK(env_render_profile(env.v, &profile) == 0);
                FUZZ_CHECK(env_render_pam(env.v, &pam) == 0);
                struct strv again = { 0 };
                FUZZ_CHECK(envfile_parse(buf_str(&profile), &again, &bad) == 0);
                size_t expected = 0, pam_lines = 1;
                for (size_t i = 0; i < env.n; i++) {
                        const char *eq = strchr(env.v[i], '=');
                        FUZZ_CHECK(eq && eq > env.v[i]);
                        if (env_is_internal(env.v[i]))
                                continue;
                        expected++;
                        char *name = strndup(env.v[i], (size_t) (eq - env.v[i]));
                        FUZZ_CHECK(name);
                        pam_lines += pam_env_representable(name, eq + 1);
                        /* a CR ending a value is taken for the CR of a CRLF line when read back */
                        if (eq[1] && eq[strlen(eq) - 1] != '\r')
                                FUZZ_STREQ(strv_env_get(&again, name), eq + 1);
                        free(name);
                }
                FUZZ_CHECK(again.n == expected);
                FUZZ_CHECK(count_lines(buf_str(&pam)) == pam_lines);
                strv_free(&again);
                buf_free(&profile);
                buf_free(&pam);
        }
        strv_free(&env);
        free(s);
        return 0;
}
