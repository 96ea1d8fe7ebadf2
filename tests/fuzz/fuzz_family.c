/* fuzz_family.c - spin families (family.h): the signature file reader that
 * `merge --families` runs on files from elsewhere, the skeleton walker and
 * aligner on arbitrary text, and the family fields written into rank lines.
 *
 * Input: byte 0 chooses, the rest is the data.
 *   0 mod 3  a signature file: fam_set_read.  Accepted: written again
 *            (fam_set_write) it reads back to the same documents, and the
 *            families can be found; refused: SPIN_EFORMAT with a message.
 *   1 mod 3  text: its signature (a function of the text; the skeleton
 *            similarity with itself is 1 when it has enough shingles, every
 *            similarity is in [0, 1]); the first half as a family's pivot and
 *            the second as a member: every substitution set has 2+ distinct
 *            variants, sorted.
 *   2 mod 3  a rank output line (format: byte 0 / 3 mod 3): when
 *            rank_entry_refamily accepts it, doing it again gives the same
 *            line (family fields are replaced, not added), one line, with
 *            the id it had (rank_parse_line).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "crawl/family.h"
#include "crawl/rank.h"
#include "fuzz.h"
#include "util/mem.h"

static void sig_file(const uint8_t *data, size_t size) {
    if (!size)
        return; /* fmemopen needs a byte */
    FILE *f = fmemopen((void *)data, size, "rb");
    if (!f)
        return;
    fam_set *fs;
    if (fam_set_new(&fs) != SPIN_OK)
        abort();
    spin_diag d;
    memset(&d, 0, sizeof d);
    spin_status st = fam_set_read(fs, f, "in.sig", &d);
    fclose(f);
    if (st == SPIN_OK) {
        char *buf = NULL;
        size_t len = 0;
        FILE *w = open_memstream(&buf, &len);
        FUZZ_CHECK(w && fam_set_write(fs, w) == SPIN_OK, "an accepted file is written again");
        fclose(w);
        FILE *r = fmemopen(buf, len, "rb");
        fam_set *back;
        fam_set_new(&back);
        FUZZ_CHECK(fam_set_read(back, r, "again.sig", &d) == SPIN_OK, "and read back");
        FUZZ_CHECK(fam_set_count(back) == fam_set_count(fs), "to the same documents");
        fclose(r);
        free(buf);
        FUZZ_CHECK(fam_set_solve(back) == SPIN_OK, "families are found");
        for (size_t i = 0; i < fam_set_count(back); ++i) {
            fam_info fi;
            fam_set_info(back, i, &fi);
            FUZZ_CHECK(fi.size >= 1 && fi.size <= fam_set_count(back), "family sizes");
            FUZZ_CHECK((fi.size == 1) == (fi.kind == FAM_NONE), "alone means no kind");
        }
        fam_set_free(back);
    } else {
        FUZZ_CHECK(st == SPIN_EFORMAT && d.message[0], "refused with a message");
    }
    fam_set_free(fs);
}

static void check_set(void *ctx, const char *const *w, size_t n) {
    (void)ctx;
    FUZZ_CHECK(n >= 2, "a set has two variants or more");
    for (size_t i = 1; i < n; ++i)
        FUZZ_CHECK(strcmp(w[i - 1], w[i]) < 0, "sorted and distinct");
}

static void text(const uint8_t *data, size_t size) {
    const char *t = (const char *)data;
    fam_sig a, b;
    fam_signature(t, size, &a);
    fam_signature(t, size, &b);
    FUZZ_CHECK(!memcmp(&a, &b, sizeof a), "a signature is a function of the text");
    double s = fam_skel_similarity(&a, &b), w = fam_word_similarity(&a, &b);
    FUZZ_CHECK(a.nshingles < FAM_MIN_SHINGLES ? s == 0 : s == 1, "self similarity");
    FUZZ_CHECK(w >= 0 && w <= 1, "word similarity in [0, 1]");
    size_t half = size / 2;
    fam_sig c;
    fam_signature(t, half, &c);
    s = fam_skel_similarity(&a, &c);
    FUZZ_CHECK(s >= 0 && s <= 1, "similarity in [0, 1]");
    fam_subs *subs;
    if (fam_subs_new(t, half, &subs) != SPIN_OK)
        return;
    if (fam_subs_add(subs, t + half, size - half) == SPIN_OK)
        fam_subs_each(subs, check_set, NULL);
    fam_subs_free(subs);
}

static void line(unsigned opt, const uint8_t *data, size_t size) {
    rank_format f = (rank_format)(opt / 3 % 3);
    const char *l = (const char *)data;
    size_t len = size;
    if (memchr(l, '\n', len))
        return; /* one line */
    rank_entry *e, *a = NULL, *b = NULL;
    if (rank_entry_from_line(0, "x", 1, l, len, 0, &e) != SPIN_OK)
        return;
    fam_info fi = {"f0123456789abcdef", 4, FAM_SPUN};
    if (opt & 0x80)
        fi = (fam_info){"", 1, FAM_NONE};
    bool tsv_family = opt & 0x40;
    if (rank_entry_refamily(f, e, tsv_family, 777777, &fi, &a) == SPIN_OK) {
        const char *out = rank_entry_line(a);
        FUZZ_CHECK(a->line_len > 0 && out[a->line_len - 1] == '\n', "ends with a newline");
        FUZZ_CHECK(memchr(out, '\n', a->line_len - 1) == NULL, "one line");
        FUZZ_CHECK(a->score == 777777, "the entry ranks by the new score");
        if (rank_entry_refamily(f, a, f == RANK_TSV, 777777, &fi, &b) == SPIN_OK)
            FUZZ_CHECK(b->line_len == a->line_len && !memcmp(rank_entry_line(b), out, a->line_len),
                       "family fields are replaced, not added again");
        uint32_t score;
        char *id = NULL;
        size_t id_len;
        spin_diag d;
        if (f != RANK_TSV &&
            rank_parse_line(f, out, a->line_len - 1, &score, &id, &id_len, &d) == SPIN_OK) {
            uint32_t before;
            char *id0 = NULL;
            size_t l0;
            if (rank_parse_line(f, l, len, &before, &id0, &l0, &d) == SPIN_OK)
                FUZZ_CHECK(l0 == id_len && !memcmp(id0, id, l0), "the line keeps its id");
            mem_free(id0);
        }
        mem_free(id);
    }
    mem_free(e);
    mem_free(a);
    mem_free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    unsigned opt = data[0];
    switch (opt % 3) {
    case 0:
        sig_file(data + 1, size - 1);
        break;
    case 1:
        text(data + 1, size - 1);
        break;
    default:
        line(opt, data + 1, size - 1);
        break;
    }
    return 0;
}
