/* sha256 digests ("sha256:<hex>") with OpenSSL EVP, and layer chain ids. */
#include "daemon/image/image.h"
#include "daemon/image/layer-internal.h"

#include "lib/cleanup.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void sha256_final_hex(EVP_MD_CTX *md, char ret[72])
{
        unsigned char bin[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        EVP_DigestFinal_ex(md, bin, &n);
        memcpy(ret, "sha256:", 7);
        for (unsigned int i = 0; i < n && i < 32; i++)
                snprintf(ret + 7 + 2 * i, 3, "%02x", bin[i]);
}

int sha256_buffer(const void *data, size_t len, char ret[72])
{
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        if (!md)
                return -ENOMEM;
        int r = 0;
        if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 || EVP_DigestUpdate(md, data, len) != 1)
                r = -EIO;
        else
                sha256_final_hex(md, ret);
        EVP_MD_CTX_free(md);
        return r;
}

int sha256_file(const char *path, char ret[72])
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        if (!md)
                return -ENOMEM;
        int r = EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 ? 0 : -EIO;
        char buf[65536];
        while (r == 0) {
                ssize_t n = read(fd, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        r = -errno;
                else if (n == 0)
                        break;
                else if (EVP_DigestUpdate(md, buf, (size_t) n) != 1)
                        r = -EIO;
        }
        if (r == 0)
                sha256_final_hex(md, ret);
        EVP_MD_CTX_free(md);
        return r;
}

int chain_id_next(const char *parent_chain, const char *diff_id, char ret[72])
{
        if (!parent_chain) {
                snprintf(ret, 72, "%s", diff_id);
                return 0;
        }
        char buf[160];
        int n = snprintf(buf, sizeof(buf), "%s %s", parent_chain, diff_id);
        return sha256_buffer(buf, (size_t) n, ret);
}

bool digest_valid(const char *d)
{
        if (!d || strncmp(d, "sha256:", 7) != 0 || strlen(d) != 71)
                return false;
        for (const char *p = d + 7; *p; p++)
                if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
                        return false;
        return true;
}
