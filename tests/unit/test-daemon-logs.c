/* Unit tests for daemon/logs: frames, filters, tail, rotation and follow of json-file logs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "daemon/logs/logs-reader.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/util.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define L1 "{\"log\":\"out1\\n\",\"stream\":\"stdout\",\"time\":\"2026-11-22T23:50:49.000000001Z\"}\n"
#define L2 "{\"log\":\"err1\\n\",\"stream\":\"stderr\",\"time\":\"2026-11-22T23:50:50Z\"}\n"
#define BAD "this is not json\n{\"log\":1,\"stream\":\"stdout\",\"time\":\"2026-11-22T23:50:50Z\"}\n"
#define L3 "{\"log\":\"out2\\n\",\"stream\":\"stdout\",\"time\":\"2026-11-22T23:50:51.5Z\"}\n"
#define L4 "{\"log\":\"err2\\n\",\"stream\":\"stderr\",\"time\":\"2026-11-22T23:50:52.000000000Z\"}\n"
#define PARTIAL "{\"log\":\"half"

struct fixture {
        char dir[64];
        char path[128];
};

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));
        snprintf(f->dir, sizeof(f->dir), "/tmp/pouch-logs-XXXXXX");
        if (!mkdtemp(f->dir))
                return -1;
        snprintf(f->path, sizeof(f->path), "%s/c-json.log", f->dir);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        rm_rf(f->dir);
        free(f);
        return 0;
}

static void write_log(const char *path, const char *content)
{
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
        assert_true(fd >= 0);
        assert_int_equal(write_all(fd, content, strlen(content)), 0);
}

static void append_log(const char *path, const char *content)
{
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
        assert_true(fd >= 0);
        assert_int_equal(write_all(fd, content, strlen(content)), 0);
}

static int64_t ns_of(const char *ts)
{
        struct timespec t;
        assert_int_equal(parse_timestamp(ts, &t), 0);
        return timespec_to_ns(&t);
}

/* Decode frames into "S:payload|S:payload" (payload newlines kept); raw mode returns the bytes. */
static char *decode(int fd, bool raw)
{
        off_t size = lseek(fd, 0, SEEK_END);
        assert_true(size >= 0);
        unsigned char *buf = malloc((size_t) size + 1);
        assert_int_equal(pread(fd, buf, (size_t) size, 0), size);
        buf[size] = '\0';
        if (raw)
                return (char *) buf;
        char *out = strdup("");
        off_t pos = 0;
        while (pos < size) {
                assert_true(pos + 8 <= size);
                const unsigned char *h = buf + pos;
                assert_true(h[0] == 1 || h[0] == 2);
                assert_true(h[1] == 0 && h[2] == 0 && h[3] == 0);
                uint32_t len = ((uint32_t) h[4] << 24) | ((uint32_t) h[5] << 16) | ((uint32_t) h[6] << 8) | h[7];
                assert_true(pos + 8 + (off_t) len <= size);
                char *n = NULL;
                assert_true(asprintf(&n, "%s%s%d:%.*s", out, *out ? "|" : "", h[0], (int) len, (char *) h + 8) >= 0);
                free(out);
                out = n;
                pos += 8 + len;
        }
        free(buf);
        return out;
}

static struct logs_options all_opts(void)
{
        return (struct logs_options){ .stdout_ = true, .stderr_ = true, .tail = -1 };
}

