/* Unit tests for daemon/health: status.json and systemd's state as observations, the record's
 * transitions (Status, FailingStreak, the log ring), the ps words; the health_status event filter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "daemon/events.h"
#include "daemon/health.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"
#include "lib/util.h"

#include <stdio.h>
#include <string.h>

static json_t *parse(const char *text)
{
        json_error_t e;
        json_t *j = json_loads(text, 0, &e);
        if (!j)
                fail_msg("bad test JSON %s: %s", text, e.text);
        return j;
}

/* The observation of a status.json text. */
static void probe_of(const char *status, struct health_probe *p)
{
        _cleanup_json_ json_t *st = status ? parse(status) : NULL;
        health_probe_rich(st, p);
}

static void assert_contains(const char *s, const char *want)
{
        if (!strstr(s, want))
                fail_msg("'%s' lacks '%s'", s, want);
}

#define SVC(name, state, restarts, code)                                                      \
        "{\"name\":\"" name "\",\"state\":\"" state "\",\"pid\":null,\"restarts\":" #restarts \
        ",\"lastExitCode\":" code "}"

static void test_rich_phases(void **state)
{
        (void) state;
        struct health_probe p;
        probe_of(NULL, &p);
        assert_int_equal(p.status, HEALTH_STARTING);
        probe_of("{\"phase\":\"initscript\",\"initscript\":{\"path\":\"/i.sh\",\"exitCode\":null}}", &p);
        assert_int_equal(p.status, HEALTH_STARTING);
        assert_contains(p.output, "initscript /i.sh running");
        probe_of("{\"phase\":\"failed\",\"initscript\":{\"path\":\"/i.sh\",\"exitCode\":3}}", &p);
        assert_int_equal(p.status, HEALTH_UNHEALTHY);
        assert_int_equal(p.exit_code, 1);
        assert_contains(p.output, "initscript /i.sh failed with exit code 3");
        /* services all up, but pouch-init is still in its starting phase */
        probe_of("{\"phase\":\"starting\",\"services\":[" SVC("a", "running", 0, "null") "]}", &p);
        assert_int_equal(p.status, HEALTH_STARTING);
        /* stopping and exited say nothing: a stop is no failure */
        probe_of("{\"phase\":\"stopping\",\"services\":[" SVC("a", "failed", 0, "1") "]}", &p);
        assert_int_equal(p.status, HEALTH_NONE);
        probe_of("{\"phase\":\"exited\",\"services\":[]}", &p);
        assert_int_equal(p.status, HEALTH_NONE);
}

static void test_rich_services(void **state)
{
        (void) state;
        struct health_probe p;
        /* running, a oneshot that stopped after success, a skipped one, a restart below the threshold */
        probe_of("{\"phase\":\"running\",\"services\":[" SVC("web", "running", 0, "null") "," SVC(
                         "init-db", "stopped", 0, "0") "," SVC("sysv-x", "skipped", 0,
                                                               "null") "," SVC("w2", "restarting", 2,
                                                                               "1") "," SVC("s", "stopping", 0,
                                                                                            "null") "]}",
                 &p);
        assert_int_equal(p.status, HEALTH_HEALTHY);
        assert_int_equal(p.exit_code, 0);
        assert_string_equal(p.output,
                            "web running; init-db stopped (last exit code 0); w2 restarting (last exit code 1); "
                            "s stopping");
        probe_of("{\"phase\":\"running\",\"services\":[" SVC("a", "waiting", 0, "null") "]}", &p);
        assert_int_equal(p.status, HEALTH_STARTING);
        /* a service still waiting or starting: starting */
        probe_of("{\"phase\":\"running\",\"services\":[" SVC("a", "running", 0, "null") "," SVC("b", "starting", 0,
                                                                                                "null") "]}",
                 &p);
        assert_int_equal(p.status, HEALTH_STARTING);
        /* a failed one, with its error */
        probe_of(
                "{\"phase\":\"running\",\"services\":[" SVC(
                        "a", "running", 0,
                        "null") ",{\"name\":\"db\",\"state\":\"failed\",\"restarts\":0,\"lastExitCode\":1,\"error\":\"no ExecStart=\"}]}",
                &p);
        assert_int_equal(p.status, HEALTH_UNHEALTHY);
        assert_int_equal(p.failed, 1);
        assert_int_equal(p.crashlooping, 0);
        assert_contains(p.output, "db failed (last exit code 1): no ExecStart=");
        /* crash-looping: restarting at the threshold; failed beats still-starting */
        probe_of("{\"phase\":\"starting\",\"services\":[" SVC("loop", "restarting", 3, "7") "," SVC("b", "waiting", 0,
                                                                                                    "null") "]}",
                 &p);
        assert_int_equal(p.status, HEALTH_UNHEALTHY);
        assert_int_equal(p.crashlooping, 1);
        assert_contains(p.output, "loop crash-looping, 3 restarts (last exit code 7)");
        /* nothing to run is healthy */
        probe_of("{\"phase\":\"running\",\"services\":[" SVC("x", "skipped", 0, "null") "]}", &p);
        assert_int_equal(p.status, HEALTH_HEALTHY);
        assert_string_equal(p.output, "no services");
}

