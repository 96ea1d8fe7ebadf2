/* rank.h - ranking entries, their output lines, and the ranking itself.
 *
 * An entry is what `spinscan rank` keeps per document: its sort key and its
 * formatted output line, in one allocation.  Order (docs/formats.md): spin score
 * descending, then id ascending (bytewise, a prefix first), then input order.
 * A document the detector abstains on (verdict "unsupported", no score) has
 * the key RANK_UNSUPPORTED and ranks after every judged document, even one
 * scored 0: "unsupported" says nothing about spin, so it must never outrank a
 * judged page; it prints as score "-" in tsv (after every number in `sort -k1,1r`), null in jsonl,
 * and with no spans in attributes (spinscan__unsupported instead). Scores are kept in millionths,
 * exactly as printed, so that `spinscan merge` re-reading the printed lines orders them exactly as
 * rank did; for the same reason the id in the key is the id as printed (in the JSON formats, each
 * byte that is not part of valid UTF-8 is U+FFFD there too).
 *
 * Formats (one line per document, '\n'-terminated):
 * - RANK_TSV: "spin_score<TAB>id<TAB>sentences<TAB>flagged" after the header
 *   line RANK_TSV_HEADER; the score has 6 decimals (so that `sort` can order
 *   it as text); in the id, backslash, tab, newline and CR are written \\,
 *   \t, \n and \r, other controls \xNN or \uNNNN (util/safetext.h);
 *   "sentences" counts prose sentences (as score's "prose": headings and
 *   boilerplate are not judged, so not counted);
 * - RANK_JSONL: {"id": ..., "spin_score": ..., "verdict": ..., "sentences":
 *   N, "flagged": N, "tokens": N, "model": "spinscan 0.1.0; model HEX12"}; an
 *   id that was a JSON number stays one; "model" (the tool version and the
 *   model's identity, api_detector_id()) only when the maker passes one;
 * - RANK_ATTRIBUTES: {"id": ..., "attributes": {"spinscan__spin": [[start,
 *   end, spin], ...], "spinscan__doc": [[0, len, score]]}} with one span per
 *   prose sentence; offsets count Unicode code points of the text, as Dolma's
 *   Python taggers do (a byte that is not valid UTF-8 counts as one).
 * JSON strings are escaped per RFC 8259; bytes that are not valid UTF-8 are
 * written as U+FFFD.
 *
 * A ranking keeps every entry, or with top_k only the best top_k in a heap
 * (memory O(top_k)).  Not thread-safe: one collector thread owns it.
 */
#ifndef SPIN_RANK_H
#define SPIN_RANK_H

#include <stddef.h>
#include <stdint.h>

#include <stdio.h>

#include "crawl/family.h"
#include "detect/detect.h"
#include "spinscan.h"

typedef enum rank_format { RANK_TSV, RANK_JSONL, RANK_ATTRIBUTES } rank_format;

#define RANK_TSV_HEADER "spin_score\tid\tsentences\tflagged\n"

typedef struct rank_entry {
    uint32_t score;  /* spin score in millionths */
    uint32_t id_len; /* the id's bytes start data[] */
    uint64_t seq;    /* input order: the last tie-break */
    size_t line_len; /* the line follows the id in data[], NUL-terminated */
    char data[];
} rank_entry;

static inline const char *rank_entry_line(const rank_entry *e) {
    return e->data + e->id_len;
}

/** The key of an unsupported document: after every score. */
#define RANK_UNSUPPORTED UINT32_MAX
/* crawl/family.c reads signature files without this header (it is below rank.h). */
_Static_assert(RANK_UNSUPPORTED == UINT32_MAX, "family.c treats UINT32_MAX as not judged");

/** 'spin' in [0, 1] as millionths, rounded. */
uint32_t rank_score_units(double spin);

/** Negative when 'a' ranks before 'b'. */
int rank_cmp(const rank_entry *a, const rank_entry *b);
/** The same order on bare keys (score, id); 0 when equal. */
int rank_key_cmp(uint32_t sa, const char *ida, size_t la, uint32_t sb, const char *idb, size_t lb);

/** Makes the entry of a scored document: 'r' from detect_run over the
 *  'text_len' bytes at 'text' (needed for code-point offsets).  *out is
 *  freed with mem_free() (or by the ranking it is added to). */
