/* calibrate.h - fitting the detector's parameters (det_params) to labelled
 * documents: the reference distribution of natural sentences, the sentence
 * and document logistic models, and the flag and verdict thresholds.
 *
 * The documents are synthetic (scripts/synth.js): natural text the language
 * model never saw, and spun, salad, stuffed and mixed copies of it.
 */
#ifndef SPIN_CALIBRATE_H
#define SPIN_CALIBRATE_H

#include <stdbool.h>
#include <stddef.h>

#include "detect/detect.h"

typedef struct cal_doc {
    det_result result;     /* from detect_run(); its sentences are relabelled below */
    bool spun;             /* document label: anything but natural */
    det_family family;     /* which kind, when 'spun' */
    unsigned char *labels; /* per sentence: 1 = spun, 0 = natural; NULL = use 'spun' */
} cal_doc;

/* One line of calibrate's LABELS file: path<TAB>class<TAB>0|1<TAB>line labels
 * (further columns are for people).  Fields point into 'line', which is split
 * in place ('len' bytes, NUL-terminated at len). */
typedef struct cal_label_line {
    const char *path, *klass, *labels; /* labels: one '0'/'1' per line of the file */
    size_t nlabels;
    bool spun;
    det_family family; /* from the class: salad*, stuffing*, else spun */
} cal_label_line;

/* 1: a labelled document in *out; 0: a line to pass over (blank, a comment,
 * the header "path..." on line 1); -1: malformed (a missing column, a document
 * label that is not 0 or 1, a NUL byte). */
int cal_parse_label_line(char *line, size_t len, unsigned long lineno, cal_label_line *out);

/* Per-sentence labels: each sentence takes the label of the line of 'text'
 * it starts on (starts[i], byte offsets, non-decreasing), or 'spun' past the
 * last label; into out[0, n). */
void cal_sentence_labels(const char *text, size_t len, const size_t *starts, size_t n,
                         const char *labels, size_t nlabels, bool spun, unsigned char *out);

/* What the fit found, for the record. */
typedef struct cal_report {
    size_t docs, natural_docs, sentences, natural_sentences, spun_sentences;
    double natural_sentence_q98; /* 98th percentile of natural sentences' spin */
    double natural_doc_q99;      /* 99th percentile of natural documents' score */
} cal_report;

/* The fewest documents of each side (natural, machine-made) a fit accepts:
 * thresholds are percentiles of these documents' scores, and logistic
 * models on fewer are noise. */
#define CAL_MIN_DOCS 20

/* Fits 'out' to 'docs' (their results are rescored in place under the new
 * parameters).  'out' starts from det_params_default().  SPIN_EINVAL when a
 * class is missing (no natural or no spun documents or sentences), or has
 * fewer than CAL_MIN_DOCS documents. */
spin_status calibrate_fit(detector *det, cal_doc *docs, size_t ndocs, det_params *out,
                          cal_report *report, spin_diag *diag);

#endif
