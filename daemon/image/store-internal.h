/* Internals of the image store shared by store.c, ingest.c, load.c, save.c, import.c, inspect.c,
 * remove.c and resolve.c. See docs/image-store.md for the layout and the crash-safety argument. */
#pragma once

#include "daemon/image/image.h"
#include "daemon/image/layer-internal.h"

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>

struct image_store {
        char *root;
        pthread_mutex_t lock; /* guards images, repos and every rename/unlink below root */
        json_t *images;       /* "<hex>" -> image record (images/<hex>.json) */
        json_t *repos;        /* "docker.io/library/busybox:latest" -> "sha256:<hex>" */
};

/* A layer prepared outside the lock: unpacked into tmp/layer-XXXXXX/diff with its
 * uncompressed tar in tmp/blob-XXXXXX, or already present (tmpdir NULL). */
struct pending_layer {
        char diff_id[72];
        char chain_id[72];
        char *tmpdir;
        char *blob_tmp;
        int64_t size;
};

struct pending_image {
        char *config; /* the config blob, exactly as hashed */
        size_t config_len;
        char id[72]; /* sha256 of config */
        json_t *config_json;
        struct pending_layer *layers;
        size_t n_layers;
        char **tags;         /* full references to point at the image */
        char **repo_digests; /* "repo@sha256:..." (pulls), may be NULL */
};

/* store.c */
char *store_path(const struct image_store *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Fresh directory (or, with file, an empty file) tmp/<prefix>-XXXXXX; caller frees. */
int store_mktemp(struct image_store *s, const char *prefix, bool file, char **ret_path);
bool store_layer_complete(struct image_store *s, const char *chain_id);
int store_write_image_doc(struct image_store *s, const json_t *doc);
int store_write_repos(struct image_store *s);
/* Recompute the RepoTags of every image from repos (familiar names, sorted by tag). */
void store_refresh_tags(struct image_store *s);
/* Move a directory aside to tmp/ and remove it; the move is the commit point. */
void store_remove_dir(struct image_store *s, const char *path);

/* ingest.c */
/* Unpack one layer from fd (any compression). expected_diff may be NULL; when set the computed
 * diff id must match (and a layer already in the store is not unpacked again, fd unread).
 * parent_chain is the previous layer's chain id (NULL for the first). */
int ingest_layer(struct image_store *s, int fd, const char *expected_diff, const char *parent_chain,
                 struct pending_layer *ret, struct pouch_err *err);
void pending_layer_done(struct pending_layer *l);
void pending_image_done(struct pending_image *p);
/* Check the config against the layers (diff_ids) and compute the id. Takes ownership of config. */
int pending_image_set_config(struct pending_image *p, char *config, size_t len, struct pouch_err *err);
/* Make everything durable and visible: layers, blobs, the image record, then tags. Takes the lock.
 * ret_replaced (may be NULL) gets the image ids that lost a tag to this image (strv). */
int store_commit(struct image_store *s, struct pending_image *p, char ***ret_replaced, struct pouch_err *err);

/* import.c: the GOARCH name of the machine ("amd64", "arm64"). */
const char *host_arch(void);

/* resolve.c (lock held) */
/* name -> "<hex>"; ret_ref (may be NULL) gets the full reference when name was a tag/digest. */
int store_resolve_locked(struct image_store *s, const char *name, char ret_hex[65], char **ret_ref,
                         struct pouch_err *err);
/* The config blob of an image, parsed. */
int store_read_config(struct image_store *s, const char *hex, json_t **ret, struct pouch_err *err);
/* "<hex>" for "sha256:<hex>" or a bare id. */
const char *id_hex(const char *id);
