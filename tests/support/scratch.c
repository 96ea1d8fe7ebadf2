/* scratch.c - see scratch.h. */
#define _GNU_SOURCE /* memfd_create */
#include "support/scratch.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

void scratch_dir_remove(const char *dir) {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", dir);
}

char *scratch_path(const char *dir, const char *name) {
    static char buf[8][512];
    static unsigned k;
    char *p = buf[k++ % 8];
    snprintf(p, sizeof buf[0], "%s/%s", dir, name);
    return p;
}

bool scratch_write(const char *path, const void *p, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = fwrite(p, 1, n, f) == n;
    return fclose(f) == 0 && ok;
}

int scratch_memfd(const char *name, const void *p, size_t n, char *path, size_t psize) {
    int fd = memfd_create(name, 0);
    if (fd < 0)
        return -1;
    for (size_t done = 0; done < n;) {
        ssize_t w = write(fd, (const char *)p + done, n - done);
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    lseek(fd, 0, SEEK_SET);
    snprintf(path, psize, "/proc/self/fd/%d", fd);
    return fd;
}

bool scratch_gzip(int level, const void *in, size_t n, unsigned char *out, size_t cap, size_t *o) {
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return false;
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)n;
    z.next_out = out + *o;
    z.avail_out = (uInt)(cap - *o);
    bool done = deflate(&z, Z_FINISH) == Z_STREAM_END;
    if (done)
        *o = cap - z.avail_out;
    deflateEnd(&z);
    return done;
}
