/* detector_load.h - loading what a detector needs (model, spun model,
 * calibration) the way every scoring command does: found by modelpath.h,
 * errors printed as "spinscan: ..." (this is CLI code).
 */
#ifndef SPIN_CLI_DETECTOR_LOAD_H
#define SPIN_CLI_DETECTOR_LOAD_H

#include <stdbool.h>

#include "detect/detect.h"
#include "spinscan.h"

typedef struct loaded_detector {
    spin_model *model;
    spin_model *spun; /* NULL when the model has none */
    det_params params;
    char name[4096]; /* the calibration file, or the model file: for messages */
} loaded_detector;

/* Finds and loads the model for option value 'model_opt' (NULL without -m).
 * With 'resident', binary models are read into (huge-page) memory instead of
 * mapped: slower to load, faster to score; for long runs.
 * Returns 0, or -1 after printing why (then nothing is left to free).
 * Model warnings are printed as "spinscan: ...: warning: ...". */
int detector_load(const char *model_opt, bool resident, loaded_detector *ld);

/* A detector over 'ld' (for one thread); returns NULL after printing why. */
detector *detector_load_new(const loaded_detector *ld);

/* Frees the models; NULL-safe on what failed to load. */
void detector_load_free(loaded_detector *ld);

#endif
