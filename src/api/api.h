/* api.h - the public detector and tokenizer (include/spinscan.h, "Spin
 * detection" and "Tokenization") and what the command line needs beyond it.
 *
 * Subsystem api (src/api/): the library's front door above the layers that do
 * the work.  The model lookup (modelpath), the detector with its pool of
 * per-thread scratch states, results with their JSON (through report.h, so
 * that the public JSON is the one `score -f json` prints), and the
 * tokenizer's public face.  May call: util, text, lm, detect, crawl.
 *
 * Nothing here prints or exits.
 */
#ifndef SPIN_API_API_H
#define SPIN_API_API_H

#include "detect/detect.h"
#include "spinscan.h"

/* The parts of an open detector, for commands that run their own threads
 * (rank, annotate): valid while 'd' lives, never modified. */
const spin_model *api_detector_spun(const spin_detector *d);
const det_params *api_detector_params(const spin_detector *d);
/* The parameters, to replace or adapt (--reference, --adapt) before any
 * detection runs: detectors keep a pointer to them. */
det_params *api_detector_params_mut(spin_detector *d);
/* detector_set_abstain() for every detector the handle makes. */
void api_detector_set_abstain(spin_detector *d, bool on);
/* spin_detector_options.judge_all as opened, or abstaining turned off since. */
bool api_detector_judge_all(const spin_detector *d);
/* Hex digits of the model's checksum in api_detector_id(). */
#define API_ID_HEX 12

/* The tool version and the model's identity in one short string, the same
 * for every output that carries it (rank -f jsonl and attributes "model",
 * annotate's PREFIX_model, the "identity" of spin_detector_info()):
 * "spinscan VERSION; model HEX12" (the first API_ID_HEX hex digits of the
 * sha256 in the model's manifest.json), or "spinscan VERSION; model unknown"
 * for a model without a manifest.  Valid while 'd' lives. */
const char *api_detector_id(const spin_detector *d);

/* The calibration file, or the model file when there is none: for messages. */
const char *api_detector_name(const spin_detector *d);

/* Whether the id set by spin_result_set_id() is a JSON number (from a JSON
 * Lines input): spin_result_json() then writes it unquoted. */
void api_result_set_id_number(spin_result *r, bool number);

/* The result's detect.h form and its text (for the text and HTML reports). */
const det_result *api_result_det(const spin_result *r);
const char *api_result_text(const spin_result *r, size_t *len);

#endif
