/* modelpath.h - where the detector finds its model and the model's calibration
 * (the lookup behind spin_detector_open(NULL, ...) and every command's -m).
 *
 * Lookup order (docs/formats.md): an explicit PATH ('-m PATH', or the path given to
 * spin_detector_open), then $SPINSCAN_MODEL (when set and not empty), then
 * the share directory beside the running code (DIR/../share/spinscan/en,
 * where DIR holds the executable or the shared library in use: so an
 * installed tree finds its own model whatever PREFIX it was built with),
 * then models/en in the source tree this library was built from, then the
 * share directory of the PREFIX it was built with.  The first two are
 * explicit: if the path they name is unusable, that is an error, not a reason
 * to try the next place.  The others are tried only if they hold a model.
 *
 * A PATH is either
 * - a directory holding model.bin, model.arpa.gz or model.arpa (the first
 *   present, in that order), optionally detector.txt, the calibration,
 *   optionally spun.bin, spun.arpa.gz or spun.arpa, the model of spun text the
 *   calibration may need, and optionally manifest.json (the model's identity:
 *   its training packages and checksum); or
 * - a model file, whose calibration is FILE.detector and spun model FILE.spun
 *   if present (and manifest.json beside it, if present).
 * Without a calibration file the detector's built-in defaults are used
 * (model_path.params is then empty).
 *
 * Library code: nothing is printed; errors are returned as one line of text.
 */
#ifndef SPIN_API_MODELPATH_H
#define SPIN_API_MODELPATH_H

#include <stddef.h>

typedef struct model_path {
    char model[4096];    /* the model file */
    char params[4096];   /* its calibration file, or "" for the defaults */
    char spun[4096];     /* the model of spun text, or "" */
    char manifest[4096]; /* manifest.json beside the model, or "" */
    const char *from;    /* "-m", "$SPINSCAN_MODEL", "the installation", "the source tree"
                            or "the share directory" */
} model_path;

/* Finds the model for 'opt' (an explicit path, or NULL for the default
 * lookup).  Returns 0, or -1 with a one-line message in 'err' ("PATH: why",
 * or what was tried when no model was found anywhere). */
int model_path_find(const char *opt, model_path *mp, char *err, size_t errsize);

/* The fallback directories: beside the running code ("" when unknown), in
 * the source tree, and under the PREFIX built with. */
const char *model_path_relative_dir(void);
const char *model_path_source_dir(void);
const char *model_path_share_dir(void);

#endif
