/* modelpath.h - where a command finds its model and the model's calibration.
 *
 * Lookup order (SPEC.md): '-m PATH', then $SPINSCAN_MODEL (when set and not
 * empty), then models/en in the source tree this binary was built from, then
 * the installed share directory (PREFIX/share/spinscan/en).  The first two are
 * explicit: if the path they name is unusable, that is an error, not a reason
 * to try the next place.  The last two are tried only if they hold a model.
 *
 * A PATH is either
 * - a directory holding model.bin, model.arpa.gz or model.arpa (the first
 *   present, in that order), optionally detector.txt, the calibration, and
 *   optionally spun.bin, spun.arpa.gz or spun.arpa, the model of spun text the
 *   calibration may need; or
 * - a model file, whose calibration is FILE.detector and spun model FILE.spun
 *   if present.
 * Without a calibration file the detector's built-in defaults are used
 * (model_path.params is then empty).
 */
#ifndef SPIN_CLI_MODELPATH_H
#define SPIN_CLI_MODELPATH_H

#include <stddef.h>

typedef struct model_path {
    char model[4096];  /* the model file */
    char params[4096]; /* its calibration file, or "" for the defaults */
    char spun[4096];   /* the model of spun text, or "" */
    const char *from;  /* "-m", "$SPINSCAN_MODEL", "the source tree" or "the share directory" */
} model_path;

/* Finds the model for option value 'opt' (NULL when -m was not given).
 * Returns 0, or -1 with a one-line message in 'err' ("PATH: why", or what was
 * tried when no model was found anywhere). */
int model_path_find(const char *opt, model_path *mp, char *err, size_t errsize);

/* The compiled-in fallback directories (for --help and messages). */
const char *model_path_source_dir(void);
const char *model_path_share_dir(void);

#endif
