/* Write a hostile layer tarball for the image store tests (used when python3 is missing):
 *   craft-evil-layer OUT.tar KIND      KIND = dotdot | abs | absdotdot | symlink | hardlink
 * Every layer starts with a harmless ok.txt, then the hostile entry. */
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int add(struct archive *a, const char *name, mode_t type, const char *link, const char *data)
{
        struct archive_entry *e = archive_entry_new();
        size_t len = data ? strlen(data) : 0;
        int r;

        if (!e)
                return -1;
        archive_entry_set_pathname(e, name);
        archive_entry_set_filetype(e, type);
        archive_entry_set_perm(e, type == AE_IFDIR ? 0755 : 0644);
        archive_entry_set_mtime(e, 0, 0);
        if (type == AE_IFLNK)
                archive_entry_set_symlink(e, link);
        else if (link) /* a hard link: a regular entry carrying a link target */
                archive_entry_set_hardlink(e, link);
        archive_entry_set_size(e, type == AE_IFREG && !link ? (la_int64_t) len : 0);
        r = archive_write_header(a, e);
        if (r == ARCHIVE_OK && type == AE_IFREG && !link && len > 0 && archive_write_data(a, data, len) < 0)
                r = ARCHIVE_FATAL;
        archive_entry_free(e);
        return r == ARCHIVE_OK ? 0 : -1;
}

int main(int argc, char **argv)
{
        struct archive *a;
        const char *kind;
        int r;

        if (argc != 3) {
                fprintf(stderr, "usage: %s OUT.tar dotdot|abs|absdotdot|symlink|hardlink\n", argv[0]);
                return 2;
        }
        kind = argv[2];
        a = archive_write_new();
        if (!a || archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
            archive_write_open_filename(a, argv[1]) != ARCHIVE_OK) {
                fprintf(stderr, "cannot write %s: %s\n", argv[1], a ? archive_error_string(a) : "out of memory");
                return 1;
        }
        r = add(a, "ok.txt", AE_IFREG, NULL, "ok\n");
        if (r == 0 && strcmp(kind, "dotdot") == 0)
                r = add(a, "../evil", AE_IFREG, NULL, "evil\n");
        else if (r == 0 && strcmp(kind, "abs") == 0)
                r = add(a, "/evil", AE_IFREG, NULL, "evil\n");
        else if (r == 0 && strcmp(kind, "absdotdot") == 0)
                r = add(a, "/../../evil", AE_IFREG, NULL, "evil\n");
        else if (r == 0 && strcmp(kind, "symlink") == 0) {
                r = add(a, "lnk", AE_IFLNK, "/tmp", NULL);
                if (r == 0)
                        r = add(a, "lnk/evil", AE_IFREG, NULL, "evil\n");
        } else if (r == 0 && strcmp(kind, "hardlink") == 0)
                r = add(a, "hl", AE_IFREG, "../../etc/passwd", NULL);
        else if (r == 0) {
                fprintf(stderr, "unknown kind %s\n", kind);
                r = -1;
        }
        if (r < 0)
                fprintf(stderr, "writing %s: %s\n", argv[1], archive_error_string(a) ? archive_error_string(a) : kind);
        if (archive_write_close(a) != ARCHIVE_OK)
                r = -1;
        archive_write_free(a);
        return r < 0 ? 1 : 0;
}