static void test_systemd(void **state)
{
        (void) state;
        struct health_probe p;
        health_probe_systemd("running\n", "", &p);
        assert_int_equal(p.status, HEALTH_HEALTHY);
        assert_string_equal(p.output, "systemd running");
        health_probe_systemd("initializing\n", NULL, &p);
        assert_int_equal(p.status, HEALTH_STARTING);
        health_probe_systemd("starting", NULL, &p);
        assert_int_equal(p.status, HEALTH_STARTING);
        health_probe_systemd("degraded\n", "a.service loaded failed failed The A\nb.mount   loaded failed failed B\n",
                             &p);
        assert_int_equal(p.status, HEALTH_UNHEALTHY);
        assert_int_equal(p.exit_code, 1);
        assert_int_equal(p.failed, 2);
        assert_string_equal(p.output, "systemd degraded; failed units: a.service, b.mount");
        health_probe_systemd("maintenance\n", "", &p);
        assert_int_equal(p.status, HEALTH_UNHEALTHY);
        assert_string_equal(p.output, "systemd maintenance; failed units: none");
        const char *nothing[] = { "stopping\n", "offline\n", "unknown\n", "", NULL };
        for (size_t i = 0; i < ARRAY_SIZE(nothing); i++) {
                health_probe_systemd(nothing[i], NULL, &p);
                assert_int_equal(p.status, HEALTH_NONE);
        }
}

static struct health_probe probe(enum health_status s, const char *out)
{
        struct health_probe p = { .status = s, .exit_code = s == HEALTH_UNHEALTHY };
        snprintf(p.output, sizeof(p.output), "%s", out);
        return p;
}

