/* The health watcher of rich containers: inotify on status.json, a periodic look, the events. */
#include "health-watch.h"
#include "health.h"
#include "events.h"

#include "richmode/richmode.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/spawn.h"
#include "lib/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

enum watch_kind { WATCH_NONE, WATCH_POUCH_INIT, WATCH_SYSTEMD };

struct watch_entry {
        struct container *c; /* a reference held while watched */
        uint64_t generation; /* c->start_generation when the watch began */
        enum watch_kind kind;
        int wd; /* inotify watch of the rich state directory, -1 when none */
        struct watch_entry *next;
};

struct health_watch {
        int epfd, ifd, wake[2];
        pthread_t thread;
        bool running;
        unsigned ticks;
        struct watch_entry *entries; /* the thread's own */
};

enum { EV_WAKE = 1, EV_INOTIFY = 2 };

static enum watch_kind kind_of_locked(struct container *c)
{
        const json_t *hc = json_object_get(c->doc, "HostConfig");
        if (!rich_enabled(hc))
                return WATCH_NONE;
        switch (rich_mode_from_string(json_get_str(hc, "RichMode", ""))) {
        case RICH_MODE_POUCH_INIT:
                return WATCH_POUCH_INIT;
        case RICH_MODE_SYSTEMD:
                return WATCH_SYSTEMD;
        default:
                return WATCH_NONE;
        }
}

bool health_container_started_locked(struct container *c)
{
        if (kind_of_locked(c) == WATCH_NONE)
                return false;
        health_reset(json_object_get(c->doc, "State"));
        json_object_del(c->doc, HEALTH_DETAIL_KEY);
        return true;
}

static bool still_watched_locked(const struct watch_entry *e)
{
        return !e->c->removed && e->c->start_generation == e->generation &&
               (e->c->status == CONTAINER_RUNNING || e->c->status == CONTAINER_PAUSED);
}

static struct watch_entry *entry_of(struct health_watch *w, struct container *c)
{
        for (struct watch_entry *e = w->entries; e; e = e->next)
                if (e->c == c)
                        return e;
        return NULL;
}

static void entry_start(struct pouchd *d, struct health_watch *w, struct watch_entry *e)
{
        e->wd = -1;
        if (e->kind != WATCH_POUCH_INIT || w->ifd < 0)
                return;
        _cleanup_free_ char *dir = container_dir(d, e->c->id, "rich");
        if (dir)
                e->wd = inotify_add_watch(w->ifd, dir, IN_CLOSE_WRITE | IN_MOVED_TO);
        if (e->wd < 0)
                log_debug("health: no inotify watch on %s (%m); looking every %d ms", dir, HEALTH_TICK_MS);
}

static void entry_drop(struct pouchd *d, struct health_watch *w, struct watch_entry *e)
{
        if (e->wd >= 0)
                inotify_rm_watch(w->ifd, e->wd);
        container_put(d, e->c);
        free(e);
}

/* Drop the containers that stopped (or started again), add the rich ones that run. */
static void sync_entries(struct pouchd *d, struct health_watch *w)
{
        struct watch_entry *gone = NULL, *added = NULL;
        pthread_mutex_lock(&d->lock);
        for (struct watch_entry **p = &w->entries; *p;) {
                struct watch_entry *e = *p;
                if (still_watched_locked(e)) {
                        p = &e->next;
                        continue;
                }
                *p = e->next;
                e->next = gone;
                gone = e;
        }
        for (struct container *c = d->containers; c; c = c->next) {
                enum watch_kind k = c->status == CONTAINER_RUNNING && !c->removed ? kind_of_locked(c) : WATCH_NONE;
                struct watch_entry *e = k != WATCH_NONE && !entry_of(w, c) ? calloc(1, sizeof(*e)) : NULL;
                if (!e)
                        continue;
                *e = (struct watch_entry){ .c = c, .generation = c->start_generation, .kind = k, .next = added };
                c->refs++;
                added = e;
        }
        pthread_mutex_unlock(&d->lock);
        while (gone) {
                struct watch_entry *e = gone;
                gone = e->next;
                entry_drop(d, w, e);
        }
        while (added) {
                struct watch_entry *e = added;
                added = e->next;
                entry_start(d, w, e);
                e->next = w->entries;
                w->entries = e;
        }
}

