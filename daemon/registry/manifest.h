/* Image manifests: media types, manifest lists / OCI indexes, platform selection. */
#pragma once

#include "lib/err.h"

#include <jansson.h>

#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MANIFEST_ACCEPT MT_OCI_INDEX ", " MT_DOCKER_LIST ", " MT_OCI_MANIFEST ", " MT_DOCKER_MANIFEST
/* Manifests larger than this are refused: a registry could otherwise make us buffer anything. */
#define MANIFEST_MAX_BYTES (4u << 20)

enum manifest_kind {
        MANIFEST_IMAGE,
        MANIFEST_INDEX,
        _MANIFEST_KIND_INVALID = -EINVAL,
};

/* From the Content-Type (may be NULL) and the document's own mediaType / shape. */
enum manifest_kind manifest_kind_of(const char *content_type, const json_t *doc);

/* "linux/amd64", "linux/arm64/v8" -> parts; NULL or "" means linux/amd64. */
int platform_parse(const char *s, char ret_os[32], char ret_arch[32], char ret_variant[32]);

/* Pick the manifest for the platform from an index. ret_digest/ret_media_type point into index. */
int manifest_select(const json_t *index, const char *platform, const char **ret_digest, const char **ret_media_type,
                    struct pouch_err *err);

/* Validate an image manifest: config descriptor and layers with digests, sizes and known media
 * types (gzip, zstd and plain tar layers, docker and OCI). */
int manifest_validate(const json_t *manifest, struct pouch_err *err);