static void test_apply(void **state)
{
        (void) state;
        _cleanup_json_ json_t *st = json_object();
        struct health_probe p = probe(HEALTH_STARTING, "a starting");
        assert_int_equal(health_apply(st, &p, "t1", "t1e"), HEALTH_CHANGED_STATUS | HEALTH_CHANGED_LOG);
        assert_string_equal(health_status_of(st), "starting");
        /* the same again: nothing new to log, no change */
        assert_int_equal(health_apply(st, &p, "t2", "t2e"), 0);
        p = probe(HEALTH_HEALTHY, "a running");
        assert_int_equal(health_apply(st, &p, "t3", "t3e"), HEALTH_CHANGED_STATUS | HEALTH_CHANGED_LOG);
        p = probe(HEALTH_UNHEALTHY, "a failed");
        assert_int_equal(health_apply(st, &p, "t4", "t4e"), HEALTH_CHANGED_STATUS | HEALTH_CHANGED_LOG);
        json_t *h = json_object_get(st, "Health");
        assert_int_equal(json_get_int(h, "FailingStreak", -1), 1);
        assert_int_equal(health_apply(st, &p, "t5", "t5e"), 0);
        assert_int_equal(health_apply(st, &p, "t6", "t6e"), 0);
        assert_int_equal(json_get_int(h, "FailingStreak", -1), 3);
        /* still unhealthy, another reason: logged, not a status change */
        p = probe(HEALTH_UNHEALTHY, "a failed; b failed");
        assert_int_equal(health_apply(st, &p, "t7", "t7e"), HEALTH_CHANGED_LOG);
        assert_int_equal(json_get_int(h, "FailingStreak", -1), 4);
        json_t *log = json_object_get(h, "Log");
        assert_int_equal(json_array_size(log), 4);
        json_t *last = json_array_get(log, 3);
        assert_string_equal(json_get_str(last, "Start", ""), "t7");
        assert_string_equal(json_get_str(last, "End", ""), "t7e");
        assert_int_equal(json_get_int(last, "ExitCode", -1), 1);
        assert_string_equal(json_get_str(last, "Output", ""), "a failed; b failed");
        /* healthy again resets the streak; the ring keeps the last five */
        p = probe(HEALTH_HEALTHY, "all fine");
        assert_int_equal(health_apply(st, &p, "t8", "t8e"), HEALTH_CHANGED_STATUS | HEALTH_CHANGED_LOG);
        assert_int_equal(json_get_int(h, "FailingStreak", -1), 0);
        p = probe(HEALTH_HEALTHY, "all fine, again");
        health_apply(st, &p, "t9", "t9e");
        assert_int_equal(json_array_size(log), HEALTH_LOG_MAX);
        assert_string_equal(json_get_str(json_array_get(log, 0), "Start", ""), "t3");
        /* HEALTH_NONE changes nothing */
        p = probe(HEALTH_NONE, "");
        assert_int_equal(health_apply(st, &p, "t10", "t10e"), 0);
        assert_string_equal(health_status_of(st), "healthy");
}

static void test_apply_bad_bytes(void **state)
{
        (void) state;
        _cleanup_json_ json_t *st = json_object();
        struct health_probe p = probe(HEALTH_UNHEALTHY, "x");
        /* output cut in the middle of a UTF-8 sequence, and a stray byte */
        memset(p.output, 'a', sizeof(p.output) - 2);
        p.output[sizeof(p.output) - 3] = (char) 0xc3;
        p.output[sizeof(p.output) - 2] = (char) 0xff;
        p.output[sizeof(p.output) - 1] = '\0';
        assert_int_equal(health_apply(st, &p, "t", "t"), HEALTH_CHANGED_STATUS | HEALTH_CHANGED_LOG);
        json_t *log = json_object_get(json_object_get(st, "Health"), "Log");
        assert_true(strlen(json_get_str(json_array_get(log, 0), "Output", "")) >= sizeof(p.output) - 3);
}

static void test_reset(void **state)
{
        (void) state;
        _cleanup_json_ json_t *st = json_object();
        health_reset(st);
        assert_string_equal(health_status_of(st), "starting");
        assert_int_equal(json_array_size(json_object_get(json_object_get(st, "Health"), "Log")), 0);
        struct health_probe p = probe(HEALTH_UNHEALTHY, "a failed");
        health_apply(st, &p, "t1", "t1");
        health_apply(st, &p, "t2", "t2");
        health_reset(st);
        json_t *h = json_object_get(st, "Health");
        assert_string_equal(json_get_str(h, "Status", ""), "starting");
        assert_int_equal(json_get_int(h, "FailingStreak", -1), 0);
        assert_int_equal(json_array_size(json_object_get(h, "Log")), 1);
}