/* systemd's view, asked inside the container through the runtime's exec. The commands are bounded
 * by timeout(1) when the image has it, so a hung systemd cannot hold the watcher for long. */
static void probe_systemd(struct pouchd *d, const char *id, struct health_probe *p)
{
        static const char script[] = "t=; command -v timeout >/dev/null 2>&1 && t='timeout 5'; "
                                     "$t systemctl is-system-running 2>/dev/null; echo '--'; "
                                     "$t systemctl --failed --plain --no-legend --no-pager 2>/dev/null";
        char *argv[12];
        int n = 0;
        argv[n++] = d->runtime.path;
        if (d->runtime.root) {
                argv[n++] = "--root";
                argv[n++] = d->runtime.root;
        }
        argv[n++] = "exec";
        argv[n++] = (char *) id;
        argv[n++] = "/bin/sh";
        argv[n++] = "-c";
        argv[n++] = (char *) script;
        argv[n] = NULL;
        struct spawn_result res = { 0 };
        if (spawn_capture(argv, NULL, NULL, 0, &res) < 0) {
                health_probe_systemd(NULL, NULL, p);
                return;
        }
        char *sep = strstr(res.out, "\n--\n");
        if (sep)
                *sep = '\0';
        health_probe_systemd(res.out, sep ? sep + 4 : NULL, p);
        spawn_result_done(&res);
}

static void publish(struct pouchd *d, struct container *c, json_t *attrs, const char *status)
{
        char action[64];
        snprintf(action, sizeof(action), "health_status: %s", status);
        event_publish(d->events, "container", action, c->id, attrs);
}

/* One look at one container: the observation applied to its record under d->lock. */
static void observe(struct pouchd *d, struct watch_entry *e)
{
        char start[48], end[48], detail[128];
        pthread_mutex_lock(&d->lock);
        bool running = still_watched_locked(e) && e->c->status == CONTAINER_RUNNING;
        pthread_mutex_unlock(&d->lock);
        if (!running)
                return; /* a paused container keeps its record (and an exec would wait for it) */
        struct timespec t = now_realtime();
        format_rfc3339nano(&t, start, sizeof(start));
        struct health_probe p;
        if (e->kind == WATCH_SYSTEMD) {
                probe_systemd(d, e->c->id, &p);
        } else {
                _cleanup_free_ char *dir = container_dir(d, e->c->id, "rich");
                _cleanup_json_ json_t *st = dir ? rich_status_read(dir) : NULL;
                health_probe_rich(st, &p);
        }
        t = now_realtime();
        format_rfc3339nano(&t, end, sizeof(end));
        health_detail(&p, detail, sizeof(detail));
        pthread_mutex_lock(&d->lock);
        if (!still_watched_locked(e) || e->c->status != CONTAINER_RUNNING || p.status == HEALTH_NONE) {
                pthread_mutex_unlock(&d->lock);
                return;
        }
        json_t *state = json_object_get(e->c->doc, "State");
        int changed = health_apply(state, &p, start, end);
        json_object_set_new(e->c->doc, HEALTH_DETAIL_KEY, json_string(detail));
        json_t *attrs = NULL;
        if (changed)
                container_save_locked(d, e->c);
        if (changed & HEALTH_CHANGED_STATUS)
                attrs = json_pack("{s:s,s:s}", "image", json_get_str(json_object_get(e->c->doc, "Config"), "Image", ""),
                                  "name", container_name(e->c) + 1);
        pthread_mutex_unlock(&d->lock);
        if (attrs) {
                log_debug("health %.12s: %s (%s)", e->c->id, health_status_to_string(p.status), p.output);
                publish(d, e->c, attrs, health_status_to_string(p.status));
        }
}

static void tick(struct pouchd *d, struct health_watch *w)
{
        sync_entries(d, w);
        bool systemd_turn = w->ticks++ % HEALTH_SYSTEMD_TICKS == 0;
        for (struct watch_entry *e = w->entries; e; e = e->next)
                if (e->kind != WATCH_SYSTEMD || systemd_turn)
                        observe(d, e);
}

