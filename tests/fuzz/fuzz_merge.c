/* fuzz_merge.c - what `spinscan merge` reads: rank output lines (rank.h,
 * rank_detect_format and rank_parse_line), the sort key it takes from them,
 * and the ranking of entries made around those lines.
 *
 * Input: byte 0 chooses, the rest is an input file of merge, one line each.
 *   bits 0-1  format: 0 tsv, 1 jsonl, 2 attributes, 3 from the first line
 *             as merge finds it (rank_detect_format)
 *   bits 4-7  keep only the best K entries in the ranking (0: all)
 * Lines are read as cmd_merge reads them: empty lines and a tsv header on
 * line 1 are skipped; each line is handed over in an exact-size copy, so that
 * ASan sees reads past its end.
 *
 * Checks, for a line that is accepted: the score is at most 1 (10^6
 * millionths); the id is NUL-terminated at its length; for a JSON format, if
 * a strict independent reader (json_check.c) also reads the line, it finds
 * the same id (unless that holds a NUL, which ids never do) and the same
 * score.  Written again by rank (rank_entry_make) with that key, the line is
 * one line, in the same format (rank_detect_format), strict JSON for the JSON
 * formats, and parses back to the key rank sorts that entry by: the id as
 * printed (the same id, unless ill-formed UTF-8 became U+FFFD in JSON), so
 * that merge orders lines exactly as rank did.  The key order
 * (rank_key_cmp) is antisymmetric and 0 only for equal keys; an entry made
 * around the line (rank_entry_from_line) holds the line and the key; the
 * ranking sorts entries strictly (rank_cmp) and its top K are the first K of
 * the whole ranking.  A line that is rejected is SPIN_EFORMAT with a message
 * and no id; the line number (the position merge reports) is the caller's.
 */
#include <stdbool.h>
#include <math.h>
#include <string.h>

#include "fuzz.h"
#include "support/json_check.h"
#include "util/mem.h"
#include "crawl/rank.h"

#define MAX_LINES 256

typedef struct key {
    uint32_t score;
    char *id;
    size_t id_len;
} key;

static int sign(int c) {
    return (c > 0) - (c < 0);
}

static bool same_key(uint32_t sa, const char *a, size_t la, uint32_t sb, const char *b, size_t lb) {
    return sa == sb && la == lb && !memcmp(a, b, la);
}

/* The score of a rank line as the strict reader finds it; false if it is not
 * where rank puts it. */
static bool jc_score(const jc_value *v, rank_format f, double *out) {
    const jc_value *s;
    if (f == RANK_JSONL) {
        s = jc_get(v, "spin_score");
    } else {
        const jc_value *a = jc_get(v, "attributes");
        const jc_value *docs = a && a->type == JC_OBJECT ? jc_get(a, "spinscan__doc") : NULL;
        if (!docs || docs->type != JC_ARRAY || docs->n < 1)
            return false;
        const jc_value *d0 = &docs->items[0];
        if (d0->type != JC_ARRAY || d0->n < 3)
            return false;
        s = &d0->items[2];
    }
    if (!s || s->type != JC_NUMBER)
        return false;
    *out = s->number;
    return true;
}

/* An accepted JSON line agrees with the strict reader, where both read it. */
static void compare_strict(rank_format f, const char *line, size_t len, uint32_t score,
                           const char *id, size_t id_len) {
    jc_value v;
    if (!jc_parse(line, len, &v, NULL))
        return;
    const jc_value *jid = v.type == JC_OBJECT ? jc_get(&v, "id") : NULL;
    double s;
    if (jid && jid->type == JC_STRING && !memchr(jid->str, '\0', jid->len))
        FUZZ_CHECK(jid->len == id_len && !memcmp(jid->str, id, id_len),
                   "the id is the one a strict reader finds");
    if (v.type == JC_OBJECT && jc_score(&v, f, &s))
        FUZZ_CHECK(rank_score_units(s) == score, "the score is the one a strict reader finds");
    jc_free(&v);
}