static void test_ps_words(void **state)
{
        (void) state;
        char buf[256];
        _cleanup_json_ json_t *st = json_object();
        health_ps_suffix(st, "", buf, sizeof(buf));
        assert_string_equal(buf, "");
        health_ps_suffix(NULL, "1 failed", buf, sizeof(buf));
        assert_string_equal(buf, "");
        health_reset(st);
        health_ps_suffix(st, "", buf, sizeof(buf));
        assert_string_equal(buf, " (health: starting)");
        struct health_probe p = probe(HEALTH_HEALTHY, "ok");
        health_apply(st, &p, "t", "t");
        health_ps_suffix(st, "", buf, sizeof(buf));
        assert_string_equal(buf, " (healthy)");
        p = probe(HEALTH_UNHEALTHY, "x failed");
        p.failed = 1;
        p.crashlooping = 2;
        health_apply(st, &p, "t", "t");
        char detail[64];
        health_detail(&p, detail, sizeof(detail));
        assert_string_equal(detail, "1 failed, 2 crash-looping");
        health_ps_suffix(st, detail, buf, sizeof(buf));
        assert_string_equal(buf, " (unhealthy) (degraded: 1 failed, 2 crash-looping)");
        p.failed = 0;
        health_detail(&p, detail, sizeof(detail));
        assert_string_equal(detail, "2 crash-looping");
        p.crashlooping = 0;
        health_detail(&p, detail, sizeof(detail));
        assert_string_equal(detail, "");
        /* a small buffer is cut, never overrun */
        char small[8];
        health_ps_suffix(st, "1 failed", small, sizeof(small));
        assert_string_equal(small, " (unhea");
}

static void test_names(void **state)
{
        (void) state;
        for (int s = 0; s < _HEALTH_STATUS_MAX; s++)
                assert_int_equal(health_status_from_string(health_status_to_string(s)), s);
        assert_int_equal(health_status_from_string("sick"), HEALTH_NONE);
        assert_int_equal(health_status_from_string(NULL), HEALTH_NONE);
}

/* dockerd: event=health_status also matches "health_status: healthy" (and exec_create, exec_start) */
static void test_event_filter(void **state)
{
        (void) state;
        _cleanup_json_ json_t *ev = parse("{\"Type\":\"container\",\"Action\":\"health_status: healthy\","
                                          "\"Actor\":{\"ID\":\"abcd\",\"Attributes\":{\"name\":\"web\"}}}");
        struct {
                const char *filters;
                bool match;
        } cases[] = {
                { "{\"event\":[\"health_status\"]}", true },
                { "{\"event\":[\"health_status: healthy\"]}", true },
                { "{\"event\":[\"health_status: unhealthy\"]}", false },
                { "{\"event\":[\"health\"]}", false },
                { "{\"event\":[\"die\",\"health_status\"]}", true },
                { "{\"event\":[\"exec_start\"]}", false },
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct filters *f = NULL;
                assert_int_equal(filters_parse(cases[i].filters, NULL, &f, NULL), 0);
                if (event_matches(ev, f) != cases[i].match)
                        fail_msg("%s: wanted %d", cases[i].filters, cases[i].match);
                filters_free(f);
        }
        _cleanup_json_ json_t *ex = parse(
                "{\"Type\":\"container\",\"Action\":\"exec_start: sh -c x\",\"Actor\":{\"ID\":\"a\"}}");
        struct filters *f = NULL;
        assert_int_equal(filters_parse("{\"event\":[\"exec_start\"]}", NULL, &f, NULL), 0);
        assert_true(event_matches(ex, f));
        filters_free(f);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rich_phases),     cmocka_unit_test(test_rich_services),
                cmocka_unit_test(test_systemd),         cmocka_unit_test(test_apply),
                cmocka_unit_test(test_apply_bad_bytes), cmocka_unit_test(test_reset),
                cmocka_unit_test(test_ps_words),        cmocka_unit_test(test_names),
                cmocka_unit_test(test_event_filter),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
