/* Internals shared by the layer unpacker and the store (not part of the daemon-facing API). */
#pragma once

#include "lib/err.h"

#include <archive.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- layer-stream.c: one decompression pass feeding a tar reader and a sha256 --------------- */

/* Reader A decompresses fd (any filter) with the "raw" format; reader B parses tar from A's
 * output through a read callback that hashes (and optionally copies to tee_fd) every byte. */
struct layer_stream {
        struct archive *raw; /* A */
        struct archive *tar; /* B, what the caller iterates */
        EVP_MD_CTX *md;
        int tee_fd;    /* -1: none */
        int tee_error; /* -errno of a failed tee write */
        int raw_error; /* set when A failed, to tell corrupt input from a bad tar */
        int64_t bytes; /* uncompressed bytes seen */
        bool raw_eof;
};

int layer_stream_open(struct layer_stream *ls, int fd, int tee_fd, struct pouch_err *err);
/* Consume whatever follows the tar end marker, then produce "sha256:<hex>" (72 bytes). */
int layer_stream_finish(struct layer_stream *ls, char ret_diff_id[72], struct pouch_err *err);
void layer_stream_done(struct layer_stream *ls);

/* Like layer_unpack, copying the uncompressed stream to tee_fd (-1 for none). */
int layer_unpack_tee(int fd, const char *dest, int tee_fd, int64_t *ret_size, char *ret_diff_id, struct pouch_err *err);

/* ---- layer-safe-path.c ------------------------------------------------------------------------ */

/* Normalise a tar entry name: drop leading "/", "./" and empty or "." components; refuse "..".
 * ret gets the cleaned relative path ("" for the root). -EINVAL with a message otherwise. */
int safe_clean_path(const char *name, char *ret, size_t len, struct pouch_err *err);
/* openat2 relative to rootfd with RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS|RESOLVE_NO_SYMLINKS. */
int safe_openat(int rootfd, const char *rel, int flags, mode_t mode);
/* Open (O_PATH) the parent directory of the cleaned path rel, creating missing directories
 * (0755, root-owned) when create. A parent that is a symlink fails with -EINVAL (message names
 * the entry); ret_base points into rel at the last component. */
int safe_open_parent(int rootfd, const char *rel, bool create, const char **ret_base, struct pouch_err *err);
/* Remove name (any type, recursively) below dirfd without following symlinks. */
int safe_remove_at(int dirfd, const char *name);

/* ---- digest.c --------------------------------------------------------------------------------- */

/* "sha256:<hex>" of a buffer / a file. ret is at least 72 bytes. */
int sha256_buffer(const void *data, size_t len, char ret[72]);
int sha256_file(const char *path, char ret[72]);
void sha256_final_hex(EVP_MD_CTX *md, char ret[72]);
/* chain(i) = diff(0) for i=0, else sha256(chain(i-1) + " " + diff(i)). */
int chain_id_next(const char *parent_chain, const char *diff_id, char ret[72]);
