/* modelpath.c - the model lookup order shared by the library and the commands
 * that detect (see modelpath.h). */
#define _GNU_SOURCE /* dladdr */
#include "api/modelpath.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The Makefile defines both for this file only: the source tree it was built
 * from and $(PREFIX)/share/spinscan. */
#ifndef SPIN_SOURCE_DIR
#define SPIN_SOURCE_DIR "."
#endif
#ifndef SPIN_SHARE_DIR
#define SPIN_SHARE_DIR "/usr/local/share/spinscan"
#endif

const char *model_path_source_dir(void) {
    return SPIN_SOURCE_DIR "/models/en";
}

const char *model_path_share_dir(void) {
    return SPIN_SHARE_DIR "/en";
}

static char relative_dir[4096];
static pthread_once_t relative_once = PTHREAD_ONCE_INIT;

/* DIR/../share/spinscan/en for the directory DIR holding the code that runs:
 * the shared library when this file is in one, else the executable. */
static void find_relative_dir(void) {
    char path[4096] = "";
    Dl_info info;
    /* Any object of this library will do: a static one, not a function
     * (ISO C has no conversion from function to object pointers). */
    if (dladdr(&relative_once, &info) && info.dli_fname && strstr(info.dli_fname, "libspinscan")) {
        if (!realpath(info.dli_fname, path))
            path[0] = '\0';
    }
    if (!path[0]) {
        ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
        path[n > 0 ? n : 0] = '\0';
    }
    char *slash = strrchr(path, '/');
    if (!slash)
        return;
    *slash = '\0';
    slash = strrchr(path, '/');
    if (!slash)
        return;
    *slash = '\0';
    static const char tail[] = "/share/spinscan/en";
    size_t n = strlen(path);
    if (n + sizeof tail <= sizeof relative_dir) {
        memcpy(relative_dir, path, n);
        memcpy(relative_dir + n, tail, sizeof tail);
    }
}

const char *model_path_relative_dir(void) {
    pthread_once(&relative_once, find_relative_dir);
    return relative_dir;
}

static bool is_file(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && !S_ISDIR(st.st_mode);
}

/* Fills 'mp' from 'path'.  Returns 0, or -1 with the reason in 'err'. */
static int resolve(const char *path, model_path *mp, char *err, size_t errsize) {
    static const char *const names[] = {"model.bin", "model.arpa.gz", "model.arpa"};
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, errsize, "%s: %s", path, strerror(errno));
        return -1;
    }
    mp->params[0] = '\0';
    mp->spun[0] = '\0';
    mp->manifest[0] = '\0';
    if (!S_ISDIR(st.st_mode)) {
        const char *slash = strrchr(path, '/');
        int dlen = slash ? (int)(slash - path) : 1;
        snprintf(mp->manifest, sizeof mp->manifest, "%.*s/manifest.json", dlen, slash ? path : ".");
        if (!is_file(mp->manifest))
            mp->manifest[0] = '\0';
        if ((size_t)snprintf(mp->model, sizeof mp->model, "%s", path) >= sizeof mp->model ||
            (size_t)snprintf(mp->params, sizeof mp->params, "%s.detector", path) >=
                sizeof mp->params) {
            snprintf(err, errsize, "%.200s...: path too long", path);
            return -1;
        }
        if (!is_file(mp->params))
            mp->params[0] = '\0';
        snprintf(mp->spun, sizeof mp->spun, "%s.spun", path);
        if (!is_file(mp->spun))
            mp->spun[0] = '\0';
        return 0;
    }
    for (size_t i = 0; i < sizeof names / sizeof names[0]; ++i) {
        if ((size_t)snprintf(mp->model, sizeof mp->model, "%s/%s", path, names[i]) >=
            sizeof mp->model) {
            snprintf(err, errsize, "%.200s...: path too long", path);
            return -1;
        }
        if (is_file(mp->model)) {
            snprintf(mp->manifest, sizeof mp->manifest, "%s/manifest.json", path);
            if (!is_file(mp->manifest))
                mp->manifest[0] = '\0';
            snprintf(mp->params, sizeof mp->params, "%s/detector.txt", path);
            if (!is_file(mp->params))
                mp->params[0] = '\0';
            mp->spun[0] = '\0';
            for (size_t k = 0; k < sizeof names / sizeof names[0] && !mp->spun[0]; ++k) {
                snprintf(mp->spun, sizeof mp->spun, "%s/spun%s", path, names[k] + 5);
                if (!is_file(mp->spun))
                    mp->spun[0] = '\0';
            }
            return 0;
        }
    }
    snprintf(err, errsize, "%s: no model.bin, model.arpa.gz or model.arpa in this directory", path);
    return -1;
}

int model_path_find(const char *opt, model_path *mp, char *err, size_t errsize) {
    if (opt) {
        mp->from = "-m";
        return resolve(opt, mp, err, errsize);
    }
    const char *env = getenv("SPINSCAN_MODEL");
    if (env && *env) {
        mp->from = "$SPINSCAN_MODEL";
        return resolve(env, mp, err, errsize);
    }
    const char *dirs[] = {model_path_relative_dir(), model_path_source_dir(),
                          model_path_share_dir()};
    const char *from[] = {"the installation", "the source tree", "the share directory"};
    for (int i = 0; i < 3; ++i) {
        mp->from = from[i];
        if (dirs[i][0] && resolve(dirs[i], mp, err, errsize) == 0)
            return 0;
    }
    snprintf(err, errsize,
             "no model found: give -m MODEL or set SPINSCAN_MODEL (looked in %s%s%s and %s; "
             "'make model' builds the default one)",
             dirs[0], dirs[0][0] ? ", " : "", dirs[1], dirs[2]);
    return -1;
}
