/* detector_load.h - opening the detector (spin_detector_open_opts(), model
 * found by src/api/modelpath.h) the way every scoring command does: errors
 * printed as "spinscan: ..." (this is CLI code), model warnings too.
 */
#ifndef SPIN_CLI_DETECTOR_LOAD_H
#define SPIN_CLI_DETECTOR_LOAD_H

#include <stdbool.h>

#include "detect/detect.h"
#include "spinscan.h"

typedef struct loaded_detector {
    spin_detector *sd; /* owns the models and the calibration */
    bool judge_all;    /* --judge-all: no abstaining (detector_set_abstain) */
} loaded_detector;

/* Finds and opens the detector for option value 'model_opt' (NULL without
 * -m).  With 'resident', binary models are read into (huge-page) memory
 * instead of mapped: slower to load, faster to score; for long runs.
 * With 'judge_all', no document is left "unsupported" (--judge-all).
 * Returns 0, or -1 after printing why (then nothing is left to free). */
int detector_load(const char *model_opt, bool resident, bool judge_all, loaded_detector *ld);

/* A detect.h detector over 'ld' (for one thread of a command that runs its
 * own threads); returns NULL after printing why. */
detector *detector_load_new(const loaded_detector *ld);

/* Frees the detector; NULL-safe on what failed to load. */
void detector_load_free(loaded_detector *ld);

/* --judge-all: every detector made from 'ld' judges every document. */
void detector_load_judge_all(loaded_detector *ld);

/* --reference FILE: replaces the detector's parameters by the detector parameters in 'path'
 * (a file saved by --save-reference, or any detector.txt).  Returns 0, or -1
 * after saying why on stderr. */
int detector_load_reference(loaded_detector *ld, const char *path);

/* --adapt: the detector's parameters adapted to the documents in 'a' (det_adapt_params),
 * saved to 'save' when not NULL.  Returns 0, or -1 after saying why. */
int detector_adapt(loaded_detector *ld, const det_adapt *a, const char *save);

#endif