spin_status rank_entry_make(rank_format f, const char *id, size_t id_len, const det_result *r,
                            const char *text, size_t text_len, uint64_t seq, rank_entry **out);

/** rank_entry_make() for an id that was a JSON number in the input
 *  ('id_number': the id is its printed form, input_doc.id_number), written
 *  as a number in JSON Lines output, and with 'model_id' (NULL: none) as the
 *  last member "model" of a RANK_JSONL line (the other formats ignore it:
 *  the tsv columns are fixed, and `rank -f attributes` lines are made by
 *  jsonrec.h). */
spin_status rank_entry_make_id(rank_format f, const char *id, size_t id_len, bool id_number,
                               const char *model_id, const det_result *r, const char *text,
                               size_t text_len, uint64_t seq, rank_entry **out);

/** An entry around an existing output line (for merge). */
spin_status rank_entry_from_line(uint32_t score, const char *id, size_t id_len, const char *line,
                                 size_t line_len, uint64_t seq, rank_entry **out);

/** Reads the key of one output line of format 'f' (without its '\n'): the
 *  score and the id, unescaped, into *id (mem_free()).  SPIN_EFORMAT with a
 *  message in 'diag' (path and line left for the caller) if the line is not
 *  one rank writes. */
spin_status rank_parse_line(rank_format f, const char *line, size_t len, uint32_t *score, char **id,
                            size_t *id_len, spin_diag *diag);

/** rank_parse_line() that also returns, for the JSON formats, the line's
 *  top-level "model" string in *model (mem_free()), or NULL when it has
 *  none (tsv, or a line written before rank carried it); 'model' NULL skips
 *  it. */
spin_status rank_parse_line_model(rank_format f, const char *line, size_t len, uint32_t *score,
                                  char **id, size_t *id_len, char **model, spin_diag *diag);

/** The format of a rank output from its first line; -1 if unknown. */
int rank_detect_format(const char *line, size_t len);

/* ---- families (rank --families, merge --families; docs/families.md) ----
 * Family fields go right after the score, so that other fields may follow:
 * - RANK_TSV: three columns after "flagged": family (the id, or "-"),
 *   family_size, family_kind ("spun", "duplicate" or "-"); the header names
 *   them (rank_tsv_header);
 * - RANK_JSONL: after "spin_score": "family": "ID" or null, "family_size": N,
 *   "family_kind": "spun", "duplicate" or null;
 * - RANK_ATTRIBUTES (the ranked attribute lines of this file, which `rank -f
 *   attributes` no longer writes: it uses cli/jsonl_pipe.c, whose family
 *   attributes are numbers only, docs/families.md): after "spinscan__doc":
 *   "spinscan__family": [[0, len, "ID"]] (or [] when none),
 *   "spinscan__family_size": [[0, len, N]], "spinscan__family_kind": [[0,
 *   len, "spun" or "duplicate"]] (or []). */

#define RANK_TSV_FAMILY_COLUMNS "\tfamily\tfamily_size\tfamily_kind"

/** The tsv header line, with the family columns when 'families'; static. */
const char *rank_tsv_header(bool families);
/** True if the tsv header line 'line' names the family columns. */
bool rank_tsv_has_family(const char *line, size_t len);

/** A new entry for 'e' (of format 'f') with the spin score 'score' (in
 *  millionths) and the family 'fi': family fields already in the line are
 *  replaced ('tsv_family': a tsv line has the family columns).  SPIN_EFORMAT
 *  if the line is not one rank writes. */
spin_status rank_entry_refamily(rank_format f, const rank_entry *e, bool tsv_family, uint32_t score,
                                const fam_info *fi, rank_entry **out);

/** Writes the 'n' bytes at 's' to 'f' as a JSON string (as rank does: bytes
 *  that are not UTF-8 become U+FFFD).  False on a write error. */
bool rank_write_json_string(FILE *f, const char *s, size_t n);

typedef struct ranking ranking;

/** A ranking keeping all entries (top_k 0) or the best top_k. */
spin_status ranking_new(size_t top_k, ranking **out);
void ranking_free(ranking *rk);
/** Adds 'e', which the ranking then owns (and frees at once if it is not
 *  among the best top_k). */
spin_status ranking_add(ranking *rk, rank_entry *e);
/** Sorts the kept entries best first and returns them in *entries (owned by
 *  the ranking; valid until ranking_free); returns their number. */
size_t ranking_sorted(ranking *rk, rank_entry *const **entries);

#endif
