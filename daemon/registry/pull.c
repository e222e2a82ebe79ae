/* registry_pull: manifest (list) -> platform manifest -> config -> layers in parallel, each blob
 * verified before use, unpacked in order as soon as it and its predecessors are there, committed
 * to the store only when everything is complete. */
#include "pull.h"

#include "client.h"
#include "manifest.h"

#include "daemon/image/reference.h"
#include "daemon/image/store-internal.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/util.h"

#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define PULL_PARALLEL 3

bool registry_plain_http_allowed(const char *domain, char *const insecure[])
{
        char host[256];
        snprintf(host, sizeof(host), "%s", domain);
        char *colon = strrchr(host, ':');
        if (host[0] == '[') {
                char *end = strchr(host, ']');
                if (end)
                        *end = '\0';
                memmove(host, host + 1, strlen(host));
        } else if (colon) {
                *colon = '\0';
        }
        if (strncmp(host, "127.", 4) == 0 || strcmp(host, "localhost") == 0 || strcmp(host, "::1") == 0)
                return true;
        for (char *const *i = insecure; i && *i; i++)
                if (strcmp(*i, domain) == 0 || strcmp(*i, host) == 0)
                        return true;
        return false;
}

static void msg_status(pull_message_fn cb, void *ud, const char *id, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static void msg_status(pull_message_fn cb, void *ud, const char *id, const char *fmt, ...)
{
        if (!cb)
                return;
        char buf[1024];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        json_t *m = id ? json_pack("{s:s,s:s}", "status", buf, "id", id) : json_pack("{s:s}", "status", buf);
        cb(ud, m);
        json_decref(m);
}

struct layer_job {
        const char *digest;
        int64_t size;
        char short_id[16];
        char *path;     /* the downloaded (compressed) blob */
        char chain[72]; /* the layer's chain id */
        bool skip;      /* already in the store */
        bool reused;    /* another pull stored it while we waited for its lock */
        int fd;         /* the verified download, opened while its lock was held */
        bool done;
        int result;
        struct pouch_err err;
};

struct pull_ctx {
        struct image_store *s;
        const char *domain, *endpoint, *repo;
        bool plain_http;
        const struct registry_options *o;
        pull_message_fn cb;
        void *ud;
        pthread_mutex_t lock;
        pthread_cond_t cond;
        struct layer_job *jobs;
        size_t n_jobs, next_job;
        int64_t last_report_ns;
};

struct progress_ud {
        struct pull_ctx *ctx;
        struct layer_job *job;
        int64_t last_ns;
};

static void blob_progress(void *p, int64_t done, int64_t total)
{
        struct progress_ud *pu = p;
        struct timespec now = now_realtime();
        int64_t ns = timespec_to_ns(&now);
        if (ns - pu->last_ns < 200000000LL || !pu->ctx->cb)
                return;
        pu->last_ns = ns;
        char bar[64];
        int width = 50, fill = total > 0 ? (int) (done * width / total) : 0;
        if (fill > width)
                fill = width;
        char *b = bar;
        *b++ = '[';
        for (int i = 0; i < width; i++)
                *b++ = i < fill ? '=' : (i == fill ? '>' : ' ');
        *b++ = ']';
        *b = '\0';
        char cur[32], tot[32], progress[160];
        format_human_size((double) done, cur, sizeof(cur));
        format_human_size((double) total, tot, sizeof(tot));
        snprintf(progress, sizeof(progress), "%s  %s/%s", bar, cur, tot);
        json_t *m = json_pack("{s:s,s:{s:I,s:I},s:s,s:s}", "status", "Downloading", "progressDetail", "current",
                              (json_int_t) done, "total", (json_int_t) total, "progress", progress, "id",
                              pu->job->short_id);
        pthread_mutex_lock(&pu->ctx->lock);
        pu->ctx->cb(pu->ctx->ud, m);
        pthread_mutex_unlock(&pu->ctx->lock);
        json_decref(m);
}

/* Each blob has a lock file beside its download, held only while one pull downloads or verifies
 * it: a concurrent pull of the same blob waits, then finds the complete file (or the layer in the
 * store) instead of fetching it again. Holding it only for the download, never while waiting for
 * anything else, is what keeps pulls that share layers in any order from deadlocking. The lock
 * file may be unlinked by its holder, so a lock taken on a file no longer at the path is retried. */
static int lock_blob(const char *path)
{
        _cleanup_free_ char *lockpath = NULL;
        if (asprintf(&lockpath, "%s.lock", path) < 0)
                return -ENOMEM;
        for (;;) {
                int fd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
                if (fd < 0)
                        return log_warn_errno(-errno, "cannot open the lock file %s", lockpath);
                if (flock(fd, LOCK_EX) < 0) {
                        int r = -errno;
                        close(fd);
                        return log_warn_errno(r, "cannot lock %s", lockpath);
                }
                struct stat a, b;
                if (fstat(fd, &a) == 0 && stat(lockpath, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
                        return fd;
                close(fd);
        }
}

static void unlock_blob(const char *path, int lockfd, bool remove_lock)
{
        if (lockfd < 0)
                return;
        _cleanup_free_ char *lockpath = NULL;
        if (remove_lock && asprintf(&lockpath, "%s.lock", path) > 0)
                unlink(lockpath);
        close(lockfd);
}

/* After the pull: remove the shared download if it is still the file this pull used. */
static void release_download(struct layer_job *j)
{
        if (j->fd < 0)
                return;
        int lockfd = lock_blob(j->path);
        struct stat a, b;
        bool same = fstat(j->fd, &a) == 0 && stat(j->path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
        if (same)
                unlink(j->path);
        unlock_blob(j->path, lockfd, same);
        close(j->fd);
        j->fd = -1;
}

/* One layer: the store may already have it (a concurrent pull committed it meanwhile); otherwise
 * fetch or resume it and verify it under the blob's lock, and keep it open for ingestion. */
static int fetch_layer(struct pull_ctx *ctx, struct registry_client *rc, struct layer_job *j)
{
        int lockfd = lock_blob(j->path);
        int r = 0;
        if (store_layer_complete(ctx->s, j->chain)) {
                j->reused = true;
        } else {
                struct progress_ud pu = { .ctx = ctx, .job = j };
                r = registry_fetch_blob(rc, ctx->repo, j->digest, j->size, j->path, blob_progress, &pu, &j->err);
                if (r == 0) {
                        j->fd = open(j->path, O_RDONLY | O_CLOEXEC);
                        if (j->fd < 0)
                                r = err_set(&j->err, -errno, "cannot open downloaded layer %s: %m", j->digest);
                }
        }
        unlock_blob(j->path, lockfd, false);
        return r;
}

/* Blobs are downloaded to downloads/<hex>; an interrupted download resumes from the partial file. */
static void *download_thread(void *p)
{
        struct pull_ctx *ctx = p;
        struct registry_client *rc = NULL;
        struct pouch_err cerr = { 0 };
        int r0 = registry_client_new(ctx->domain, ctx->endpoint, ctx->plain_http, ctx->o->user, ctx->o->password, &rc,
                                     &cerr);
        for (;;) {
                pthread_mutex_lock(&ctx->lock);
                while (ctx->next_job < ctx->n_jobs && ctx->jobs[ctx->next_job].skip)
                        ctx->next_job++;
                if (ctx->next_job >= ctx->n_jobs) {
                        pthread_mutex_unlock(&ctx->lock);
                        break;
                }
                struct layer_job *j = &ctx->jobs[ctx->next_job++];
                pthread_mutex_unlock(&ctx->lock);
                int r;
                if (r0 < 0) {
                        r = r0;
                        j->err = cerr;
                } else {
                        r = fetch_layer(ctx, rc, j);
                }
                pthread_mutex_lock(&ctx->lock);
                j->result = r;
                j->done = true;
                if (r == 0 && ctx->cb) {
                        json_t *m = json_pack("{s:s,s:s}", "status", "Download complete", "id", j->short_id);
                        ctx->cb(ctx->ud, m);
                        json_decref(m);
                }
                pthread_cond_broadcast(&ctx->cond);
                pthread_mutex_unlock(&ctx->lock);
        }
        registry_client_free(rc);
        return NULL;
}

static int fetch_small_blob(struct registry_client *rc, struct image_store *s, const char *repo, const char *digest,
                            char **ret_data, size_t *ret_len, struct pouch_err *err)
{
        _cleanup_free_ char *path = NULL;
        int r = store_mktemp(s, "config", true, &path);
        if (r < 0)
                return err_set(err, r, "cannot create a temporary file: %s", strerror(-r));
        r = registry_fetch_blob(rc, repo, digest, -1, path, NULL, NULL, err);
        if (r == 0) {
                r = read_file(path, MANIFEST_MAX_BYTES, ret_data, ret_len);
                if (r < 0)
                        err_set(err, r, "cannot read the image config: %s", strerror(-r));
        }
        unlink(path);
        return r;
}

/* Resolve the manifest for our platform; tries each endpoint (mirrors first for docker.io). */
static int get_image_manifest(struct registry_client *rc, const char *repo, const char *reference, const char *platform,
                              json_t **ret, char ret_digest[80], struct pouch_err *err)
{
        _cleanup_json_ json_t *doc = NULL;
        _cleanup_free_ char *mt = NULL;
        char digest[80];
        int r = registry_get_manifest(rc, repo, reference, &doc, digest, &mt, err);
        if (r < 0)
                return r;
        enum manifest_kind k = manifest_kind_of(mt, doc);
        if (k == MANIFEST_INDEX) {
                const char *d, *dmt;
                r = manifest_select(doc, platform, &d, &dmt, err);
                if (r < 0)
                        return r;
                char sel[80];
                snprintf(sel, sizeof(sel), "%s", d);
                json_decref(doc);
                doc = NULL;
                free(mt);
                mt = NULL;
                r = registry_get_manifest(rc, repo, sel, &doc, digest, &mt, err);
                if (r < 0)
                        return r;
                k = manifest_kind_of(mt, doc);
        }
        if (k != MANIFEST_IMAGE)
                return err_set(err, -EINVAL, "unsupported manifest type \"%s\" for %s", mt ? mt : "", reference);
        r = manifest_validate(doc, err);
        if (r < 0)
                return r;
        /* docker reports the digest of what the tag points at (the list, when there is one) */
        *ret = TAKE_PTR(doc);
        snprintf(ret_digest, 80, "%s", digest);
        return 0;
}

static int pull_from(struct pull_ctx *ctx, const struct image_ref *ref, const char *full, char ret_id[80],
                     struct pouch_err *err)
{
        struct image_store *s = ctx->s;
        struct registry_client *rc = NULL;
        int r = registry_client_new(ctx->domain, ctx->endpoint, ctx->plain_http, ctx->o->user, ctx->o->password, &rc,
                                    err);
        if (r < 0)
                return r;
        const char *reference = ref->digest ? ref->digest : ref->tag;
        _cleanup_json_ json_t *manifest = NULL;
        char manifest_digest[80];
        msg_status(ctx->cb, ctx->ud, reference, "Pulling from %s", ref->path);
        r = get_image_manifest(rc, ref->path, reference, ctx->o->platform, &manifest, manifest_digest, err);
        if (r < 0) {
                registry_client_free(rc);
                return r;
        }
        json_t *layers = json_object_get(manifest, "layers");
        const char *config_digest = json_get_str(json_object_get(manifest, "config"), "digest", "");
        char *config = NULL;
        size_t config_len = 0;
        r = fetch_small_blob(rc, s, ref->path, config_digest, &config, &config_len, err);
        registry_client_free(rc);
        if (r < 0)
                return r;
        _cleanup_json_ json_t *cfg = json_loadb(config, config_len, 0, NULL);
        json_t *diff_ids = json_object_get(json_object_get(cfg, "rootfs"), "diff_ids");
        if (!json_is_array(diff_ids) || json_array_size(diff_ids) != json_array_size(layers)) {
                free(config);
                return err_set(err, -EINVAL, "image config does not match the manifest (%zu diff ids, %zu layers)",
                               json_array_size(diff_ids), json_array_size(layers));
        }

        size_t n = json_array_size(layers);
        _cleanup_free_ char *dl = store_path(s, "downloads");
        if (dl)
                mkdir_p(dl, 0700);
        struct layer_job *jobs = calloc(n ? n : 1, sizeof(*jobs));
        char chain[72] = "";
        for (size_t i = 0; i < n; i++) {
                json_t *l = json_array_get(layers, i);
                jobs[i].digest = json_get_str(l, "digest", "");
                jobs[i].size = json_get_int(l, "size", -1);
                snprintf(jobs[i].short_id, sizeof(jobs[i].short_id), "%.12s", jobs[i].digest + 7);
                char next[72];
                chain_id_next(i ? chain : NULL, json_string_value(json_array_get(diff_ids, i)), next);
                memcpy(chain, next, sizeof(chain));
                jobs[i].skip = store_layer_complete(s, chain);
                jobs[i].fd = -1;
                memcpy(jobs[i].chain, chain, sizeof(jobs[i].chain));
                /* downloads/ survives a daemon restart (tmp/ is cleaned at start): resumable */
                jobs[i].path = store_path(s, "downloads/%s", jobs[i].digest + 7);
                msg_status(ctx->cb, ctx->ud, jobs[i].short_id, jobs[i].skip ? "Already exists" : "Pulling fs layer");
        }
        ctx->jobs = jobs;
        ctx->n_jobs = n;
        ctx->next_job = 0;
        pthread_t threads[PULL_PARALLEL];
        int nthreads = 0;
        for (int t = 0; t < PULL_PARALLEL && (size_t) t < n; t++)
                if (pthread_create(&threads[nthreads], NULL, download_thread, ctx) == 0)
                        nthreads++;

        struct pending_image p = { 0 };
        p.layers = calloc(n ? n : 1, sizeof(*p.layers));
        p.n_layers = 0;
        const char *parent = NULL;
        r = 0;
        for (size_t i = 0; i < n && r == 0; i++) {
                const char *want = json_string_value(json_array_get(diff_ids, i));
                if (!jobs[i].skip) {
                        pthread_mutex_lock(&ctx->lock);
                        while (!jobs[i].done)
                                pthread_cond_wait(&ctx->cond, &ctx->lock);
                        pthread_mutex_unlock(&ctx->lock);
                        if (jobs[i].result < 0) {
                                r = jobs[i].result;
                                *err = jobs[i].err;
                                break;
                        }
                        if (!jobs[i].reused)
                                msg_status(ctx->cb, ctx->ud, jobs[i].short_id, "Extracting");
                }
                bool stored = jobs[i].skip || jobs[i].reused;
                int fd = stored ? open("/dev/null", O_RDONLY | O_CLOEXEC) : dup(jobs[i].fd);
                if (fd < 0) {
                        r = err_set(err, -errno, "cannot open downloaded layer %s: %m", jobs[i].digest);
                        break;
                }
                r = ingest_layer(s, fd, want, parent, &p.layers[i], err);
                close(fd);
                if (r < 0)
                        break;
                p.n_layers++;
                parent = p.layers[i].chain_id;
                if (!stored) {
                        msg_status(ctx->cb, ctx->ud, jobs[i].short_id, "Pull complete");
                } else if (jobs[i].reused) {
                        msg_status(ctx->cb, ctx->ud, jobs[i].short_id, "Already exists");
                }
        }
        /* on failure stop the remaining downloads quickly: mark everything taken */
        pthread_mutex_lock(&ctx->lock);
        if (r < 0)
                ctx->next_job = n;
        pthread_mutex_unlock(&ctx->lock);
        for (int t = 0; t < nthreads; t++)
                pthread_join(threads[t], NULL);
        if (r == 0)
                r = pending_image_set_config(&p, config, config_len, err);
        else
                free(config);
        if (r == 0) {
                p.tags = strv_new();
                p.repo_digests = strv_new();
                if (ref->tag && !ref->digest)
                        strv_push(&p.tags, full);
                _cleanup_free_ char *repo = reference_repo(ref, false);
                _cleanup_free_ char *rd = NULL;
                if (repo && asprintf(&rd, "%s@%s", repo, ref->digest ? ref->digest : manifest_digest) > 0)
                        strv_push(&p.repo_digests, rd);
                r = store_commit(s, &p, NULL, err);
                if (r == 0) {
                        snprintf(ret_id, 80, "%s", p.id);
                        msg_status(ctx->cb, ctx->ud, NULL, "Digest: %s", ref->digest ? ref->digest : manifest_digest);
                }
        }
        pending_image_done(&p);
        /* committed (or failed): the downloads are no longer needed, unless a failed pull can
         * resume them; a concurrent pull that opened one keeps reading its own descriptor */
        for (size_t i = 0; i < n; i++) {
                if (r == 0)
                        release_download(&jobs[i]);
                else if (jobs[i].fd >= 0)
                        close(jobs[i].fd);
                free(jobs[i].path);
        }
        free(jobs);
        ctx->jobs = NULL;
        return r;
}

int registry_pull(struct image_store *s, const char *name, const struct registry_options *o, pull_message_fn cb,
                  void *ud, char ret_id[80], struct pouch_err *err)
{
        struct image_ref ref = { 0 };
        if (reference_parse(name, &ref) < 0)
                return err_set(err, -EINVAL, "invalid reference format: %s", name);
        _cleanup_free_ char *full = reference_full(&ref);
        _cleanup_free_ char *familiar = reference_familiar(&ref);
        struct pull_ctx ctx = { .s = s, .domain = ref.domain, .repo = ref.path, .o = o, .cb = cb, .ud = ud };
        pthread_mutex_init(&ctx.lock, NULL);
        pthread_cond_init(&ctx.cond, NULL);
        int r = -ENOENT;
        /* mirrors first for docker.io, then the registry itself */
        if (strcmp(ref.domain, "docker.io") == 0)
                for (char **m = o->mirrors; m && *m; m++) {
                        struct pouch_err merr = { 0 };
                        ctx.endpoint = *m;
                        ctx.plain_http = strncmp(*m, "http://", 7) == 0;
                        r = pull_from(&ctx, &ref, full, ret_id, &merr);
                        if (r == 0)
                                break;
                        log_warn("pull of %s from mirror %s failed: %s", full, *m, merr.msg);
                }
        if (r < 0) {
                ctx.endpoint = NULL;
                ctx.plain_http = registry_plain_http_allowed(ref.domain, o->insecure);
                r = pull_from(&ctx, &ref, full, ret_id, err);
        }
        if (r == 0)
                msg_status(cb, ud, NULL, "Status: Downloaded newer image for %s", familiar ? familiar : name);
        pthread_mutex_destroy(&ctx.lock);
        pthread_cond_destroy(&ctx.cond);
        reference_done(&ref);
        return r;
}
