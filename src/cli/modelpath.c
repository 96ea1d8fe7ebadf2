/* modelpath.c - the model lookup order shared by the commands that detect. */
#include "cli/modelpath.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
    if (!S_ISDIR(st.st_mode)) {
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
    const char *dirs[] = {model_path_source_dir(), model_path_share_dir()};
    const char *from[] = {"the source tree", "the share directory"};
    for (int i = 0; i < 2; ++i) {
        mp->from = from[i];
        if (resolve(dirs[i], mp, err, errsize) == 0)
            return 0;
    }
    snprintf(err, errsize,
             "no model found: give -m MODEL or set SPINSCAN_MODEL (looked in %s and %s; "
             "'make model' builds the default one)",
             dirs[0], dirs[1]);
    return -1;
}
