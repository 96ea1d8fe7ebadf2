/* jsonrec.h - one JSON Lines record kept byte for byte, and what spinscan adds
 * to it: `spinscan annotate` lines (the record with members appended) and
 * Dolma attribute lines (`rank -f attributes`).
 *
 * A record is parsed with cJSON (validity, the text field decoded), and
 * scanned once more for the raw JSON text of its top-level "id" and "source"
 * members, so that they are copied with their JSON type and spelling (Dolma's
 * mixer compares attribute ids to document ids as JSON values: 7 is not "7",
 * and 1.0 is not 1).  Keys are matched as written (a key spelled with
 * escapes does not match).  Of duplicate keys the first counts, as cJSON's
 * lookup does.
 *
 * Offsets in spans count Unicode code points of the decoded text, as Python
 * indexes str (Dolma's taggers, datatrove); a byte of the text that is not
 * valid UTF-8 counts as one.
 *
 * Library code: nothing is printed.
 */
#ifndef SPIN_JSONREC_H
#define SPIN_JSONREC_H

#include <stdbool.h>
#include <stddef.h>

#include "detect/detect.h"
#include "spinscan.h"

typedef struct jsonrec {
    const char *line; /* the record as read, without its newline: not owned */
    size_t len;
    size_t close;   /* offset of the object's closing '}' */
    bool empty;     /* the object has no members */
    const char *id; /* raw JSON text of the "id" member, or NULL */
    size_t id_len;
    const char *source; /* raw JSON text of the "source" member, or NULL */
    size_t source_len;
    char *text; /* the decoded text field (owned), or NULL when it has none */
    size_t text_len;
    char *key; /* the document's id as `rank` keys it (owned; with the text only), or NULL */
    size_t key_len;
} jsonrec;

/* Parses the 'len' bytes at 'line'.  With the text, r->key is the id that
 * `rank` reads from the same line (crawl/input.h) and prints in its JSON
 * formats: the "id" member when it is a non-empty string or a number (printed
 * as jsonrec_number_id does), else "url", else NULL (rank's FILE:LINE: the
 * caller's); a byte that is not valid UTF-8 becomes U+FFFD, as in rank's
 * JSON.  Families (crawl/family.h) take their ids from it.  SPIN_EFORMAT with a message in 'diag'
 * (line and path left to the caller) when the line is not one JSON object
 * (then r->close is 0 and nothing else is set), or when it has no string
 * field 'text_field' (then the rest of *r is set: the record can still be
 * annotated with an error, and its attribute line has its id);
 * SPIN_ENOMEM.  jsonrec_free() in every case. */
spin_status jsonrec_parse(const char *line, size_t len, const char *text_field, jsonrec *r,
                          spin_diag *diag);
void jsonrec_free(jsonrec *r);

/* A growable output buffer. */
typedef struct jsonbuf {
    char *p;
    size_t len, cap;
    bool failed; /* an allocation failed: contents incomplete */
} jsonbuf;
void jsonbuf_free(jsonbuf *b);
/* Appends the 'n' bytes at 's' (on failure: b->failed). */
void jsonbuf_put(jsonbuf *b, const char *s, size_t n);

/* Appends the annotated record to 'out': the record up to its closing brace,
 * then "PREFIX_spin_score", "PREFIX_verdict", "PREFIX_perplexity",
 * "PREFIX_spans" (the flagged sentences, [start, end, spin] in code points)
 * and "PREFIX_model" ('model_id', the tool version and model checksum), then
 * the rest of the line and '\n'.  With 'res' NULL, only "PREFIX_error":
 * 'error' is added.  A line that is not a JSON object (rec->close 0) is
 * copied unchanged.  Keys already in the record are not removed (JSON
 * readers keep the last of duplicate keys: the added one). */
void jsonrec_annotate(jsonbuf *out, const jsonrec *rec, const char *prefix, const det_result *res,
                      const char *model_id, const char *error);

/* Appends the Dolma attribute line of the record to 'out':
 * {"id": ID, "source": SOURCE, "attributes": {...}} with ID and SOURCE copied
 * raw (id null when the record has none or is not a JSON object; source left
 * out when absent) and, when 'res' is not NULL, the attributes
 * "NAME__spin_score" [[0, n, score]], "NAME__perplexity" [[0, n, ppl]] (n =
 * the text's code points), "NAME__sentence_spin" [[start, end, spin], ...]
 * for every prose sentence and "NAME__flagged" the same for the flagged ones,
 * where NAME is 'name' ("experiment__tagger"); then, when 'model_id' is not
 * NULL, a last top-level member "model": 'model_id' (the tool version and
 * model checksum).  Dolma's readers take "id", "attributes" and "source"
 * only: the mixer (Rust, serde_json Value) indexes those keys, the Python
 * side decodes with msgspec Structs, which skip unknown keys.  The identity
 * is not an attribute because Dolma types attribute values as [int, int,
 * float] (data_types.py TaggerOutputValueType) and a string there would
 * fail `dolma analyze`. */
void jsonrec_attributes(jsonbuf *out, const jsonrec *rec, const char *name, const det_result *res,
                        const char *model_id);

/* Where jsonrec_attributes_at put the document-level values, for a caller
 * that adds to the line later (rank --families): byte offsets in the line. */
typedef struct jsonrec_attr_pos {
    size_t score_start, score_end; /* the spin score's number (both 0: not judged, no span) */
    size_t close;                  /* the '}' that closes "attributes" */
    size_t ncp;                    /* the text's length in code points */
} jsonrec_attr_pos;

/* jsonrec_attributes, and with 'res' and 'pos' not NULL, where it wrote
 * what *pos describes (offsets from the start of the line it appended). */
void jsonrec_attributes_at(jsonbuf *out, const jsonrec *rec, const char *name,
                           const det_result *res, const char *model_id, jsonrec_attr_pos *pos);

/* A JSON number id as `rank` prints it: an integer below 9e15 in full, any
 * other value with 17 significant digits. */
void jsonrec_number_id(double x, char *out, size_t outsize);

/* Dolma's make_variable_name: every byte outside [A-Za-z0-9_] becomes '_'
 * (in place).  Returns false if the result is empty or starts with a digit. */
bool jsonrec_variable_name(char *s);

#endif
