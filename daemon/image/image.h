/* The local image store: content-addressed blobs, unpacked layers, tags. Thread-safe. */
#pragma once

#include "lib/err.h"

#include <jansson.h>
#include <stdbool.h>

struct image_store;

/* root: <home>/image. Layout (documented in docs/image-store.md):
 *   blobs/sha256/<hex>        compressed or plain blobs (layers, configs, manifests)
 *   layers/<chainid-hex>/     {diff/ (unpacked tree), meta.json, complete marker}
 *   images/<config-hex>.json  {Id, RepoTags, RepoDigests, Layers(diff ids), ChainIds, Created, Size}
 *   repositories.json         tag -> image id (atomic writes)                                   */
int image_store_open(const char *root, struct image_store **ret, struct pouch_err *err);
struct image_store *image_store_free(struct image_store *s);

typedef void (*image_message_fn)(void *userdata, const char *line);

/* `docker load`: a docker-archive (manifest.json + repositories) or OCI image layout tar read from
 * fd (optionally gzip-compressed). Calls msg(ud, "Loaded image: busybox:latest") or
 * "Loaded image ID: sha256:..." per image. A layer entry escaping its root (../, absolute, through
 * a symlink, hard link to outside) or a device node fails the load with -EINVAL and keeps nothing. */
int image_load(struct image_store *s, int fd, image_message_fn msg, void *ud, struct pouch_err *err);

/* `docker import`: fd is a rootfs tarball (plain/gzip/xz/zstd); ref like "busybox:latest" or NULL
 * (dangling). changes: Docker Config fragment (Cmd, Entrypoint, Env, WorkingDir...) or NULL.
 * ret_id receives "sha256:<hex>". */
int image_import(struct image_store *s, int fd, const char *ref, const json_t *changes, char ret_id[80],
                 struct pouch_err *err);

/* `docker save`: write a docker-archive tar (also carrying an OCI index.json/oci-layout) of the
 * named images to out_fd. */
int image_save(struct image_store *s, char *const names[], int out_fd, struct pouch_err *err);

/* Name, short or full ID, "name@sha256:..." -> "sha256:<hex>". -ENOENT "No such image: NAME". */
int image_resolve(struct image_store *s, const char *name, char ret_id[80], struct pouch_err *err);

/* Docker API shapes: GET /images/{name}/json and GET /images/json (all images, no filters). */
int image_inspect(struct image_store *s, const char *name, json_t **ret, struct pouch_err *err);
int image_list(struct image_store *s, json_t **ret_array, struct pouch_err *err);
/* Docker's GET /images/{name}/history array, newest first. */
int image_history(struct image_store *s, const char *name, json_t **ret, struct pouch_err *err);

/* Tag source as repo:tag (repo may be "docker.io/library/busybox" or "busybox"; tag NULL = latest). */
int image_tag(struct image_store *s, const char *source, const char *repo, const char *tag, struct pouch_err *err);

/* Untag/delete. in_use(ud, "sha256:<hex>") tells whether a container uses the image; then
 * -EBUSY ("conflict: unable to remove repository reference ... container X is using its
 * referenced image") unless force. ret_report: [{"Untagged":"busybox:latest"},{"Deleted":"sha256:..."}]. */
int image_remove(struct image_store *s, const char *name, bool force, bool (*in_use)(void *ud, const char *image_id),
                 void *ud, json_t **ret_report, struct pouch_err *err);

/* The image config's "config" object (Env, Cmd, Entrypoint, WorkingDir, User, ExposedPorts,
 * Volumes, Labels, StopSignal). New reference. */
int image_get_config(struct image_store *s, const char *image_id, json_t **ret_config, struct pouch_err *err);

/* Unpacked layer dirs for overlay lowerdir, top-most first (NULL-terminated, strv_free). */
int image_layer_dirs(struct image_store *s, const char *image_id, char ***ret_dirs, struct pouch_err *err);

/* The familiar name for display: first RepoTag of the image, else the short id. Caller frees. */
char *image_display_name(struct image_store *s, const char *image_id);

/* Add an image from downloaded blobs (a registry pull): the config's exact bytes, the layer blob
 * files in order (any compression; verified against rootfs.diff_ids), ref to tag (may be NULL)
 * and repo_digest ("docker.io/library/busybox@sha256:...", may be NULL) for RepoDigests.
 * Layers already in the store are not unpacked again. ret_id receives "sha256:<hex>". */
int image_store_add(struct image_store *s, const char *config, size_t config_len, char *const layer_paths[],
                    const char *ref, const char *repo_digest, char ret_id[80], struct pouch_err *err);

/* "sha256:" followed by 64 lowercase hex digits (what the store and the registry client accept). */
bool digest_valid(const char *d);