static char *run(const char *path, const struct logs_options *o)
{
        _cleanup_close_ int fd = memfd_create("out", MFD_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(logs_stream(path, o, fd, NULL, NULL), 0);
        return decode(fd, o->tty);
}

static void check(const char *path, const struct logs_options *o, const char *want)
{
        char *got = run(path, o);
        assert_string_equal(got, want);
        free(got);
}

static void test_filters(void **state)
{
        struct fixture *f = *state;
        write_log(f->path, L1 L2 BAD L3 L4 PARTIAL);
        struct logs_options o = all_opts();
        check(f->path, &o, "1:out1\n|2:err1\n|1:out2\n|2:err2\n");

        o.stderr_ = false;
        check(f->path, &o, "1:out1\n|1:out2\n");
        o = all_opts();
        o.stdout_ = false;
        check(f->path, &o, "2:err1\n|2:err2\n");

        o = all_opts();
        o.tail = 2;
        check(f->path, &o, "1:out2\n|2:err2\n");
        o.tail = 0;
        check(f->path, &o, "");
        o.tail = 100;
        check(f->path, &o, "1:out1\n|2:err1\n|1:out2\n|2:err2\n");

        o = all_opts();
        o.since_ns = ns_of("2026-11-22T23:50:50Z");
        check(f->path, &o, "2:err1\n|1:out2\n|2:err2\n");
        o = all_opts();
        o.until_ns = ns_of("2026-11-22T23:50:51.5Z");
        check(f->path, &o, "1:out1\n|2:err1\n|1:out2\n");
        o.since_ns = ns_of("2026-11-22T23:50:49.5Z");
        check(f->path, &o, "2:err1\n|1:out2\n");

        o = all_opts();
        o.timestamps = true;
        o.tail = 1;
        check(f->path, &o, "2:2026-11-22T23:50:52.000000000Z err2\n");
        o.tail = 4;
        o.stderr_ = false;
        check(f->path, &o, "1:2026-11-22T23:50:51.500000000Z out2\n");

        o = all_opts();
        o.tty = true;
        check(f->path, &o, "out1\nerr1\nout2\nerr2\n");

        /* a missing log is just empty */
        char missing[256];
        snprintf(missing, sizeof(missing), "%s/nope.log", f->dir);
        o = all_opts();
        check(missing, &o, "");
}

/* Empty lines, even before anything was buffered (found by fuzzing: memcpy to NULL + 0, which
 * UBSan reports), and blank or odd lines between entries are skipped. */
static void test_empty_lines(void **state)
{
        struct fixture *f = *state;
        write_log(f->path, "\n\n" L1 "\n \n{}\n" L2);
        struct logs_options o = all_opts();
        check(f->path, &o, "1:out1\n|2:err1\n");
}

static void test_rotation(void **state)
{
        struct fixture *f = *state;
        char p[256];
        snprintf(p, sizeof(p), "%s.2", f->path);
        write_log(p, "{\"log\":\"zero\\n\",\"stream\":\"stdout\",\"time\":\"2026-11-22T23:50:48Z\"}\n");
        snprintf(p, sizeof(p), "%s.1", f->path);
        write_log(p, L1 L2);
        write_log(f->path, L3 L4);
        struct logs_options o = all_opts();
        check(f->path, &o, "1:zero\n|1:out1\n|2:err1\n|1:out2\n|2:err2\n");
        o.tail = 3; /* crosses from the active file into path.1 */
        check(f->path, &o, "2:err1\n|1:out2\n|2:err2\n");
        o.tail = 4;
        check(f->path, &o, "1:out1\n|2:err1\n|1:out2\n|2:err2\n");
        o.tail = 2;
        check(f->path, &o, "1:out2\n|2:err2\n");
        o = all_opts();
        o.until_ns = ns_of("2026-11-22T23:50:49.5Z");
        check(f->path, &o, "1:zero\n|1:out1\n");
}

/* many lines: tail reads backwards across block boundaries */
static void test_tail_many(void **state)
{
        struct fixture *f = *state;
        _cleanup_close_ int fd = open(f->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
        assert_true(fd >= 0);
        for (int i = 0; i < 5000; i++) {
                char line[160];
                int n = snprintf(line, sizeof(line),
                                 "{\"log\":\"line %d\\n\",\"stream\":\"stdout\",\"time\":\"2026-11-22T23:50:49Z\"}\n",
                                 i);
                assert_int_equal(write_all(fd, line, (size_t) n), 0);
        }
        struct logs_options o = all_opts();
        o.tail = 3;
        check(f->path, &o, "1:line 4997\n|1:line 4998\n|1:line 4999\n");
        o.tail = 1500;
        char *got = run(f->path, &o);
        assert_non_null(strstr(got, "1:line 3500\n|"));
        assert_null(strstr(got, "line 3499\n"));
        free(got);
}

struct writer {
        const char *path;
        atomic_bool running;
        atomic_int polls;
};

static bool writer_running(void *ud)
{
        struct writer *w = ud;
        atomic_fetch_add(&w->polls, 1);
        return atomic_load(&w->running);
}

static void *writer_thread(void *p)
{
        struct writer *w = p;
        usleep(100 * 1000);
        append_log(w->path, L2);
        usleep(50 * 1000);
        append_log(w->path, "{\"log\":\"sp");
        usleep(300 * 1000); /* the reader must wait for the rest of this line */
        append_log(w->path, "lit\\n\",\"stream\":\"stdout\",\"time\":\"2026-11-22T23:50:50.1Z\"}\n");
        /* rotate like the json-file driver: rename, then a new file */
        char p1[256];
        snprintf(p1, sizeof(p1), "%s.1", w->path);
        usleep(100 * 1000);
        rename(w->path, p1);
        usleep(300 * 1000);
        append_log(w->path, L3);
        usleep(100 * 1000);
        append_log(w->path, L4);
        atomic_store(&w->running, false);
        return NULL;
}

static void test_follow(void **state)
{
        struct fixture *f = *state;
        write_log(f->path, L1);
        struct writer w = { .path = f->path, .running = true };
        pthread_t t;
        assert_int_equal(pthread_create(&t, NULL, writer_thread, &w), 0);
        _cleanup_close_ int fd = memfd_create("out", MFD_CLOEXEC);
        struct logs_options o = all_opts();
        o.follow = true;
        int r = logs_stream(f->path, &o, fd, writer_running, &w);
        pthread_join(t, NULL);
        assert_int_equal(r, 0);
        assert_false(atomic_load(&w.running));
        assert_true(atomic_load(&w.polls) >= 2);
        char *got = decode(fd, false);
        assert_string_equal(got, "1:out1\n|2:err1\n|1:split\n|1:out2\n|2:err2\n");
        free(got);
}

/* follow of a log that does not exist yet, with tail 0 */
static void test_follow_created(void **state)
{
        struct fixture *f = *state;
        struct writer w = { .path = f->path, .running = true };
        pthread_t t;
        assert_int_equal(pthread_create(&t, NULL, writer_thread, &w), 0);
        _cleanup_close_ int fd = memfd_create("out", MFD_CLOEXEC);
        struct logs_options o = all_opts();
        o.follow = true;
        o.tail = 0;
        o.stdout_ = false;
        int r = logs_stream(f->path, &o, fd, writer_running, &w);
        pthread_join(t, NULL);
        assert_int_equal(r, 0);
        char *got = decode(fd, false);
        assert_string_equal(got, "2:err1\n|2:err2\n");
        free(got);
}

static bool never_running(void *ud)
{
        (void) ud;
        return false;
}

static void test_epipe(void **state)
{
        struct fixture *f = *state;
        write_log(f->path, L1 L2);
        int p[2];
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        close(p[0]);
        struct logs_options o = all_opts();
        o.follow = true;
        assert_int_equal(logs_stream(f->path, &o, p[1], never_running, NULL), -EPIPE);
        close(p[1]);
}

int main(void)
{
        signal(SIGPIPE, SIG_IGN);
        alarm(60); /* a follow that never returns must fail the run, not hang it */
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_filters, setup, teardown),
                cmocka_unit_test_setup_teardown(test_empty_lines, setup, teardown),
                cmocka_unit_test_setup_teardown(test_rotation, setup, teardown),
                cmocka_unit_test_setup_teardown(test_tail_many, setup, teardown),
                cmocka_unit_test_setup_teardown(test_follow, setup, teardown),
                cmocka_unit_test_setup_teardown(test_follow_created, setup, teardown),
                cmocka_unit_test_setup_teardown(test_epipe, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
