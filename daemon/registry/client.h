/* A client for the OCI distribution API (v2) on libcurl: auth challenges, manifests, blobs. */
#pragma once

#include "lib/err.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct registry_client;

/* domain: "docker.io", "127.0.0.1:5000". plain_http: allow http (loopback / insecure registries).
 * user/password may be NULL (anonymous). endpoint overrides the base URL (a mirror), may be NULL. */
int registry_client_new(const char *domain, const char *endpoint, bool plain_http, const char *user,
                        const char *password, struct registry_client **ret, struct pouch_err *err);
struct registry_client *registry_client_free(struct registry_client *c);

/* GET /v2/<repo>/manifests/<ref>. Returns the document, its digest ("sha256:...") and media type. */
int registry_get_manifest(struct registry_client *c, const char *repo, const char *reference, json_t **ret_doc,
                          char ret_digest[80], char **ret_media_type, struct pouch_err *err);

typedef void (*blob_progress_fn)(void *ud, int64_t done, int64_t total);

/* Download a blob to path, resuming a partial file with Range, verifying the sha256 digest before
 * returning 0. A mismatch removes the file and returns -EBADMSG. */
int registry_fetch_blob(struct registry_client *c, const char *repo, const char *digest, int64_t size, const char *path,
                        blob_progress_fn progress, void *ud, struct pouch_err *err);

/* Push: HEAD a blob (1 present, 0 absent), upload one (POST + PUT; blobs over 16 MiB in PATCH
 * chunks), or mount it from from_repo of the same registry when not NULL (returns 1 when the
 * registry mounted it, 0 when it was uploaded), PUT a manifest. */
int registry_blob_exists(struct registry_client *c, const char *repo, const char *digest, struct pouch_err *err);
int registry_upload_blob(struct registry_client *c, const char *repo, const char *digest, const char *path,
                         const char *from_repo, struct pouch_err *err);
/* GET /v2/ with our credentials: 0 when they are accepted. */
int registry_check_auth(struct registry_client *c, struct pouch_err *err);
int registry_put_manifest(struct registry_client *c, const char *repo, const char *reference, const char *media_type,
                          const char *body, size_t len, struct pouch_err *err);