/* The line rank writes for the key (score, id) in format 'f'. */
static rank_entry *write_line(rank_format f, uint32_t score, const char *id, size_t id_len) {
    det_result r;
    memset(&r, 0, sizeof r);
    r.spin_score = score / 1e6;
    r.verdict = score >= 800000 ? DET_SPUN : score >= 500000 ? DET_SUSPECT : DET_NATURAL;
    if (score == RANK_UNSUPPORTED) { /* not judged: "-" or null */
        r.spin_score = NAN;
        r.verdict = DET_UNSUPPORTED;
        r.abstain = DET_ABSTAIN_SHORT;
    }
    if (f != RANK_ATTRIBUTES) { /* attributes would read r.sentences */
        r.nsentences = score % 7;
        r.flagged = score % 3;
    }
    r.tokens = score % 101;
    rank_entry *e = NULL;
    FUZZ_CHECK(rank_entry_make(f, id, id_len, &r, "", 0, 0, &e) == SPIN_OK, "rank writes it");
    FUZZ_CHECK(e->score == score, "the entry keeps the score");
    const char *w = rank_entry_line(e);
    FUZZ_CHECK(e->line_len >= 1 && w[e->line_len - 1] == '\n' && w[e->line_len] == '\0',
               "the line ends with a newline");
    FUZZ_CHECK(memchr(w, '\n', e->line_len) == w + e->line_len - 1, "one line per document");
    return e;
}

/* Parses what write_line wrote, which must be accepted. */
static void parse_written(rank_format f, const rank_entry *e, uint32_t *score, char **id,
                          size_t *id_len) {
    spin_diag d;
    size_t n = e->line_len - 1;
    char *copy = malloc(n ? n : 1);
    if (!copy)
        abort();
    memcpy(copy, rank_entry_line(e), n);
    FUZZ_CHECK(rank_parse_line(f, copy, n, score, id, id_len, &d) == SPIN_OK,
               "every line rank writes is read back");
    free(copy);
}

/* Written by rank, the key (score, id) is a line that merge reads back as
 * the key rank sorted the entry by: for JSON, the id as printed. */
static void check_rewrite(rank_format f, uint32_t score, const char *id, size_t id_len) {
    rank_entry *e = write_line(f, score, id, id_len);
    const char *w = rank_entry_line(e);
    size_t n = e->line_len - 1;
    int detected = rank_detect_format(w, n);
    if (f == RANK_TSV) {
        FUZZ_CHECK(detected == -1, "a tsv data line is not taken for a header");
        FUZZ_CHECK(e->id_len == id_len && !memcmp(e->data, id, id_len), "rank sorts by the id");
    } else {
        FUZZ_CHECK(detected == (int)f, "a written line is found in its format");
        jc_value v;
        FUZZ_CHECK(jc_parse_loud(w, n, &v), "rank writes strict JSON");
        const jc_value *jid = jc_get(&v, "id");
        FUZZ_CHECK(jid && jid->type == JC_STRING, "with a string id");
        FUZZ_CHECK(jid->len == e->id_len && !memcmp(jid->str, e->data, e->id_len),
                   "rank sorts by the id it prints");
        if (jc_valid_utf8(id, id_len))
            FUZZ_CHECK(jid->len == id_len && !memcmp(jid->str, id, id_len),
                       "which is the id, when that is UTF-8");
        double s;
        if (score == RANK_UNSUPPORTED)
            FUZZ_CHECK(!jc_score(&v, f, &s), "and no score when not judged");
        else
            FUZZ_CHECK(jc_score(&v, f, &s) && rank_score_units(s) == score, "and the score");
        jc_free(&v);
    }
    uint32_t score2;
    char *id2;
    size_t id2_len;
    parse_written(f, e, &score2, &id2, &id2_len);
    FUZZ_CHECK(same_key(score2, id2, id2_len, e->score, e->data, e->id_len),
               "merge reads back the key rank sorted by");
    mem_free(id2);
    mem_free(e);
}

