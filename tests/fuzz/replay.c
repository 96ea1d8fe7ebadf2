/* replay.c - a plain main() for the fuzz targets (zstd's approach): replays
 * files through LLVMFuzzerTestOneInput() so that `make check` runs every
 * saved input under the ordinary compiler, without clang or libFuzzer.
 *
 *   fuzz_NAME [FILE|DIR]...
 *
 * Without arguments it replays FUZZ_CORPUS_ROOT/NAME/, NAME being the binary's
 * name without "fuzz_" (the Makefile compiles the root in).  Directories are
 * read one level deep, in byte order of names.  Output is TAP: one test per
 * file; a target that finds a broken invariant aborts, which prove reports.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#ifndef FUZZ_CORPUS_ROOT
#define FUZZ_CORPUS_ROOT "tests/fuzz/corpus"
#endif

static int count;
static int failed;

static void replay_file(const char *path) {
    FILE *f = fopen(path, "rb");
    unsigned char *data = NULL;
    size_t len = 0, cap = 0;
    if (f) {
        for (;;) {
            if (len == cap) {
                cap = cap ? cap * 2 : 4096;
                unsigned char *bigger = realloc(data, cap);
                if (!bigger)
                    break;
                data = bigger;
            }
            size_t got = fread(data + len, 1, cap - len, f);
            if (got == 0)
                break;
            len += got;
        }
    }
    ++count;
    if (!f || ferror(f)) {
        ++failed;
        printf("not ok %d - %s: cannot read\n", count, path);
    } else {
        /* An exact-size copy, so that ASan sees reads past the input. */
        unsigned char *exact = malloc(len ? len : 1);
        if (len)
            memcpy(exact, data, len);
        LLVMFuzzerTestOneInput(exact, len);
        free(exact);
        printf("ok %d - %s (%zu bytes)\n", count, path, len);
    }
    fflush(stdout);
    if (f)
        fclose(f);
    free(data);
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void replay_path(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        replay_file(path);
        return;
    }
    DIR *dir = opendir(path);
    if (!dir) {
        printf("not ok %d - %s: cannot open\n", ++count, path);
        ++failed;
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            names = realloc(names, cap * sizeof *names);
        }
        size_t need = strlen(path) + strlen(e->d_name) + 2;
        names[n] = malloc(need);
        snprintf(names[n++], need, "%s/%s", path, e->d_name);
    }
    closedir(dir);
    qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; ++i) {
        replay_file(names[i]);
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv) {
    if (argc > 1) {
        for (int i = 1; i < argc; ++i)
            replay_path(argv[i]);
    } else {
        const char *name = strrchr(argv[0], '/');
        name = name ? name + 1 : argv[0];
        if (strncmp(name, "fuzz_", 5) == 0)
            name += 5;
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/%s", FUZZ_CORPUS_ROOT, name);
        replay_path(dir);
    }
    if (count == 0)
        printf("1..0 # skip no inputs\n");
    else
        printf("1..%d\n", count);
    return failed ? 1 : 0;
}