/* status.json was rewritten in some watched directories. */
static void on_inotify(struct pouchd *d, struct health_watch *w)
{
        char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
        ssize_t n;
        while ((n = read(w->ifd, buf, sizeof(buf))) > 0) {
                for (char *p = buf; p < buf + n;) {
                        struct inotify_event *ev = (struct inotify_event *) p;
                        p += sizeof(*ev) + ev->len;
                        for (struct watch_entry *e = w->entries; e; e = e->next) {
                                if (e->wd != ev->wd)
                                        continue;
                                if (ev->mask & IN_IGNORED)
                                        e->wd = -1;
                                else if (ev->len && strcmp(ev->name, "status.json") == 0)
                                        observe(d, e);
                        }
                }
        }
}

static int64_t mono_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Drain the wake-up pipe: false when asked to quit. */
static bool on_wake(struct health_watch *w)
{
        char buf[64];
        ssize_t n;
        bool quit = false;
        while ((n = read(w->wake[0], buf, sizeof(buf))) > 0)
                quit |= memchr(buf, 'q', (size_t) n) != NULL;
        return !quit;
}

static void *watch_thread(void *p)
{
        struct pouchd *d = p;
        struct health_watch *w = d->health;
        int64_t next = mono_ms();
        for (;;) {
                int64_t wait = next - mono_ms();
                struct epoll_event evs[4];
                int n = epoll_wait(w->epfd, evs, 4, wait > 0 ? (int) wait : 0);
                if (n < 0 && errno != EINTR) {
                        log_error_errno(-errno, "health: epoll_wait failed");
                        return NULL;
                }
                bool now = false;
                for (int i = 0; i < n; i++) {
                        if (evs[i].data.u32 == EV_INOTIFY) {
                                on_inotify(d, w);
                        } else {
                                if (!on_wake(w))
                                        return NULL;
                                now = true;
                        }
                }
                if (now || mono_ms() >= next) {
                        tick(d, w);
                        next = mono_ms() + HEALTH_TICK_MS;
                }
        }
}

static void watch_free(struct health_watch *w)
{
        if (!w)
                return;
        if (w->epfd >= 0)
                close(w->epfd);
        if (w->ifd >= 0)
                close(w->ifd);
        for (int i = 0; i < 2; i++)
                if (w->wake[i] >= 0)
                        close(w->wake[i]);
        free(w);
}

int health_watch_start(struct pouchd *d)
{
        struct health_watch *w = calloc(1, sizeof(*w));
        if (!w)
                return -ENOMEM;
        w->wake[0] = w->wake[1] = -1;
        w->epfd = epoll_create1(EPOLL_CLOEXEC);
        /* without inotify the periodic look still works, only later */
        w->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (w->epfd < 0 || pipe2(w->wake, O_CLOEXEC | O_NONBLOCK) < 0) {
                int r = -errno;
                watch_free(w);
                return r;
        }
        struct epoll_event ev = { .events = EPOLLIN, .data.u32 = EV_WAKE };
        epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->wake[0], &ev);
        ev.data.u32 = EV_INOTIFY;
        if (w->ifd >= 0)
                epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->ifd, &ev);
        d->health = w;
        if (pthread_create(&w->thread, NULL, watch_thread, d) != 0) {
                d->health = NULL;
                watch_free(w);
                return -EAGAIN;
        }
        w->running = true;
        return 0;
}

void health_watch_stop(struct pouchd *d)
{
        struct health_watch *w = d->health;
        if (!w)
                return;
        if (write(w->wake[1], "q", 1) < 0)
                log_warn_errno(-errno, "health: cannot wake the watcher");
        pthread_join(w->thread, NULL);
        while (w->entries) {
                struct watch_entry *e = w->entries;
                w->entries = e->next;
                entry_drop(d, w, e);
        }
        watch_free(w);
        d->health = NULL;
}

void health_watch_kick(struct pouchd *d)
{
        /* a full pipe already holds a wake-up */
        if (d->health && write(d->health->wake[1], "k", 1) < 0 && errno != EAGAIN)
                log_debug("health: cannot wake the watcher: %m");
}