static void check_order(const key *a, const key *b) {
    int ab = rank_key_cmp(a->score, a->id, a->id_len, b->score, b->id, b->id_len);
    int ba = rank_key_cmp(b->score, b->id, b->id_len, a->score, a->id, a->id_len);
    FUZZ_CHECK(sign(ab) == -sign(ba), "the key order is antisymmetric");
    FUZZ_CHECK((ab == 0) == same_key(a->score, a->id, a->id_len, b->score, b->id, b->id_len),
               "keys tie only when equal");
    if (a->score != b->score) {
        /* not judged (RANK_UNSUPPORTED) ranks after every judged score */
        int64_t ka = a->score == RANK_UNSUPPORTED ? -1 : (int64_t)a->score,
                kb = b->score == RANK_UNSUPPORTED ? -1 : (int64_t)b->score;
        FUZZ_CHECK((ab < 0) == (ka > kb), "higher scores first, unjudged last");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_input fz;
    if (!fuzz_split(data, size, 1, &fz))
        return 0;
    size_t top_k = fz.opt >> 4;

    int format = (int)(fz.opt & 3);
    if (format == 3) {
        const char *nl = memchr(fz.body, '\n', fz.len);
        size_t n = nl ? (size_t)(nl - fz.body) : fz.len;
        char *copy = malloc(n ? n : 1);
        if (!copy)
            abort();
        memcpy(copy, fz.body, n);
        format = rank_detect_format(copy, n);
        free(copy);
        FUZZ_CHECK(format >= -1 && format <= RANK_ATTRIBUTES, "a format or none");
        if (format < 0)
            return 0; /* merge stops here: "not an output of 'spinscan rank'" */
    }
    rank_format f = (rank_format)format;

    ranking *all = NULL, *best = NULL;
    FUZZ_CHECK(ranking_new(0, &all) == SPIN_OK && ranking_new(top_k, &best) == SPIN_OK, "rankings");
    key prev = {0, NULL, 0};
    uint64_t line_no = 0, seq = 0;
    for (size_t pos = 0; pos < fz.len && line_no < MAX_LINES;) {
        const char *s = fz.body + pos;
        const char *nl = memchr(s, '\n', fz.len - pos);
        size_t n = nl ? (size_t)(nl - s) : fz.len - pos;
        pos += n + (nl != NULL);
        ++line_no;
        char *line = malloc(n ? n : 1);
        if (!line)
            abort();
        memcpy(line, s, n);
        int detected = rank_detect_format(line, n);
        FUZZ_CHECK(detected >= -1 && detected <= RANK_ATTRIBUTES, "a format or none");
        if (n == 0 || (f == RANK_TSV && line_no == 1 && detected == RANK_TSV)) {
            free(line);
            continue;
        }
        key k = {0, NULL, 0};
        spin_diag d;
        memset(&d, 0, sizeof d);
        spin_status st = rank_parse_line(f, line, n, &k.score, &k.id, &k.id_len, &d);
        if (st != SPIN_OK) {
            FUZZ_CHECK(st == SPIN_EFORMAT, "a bad line is a format error");
            FUZZ_CHECK(k.id == NULL && k.id_len == 0, "no id on failure");
            FUZZ_CHECK(d.status == st && d.line == 0, "diag: the line is left to the caller");
            FUZZ_CHECK(memchr(d.message, '\0', sizeof d.message) != NULL && d.message[0],
                       "a message");
            free(line);
            continue;
        }
        FUZZ_CHECK(k.id != NULL && k.id[k.id_len] == '\0', "the id is terminated");
        FUZZ_CHECK(k.score <= 1000000 || k.score == RANK_UNSUPPORTED,
                   "the score is at most 1, or not judged (\"-\", null)");
        if (f != RANK_TSV)
            compare_strict(f, line, n, k.score, k.id, k.id_len);
        check_rewrite(f, k.score, k.id, k.id_len);
        if (prev.id)
            check_order(&prev, &k);

        rank_entry *e = NULL;
        FUZZ_CHECK(rank_entry_from_line(k.score, k.id, k.id_len, line, n, seq, &e) == SPIN_OK,
                   "an entry around the line");
        FUZZ_CHECK(e->score == k.score && e->id_len == k.id_len && e->seq == seq &&
                       !memcmp(e->data, k.id, k.id_len),
                   "the entry holds the key");
        FUZZ_CHECK(e->line_len == n + 1 && !memcmp(rank_entry_line(e), line, n) &&
                       rank_entry_line(e)[n] == '\n' && rank_entry_line(e)[n + 1] == '\0',
                   "and the line");
        rank_entry *e2 = NULL;
        FUZZ_CHECK(rank_entry_from_line(k.score, k.id, k.id_len, line, n, seq, &e2) == SPIN_OK,
                   "a second entry");
        ++seq;
        FUZZ_CHECK(ranking_add(all, e) == SPIN_OK && ranking_add(best, e2) == SPIN_OK, "added");
        mem_free(prev.id);
        prev = k;
        free(line);
    }
    mem_free(prev.id);

    rank_entry *const *ea, *const *eb;
    size_t na = ranking_sorted(all, &ea), nb = ranking_sorted(best, &eb);
    FUZZ_CHECK(na == seq, "the whole ranking keeps every entry");
    FUZZ_CHECK(nb == (top_k && top_k < na ? top_k : na), "the top K keeps K");
    for (size_t i = 1; i < na; ++i)
        FUZZ_CHECK(rank_cmp(ea[i - 1], ea[i]) < 0, "sorted strictly, best first");
    for (size_t i = 0; i < nb; ++i)
        FUZZ_CHECK(eb[i]->seq == ea[i]->seq, "the top K are the first K");
    ranking_free(all);
    ranking_free(best);
    return 0;
}
