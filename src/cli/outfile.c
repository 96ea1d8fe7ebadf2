/* outfile.c - see outfile.h. */
#include "cli/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"

/* Makes a rename in the directory of 'path' durable. */
static void sync_dir(const char *path) {
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else
        snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

int outfile_open(outfile *o, const char *path) {
    o->f = stdout;
    o->path = NULL;
    o->tmp = NULL;
    if (!path || !strcmp(path, "-"))
        return 0;
    /* A device or FIFO (-o /dev/stdout, /dev/full) is written in place:
     * renaming a temporary file over it would replace the device node. */
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (!(o->f = fopen(path, "w"))) {
            cli_error("%s: cannot open: %s", path, strerror(errno));
            o->f = stdout;
            return -1;
        }
        o->path = path;
        return 0;
    }
    size_t n = strlen(path);
    o->tmp = malloc(n + 16);
    if (!o->tmp) {
        cli_error("%s: out of memory", path);
        return -1;
    }
    snprintf(o->tmp, n + 16, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(o->tmp);
    if (fd < 0) {
        cli_error("%s: cannot create a temporary file beside it: %s", path, strerror(errno));
        free(o->tmp);
        o->tmp = NULL;
        return -1;
    }
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0 || !(o->f = fdopen(fd, "w"))) {
        cli_error("%s: %s", o->tmp, strerror(errno));
        close(fd);
        unlink(o->tmp);
        free(o->tmp);
        o->tmp = NULL;
        return -1;
    }
    o->path = path;
    return 0;
}

int outfile_close(outfile *o, bool keep) {
    if (!o->path) {
        if (fflush(stdout) != 0 || ferror(stdout)) {
            if (keep)
                cli_error("standard output: cannot write: %s", strerror(errno ? errno : EIO));
            return keep ? -1 : 0;
        }
        return 0;
    }
    int rc = 0;
    if (!o->tmp) { /* written in place (see outfile_open) */
        if ((fflush(o->f) != 0 || ferror(o->f)) && keep) {
            cli_error("%s: cannot write: %s", o->path, strerror(errno ? errno : EIO));
            rc = -1;
        }
        if (fclose(o->f) != 0 && keep && rc == 0) {
            cli_error("%s: cannot write: %s", o->path, strerror(errno));
            rc = -1;
        }
        return rc;
    }
    if (keep && (fflush(o->f) != 0 || ferror(o->f) || fsync(fileno(o->f)) != 0)) {
        cli_error("%s: cannot write: %s", o->path, strerror(errno ? errno : EIO));
        rc = -1;
    }
    if (fclose(o->f) != 0 && keep && rc == 0) {
        cli_error("%s: cannot write: %s", o->path, strerror(errno));
        rc = -1;
    }
    if (keep && rc == 0 && rename(o->tmp, o->path) != 0) {
        cli_error("%s: cannot replace it: %s", o->path, strerror(errno));
        rc = -1;
    }
    if (keep && rc == 0)
        sync_dir(o->path);
    if (!keep || rc != 0)
        unlink(o->tmp);
    free(o->tmp);
    o->tmp = NULL;
    return rc;
}

int cli_parse_size(const char *s, uint64_t *out) {
    char *end;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno)
        return -1;
    unsigned shift = 0;
    switch (*end) {
    case '\0':
        break;
    case 'k':
    case 'K':
        shift = 10;
        break;
    case 'm':
    case 'M':
        shift = 20;
        break;
    case 'g':
    case 'G':
        shift = 30;
        break;
    default:
        return -1;
    }
    if (*end && end[1])
        return -1;
    if (v > (UINT64_MAX >> shift))
        return -1;
    *out = (uint64_t)v << shift;
    return 0;
}
