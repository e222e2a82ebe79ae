/* Decompress once, hash the uncompressed tar (the diff id) and parse it, in a single pass.
 *
 * The diff id is the sha256 of the *decompressed* tar stream, which a tar reader with filters
 * never shows us. So two libarchive readers are chained: A has every filter and only the "raw"
 * format, so its one entry's data is the decompressed stream; B has only the tar formats and
 * reads its input through a callback that pulls blocks from A, hashes them and optionally copies
 * them to a file (the store keeps the uncompressed layer blob for `save`). Nothing is buffered
 * beyond libarchive's own blocks, and the input is read exactly once. B stops at the tar end
 * marker, so layer_stream_finish drains the rest of A (padding) into the hash too. */
#include "daemon/image/layer-internal.h"

#include "lib/fsutil.h"
#include "lib/log.h"

#include <string.h>

static la_ssize_t feed_tar(struct archive *a, void *ud, const void **buf)
{
        (void) a;
        struct layer_stream *ls = ud;
        *buf = NULL;
        for (;;) {
                if (ls->raw_eof)
                        return 0;
                const void *p;
                size_t n;
                la_int64_t off;
                int r = archive_read_data_block(ls->raw, &p, &n, &off);
                if (r == ARCHIVE_EOF) {
                        ls->raw_eof = true;
                        return 0;
                }
                if (r < ARCHIVE_WARN) {
                        ls->raw_error = -EIO;
                        archive_set_error(ls->tar, EIO, "decompressing: %s", archive_error_string(ls->raw));
                        return -1;
                }
                if (n == 0)
                        continue;
                if (EVP_DigestUpdate(ls->md, p, n) != 1) {
                        archive_set_error(ls->tar, EIO, "sha256 update failed");
                        return -1;
                }
                if (ls->tee_fd >= 0 && ls->tee_error == 0) {
                        int w = write_all(ls->tee_fd, p, n);
                        if (w < 0) {
                                ls->tee_error = w;
                                archive_set_error(ls->tar, -w, "writing layer blob: %s", strerror(-w));
                                return -1;
                        }
                }
                ls->bytes += (int64_t) n;
                *buf = p;
                return (la_ssize_t) n;
        }
}

int layer_stream_open(struct layer_stream *ls, int fd, int tee_fd, struct pouch_err *err)
{
        *ls = (struct layer_stream){ .tee_fd = tee_fd };
        ls->md = EVP_MD_CTX_new();
        ls->raw = archive_read_new();
        ls->tar = archive_read_new();
        if (!ls->md || !ls->raw || !ls->tar || EVP_DigestInit_ex(ls->md, EVP_sha256(), NULL) != 1) {
                layer_stream_done(ls);
                return err_set(err, -ENOMEM, "out of memory setting up the layer reader");
        }
        archive_read_support_filter_all(ls->raw);
        archive_read_support_format_raw(ls->raw);
        archive_read_support_format_empty(ls->raw);
        if (archive_read_open_fd(ls->raw, fd, 128 * 1024) != ARCHIVE_OK) {
                int r = err_set(err, -EINVAL, "layer is not a readable archive: %s", archive_error_string(ls->raw));
                layer_stream_done(ls);
                return r;
        }
        struct archive_entry *e;
        int r = archive_read_next_header(ls->raw, &e);
        if (r == ARCHIVE_EOF) {
                ls->raw_eof = true; /* empty input: an empty layer */
        } else if (r < ARCHIVE_WARN) {
                r = err_set(err, -EINVAL, "layer is not a readable archive: %s", archive_error_string(ls->raw));
                layer_stream_done(ls);
                return r;
        }
        archive_read_support_format_tar(ls->tar);
        archive_read_support_format_gnutar(ls->tar);
        archive_read_support_format_empty(ls->tar);
        archive_read_set_read_callback(ls->tar, feed_tar);
        archive_read_set_callback_data(ls->tar, ls);
        if (archive_read_open1(ls->tar) != ARCHIVE_OK) {
                r = err_set(err, -EINVAL, "layer is not a tar archive: %s", archive_error_string(ls->tar));
                layer_stream_done(ls);
                return r;
        }
        return 0;
}

int layer_stream_finish(struct layer_stream *ls, char ret_diff_id[72], struct pouch_err *err)
{
        const void *buf;
        for (;;) {
                la_ssize_t n = feed_tar(ls->tar, ls, &buf);
                if (n < 0)
                        return err_set(err, ls->tee_error ? ls->tee_error : -EINVAL, "reading layer: %s",
                                       archive_error_string(ls->tar));
                if (n == 0)
                        break;
        }
        sha256_final_hex(ls->md, ret_diff_id);
        return 0;
}

void layer_stream_done(struct layer_stream *ls)
{
        if (ls->tar)
                archive_read_free(ls->tar);
        if (ls->raw)
                archive_read_free(ls->raw);
        if (ls->md)
                EVP_MD_CTX_free(ls->md);
        ls->tar = ls->raw = NULL;
        ls->md = NULL;
}
