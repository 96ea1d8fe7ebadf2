/* arpa.h - reads ARPA-format n-gram models into a spin_model.
 *
 * Accepts exactly what KenLM's reader accepts and rejects what it rejects
 * (../shared/fixtures/kenlm/SEMANTICS.md section 4), but says plainly what is
 * wrong and where: file, line, byte offset (in the decompressed stream).
 * Tolerated defects are explicit policies reported through opts->warn:
 * a missing <unk> (scored with opts->unk_logprob), duplicate n-grams (the first
 * is kept), positive log-probabilities (only with opts->positive_prob_to_zero),
 * and missing <s>/</s> (only with opts->allow_missing_markers).
 */
#ifndef SPIN_ARPA_H
#define SPIN_ARPA_H

#include <stddef.h>

#include "lm/lm.h"
#include "text/reader.h"

/* Parses the stream 'r' into the zero-initialised model 'm'.  On failure 'm'
 * holds partial tables that lm_release() frees. */
spin_status arpa_load(reader *r, const spin_load_options *opts, spin_model *m, spin_diag *d);

/* Parses a number as KenLM's ARPA reader does ([+-]digits[.digits][e[+-]digits],
 * or [+-]inf), correctly rounded to float.  Returns the number of bytes used,
 * 0 if 's' does not start with a number. */
size_t arpa_parse_float(const char *s, size_t len, float *out);

#endif
