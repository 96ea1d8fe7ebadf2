/* fuzz_detparams.c - the detector parameter file (models/en/detector.txt):
 * det_params_parse from memory and det_params_load from a file.
 *
 * Input: byte 0 chooses, the rest is the file.
 *   bit 0  also load it from a temporary file (det_params_load), which must
 *          give the same result, field by field or diag by diag
 *   bit 1  the rest follows a complete file (det_params_default, saved), so
 *          that most inputs load and reach the round trip with odd values
 *
 * Checks: parameters that load are finite, with positive reference scales
 * and suspect <= spun; saved (det_params_save) and loaded again they are
 * identical, bit for bit.  A file that fails is SPIN_EFORMAT and either names
 * a line (1 <= line <= the number of lines, byte = where that line starts) or
 * is wrong as a whole (empty, a feature missing: line 0).  A named line is
 * the first bad one: the lines before it fail at no line, and those lines
 * with it fail at that same line with the same message.  Messages hold no
 * control characters.
 */
#include <math.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "detect/detect.h"
#include "fuzz.h"

static char workdir[64];
static char in_path[128], out_path[128];

static void remove_workdir(void) {
    unlink(in_path);
    unlink(out_path);
    rmdir(workdir);
}

static void make_workdir(void) {
    if (workdir[0])
        return;
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(workdir, sizeof workdir, "%s/spinscan-fuzz.XXXXXX", base);
    if (!mkdtemp(workdir))
        abort();
    snprintf(in_path, sizeof in_path, "%s/in.txt", workdir);
    snprintf(out_path, sizeof out_path, "%s/out.txt", workdir);
    atexit(remove_workdir);
}

static void write_file(const char *path, const char *data, size_t len) {
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0)
        abort();
}

/* The file at 'path' into a malloc'd buffer of exactly its size. */
static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f)
        abort();
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc(n > 0 ? (size_t)n : 1);
    if (!p || n < 0 || fread(p, 1, (size_t)n, f) != (size_t)n)
        abort();
    fclose(f);
    *len = (size_t)n;
    return p;
}

static bool same_params(const det_params *a, const det_params *b) {
    return !memcmp(a->ref_median, b->ref_median, sizeof a->ref_median) &&
           !memcmp(a->ref_scale, b->ref_scale, sizeof a->ref_scale) &&
           !memcmp(a->sent_w0, b->sent_w0, sizeof a->sent_w0) &&
           !memcmp(a->sent_w, b->sent_w, sizeof a->sent_w) &&
           !memcmp(a->fam_w0, b->fam_w0, sizeof a->fam_w0) &&
           !memcmp(a->fam_w, b->fam_w, sizeof a->fam_w) &&
           !memcmp(&a->flag_spin, &b->flag_spin, sizeof a->flag_spin) &&
           !memcmp(&a->flag_z, &b->flag_z, sizeof a->flag_z) &&
           !memcmp(&a->flag_spin_z, &b->flag_spin_z, sizeof a->flag_spin_z) &&
           !memcmp(&a->flag_spin_doc, &b->flag_spin_doc, sizeof a->flag_spin_doc) &&
           !memcmp(&a->suspect, &b->suspect, sizeof a->suspect) &&
           !memcmp(&a->spun, &b->spun, sizeof a->spun) && a->needs_spun == b->needs_spun &&
           !strcmp(a->source, b->source);
}

static bool same_diag(const spin_diag *a, const spin_diag *b) {
    return a->status == b->status && a->line == b->line && a->byte == b->byte &&
           !strcmp(a->message, b->message);
}

static void check_loaded(const det_params *p) {
    const double *all[] = {p->ref_median, p->ref_scale, p->sent_w0,
                           p->sent_w[0],  p->fam_w0,    p->fam_w[0]};
    const size_t counts[] = {DET_NFEATURES, DET_NFEATURES,
                             DET_NFAMILIES, DET_NFAMILIES * DET_NFEATURES,
                             DET_NFAMILIES, DET_NFAMILIES * DET_NDOC_FEATURES};
    for (size_t a = 0; a < sizeof all / sizeof *all; ++a)
        for (size_t i = 0; i < counts[a]; ++i)
            FUZZ_CHECK(isfinite(all[a][i]), "every weight is finite");
    for (int k = 0; k < DET_NFEATURES; ++k)
        FUZZ_CHECK(p->ref_scale[k] > 0, "reference scales are positive");
    FUZZ_CHECK(isfinite(p->flag_spin) && isfinite(p->flag_z) && isfinite(p->flag_spin_z) &&
                   isfinite(p->flag_spin_doc),
               "flag thresholds are finite");
    FUZZ_CHECK(isfinite(p->suspect) && isfinite(p->spun) && p->suspect <= p->spun,
               "suspect <= spun");
    FUZZ_CHECK(memchr(p->source, '\0', sizeof p->source) != NULL, "source is terminated");
}

/* Saved and loaded again (from the file and from memory), 'p' comes back. */
static void round_trip(const det_params *p) {
    make_workdir();
    spin_diag d;
    FUZZ_CHECK(det_params_save(p, out_path, &d) == SPIN_OK, "loaded parameters save");
    det_params q;
    FUZZ_CHECK(det_params_load(out_path, &q, &d) == SPIN_OK, "saved parameters load");
    FUZZ_CHECK(same_params(p, &q), "save and load give the parameters back");
    size_t len;
    char *text = read_file(out_path, &len);
    FUZZ_CHECK(det_params_parse(text, len, "saved", &q, &d) == SPIN_OK, "and parse");
    FUZZ_CHECK(same_params(p, &q), "from memory too");
    free(text);
}

static size_t count_lines(const char *s, size_t len) {
    size_t n = 0;
    for (size_t i = 0; i < len; ++i)
        n += s[i] == '\n';
    return n + (len && s[len - 1] != '\n');
}

/* Offset of the start of line 'no' (from 1) in 's'. */
static size_t line_start(const char *s, size_t len, uint64_t no) {
    size_t at = 0;
    for (uint64_t k = 1; k < no; ++k) {
        const char *nl = memchr(s + at, '\n', len - at);
        FUZZ_CHECK(nl != NULL, "the line exists");
        at = (size_t)(nl - s) + 1;
    }
    return at;
}

/* Parses an exact-size copy of s[0, len), so that ASan sees reads past it. */
static spin_status parse_copy(const char *s, size_t len, det_params *p, spin_diag *d) {
    char *copy = malloc(len ? len : 1);
    if (!copy)
        abort();
    if (len)
        memcpy(copy, s, len);
    memset(d, 0, sizeof *d);
    spin_status st = det_params_parse(copy, len, "fuzz.txt", p, d);
    free(copy);
    return st;
}

static void check_failure(const char *text, size_t len, spin_status st, const spin_diag *d) {
    FUZZ_CHECK(st == SPIN_EFORMAT, "a bad file is a format error");
    FUZZ_CHECK(d->status == st, "diag carries the status");
    FUZZ_CHECK(memchr(d->message, '\0', sizeof d->message) != NULL, "message is terminated");
    FUZZ_CHECK(d->message[0] != '\0', "message is not empty");
    FUZZ_CHECK(!strcmp(d->path, "fuzz.txt"), "diag names the file");
    for (const char *m = d->message; *m; ++m)
        FUZZ_CHECK((unsigned char)*m >= 0x20 && *m != 0x7f, "no control characters in messages");
    if (d->line == 0) {
        FUZZ_CHECK(!strcmp(d->message, "empty file") || !strncmp(d->message, "feature \"", 9) ||
                       !strncmp(d->message, "doc_feature \"", 13) ||
                       !strncmp(d->message, "the document score's weights are incomplete", 43),
                   "only whole-file errors name no line");
        FUZZ_CHECK(strcmp(d->message, "empty file") || len == 0, "only an empty file is empty");
        return;
    }
    FUZZ_CHECK(d->line <= count_lines(text, len), "the line named exists");
    size_t at = line_start(text, len, d->line);
    FUZZ_CHECK(d->byte == at, "byte is where the line starts");
    det_params p;
    spin_diag before;
    if (parse_copy(text, at, &p, &before) != SPIN_OK)
        FUZZ_CHECK(before.line == 0, "no line before the one named is bad");
    const char *nl = memchr(text + at, '\n', len - at);
    size_t through = nl ? (size_t)(nl - text) + 1 : len;
    spin_diag with;
    FUZZ_CHECK(parse_copy(text, through, &p, &with) == SPIN_EFORMAT && same_diag(&with, d),
               "the lines through the one named fail at it, for the same reason");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_input fz;
    if (!fuzz_split(data, size, 1, &fz))
        return 0;

    static char *defaults;
    static size_t defaults_len;
    if ((fz.opt & 2) && !defaults) {
        det_params def;
        det_params_default(&def);
        spin_diag d;
        make_workdir();
        FUZZ_CHECK(det_params_save(&def, out_path, &d) == SPIN_OK, "the defaults save");
        defaults = read_file(out_path, &defaults_len);
    }
    size_t head = fz.opt & 2 ? defaults_len : 0;
    char *text = malloc(head + fz.len + 1);
    if (!text)
        abort();
    if (head)
        memcpy(text, defaults, head);
    memcpy(text + head, fz.body, fz.len);
    size_t len = head + fz.len;

    det_params p;
    spin_diag d;
    spin_status st = parse_copy(text, len, &p, &d);
    if (st == SPIN_OK) {
        check_loaded(&p);
        round_trip(&p);
    } else {
        check_failure(text, len, st, &d);
    }

    if (fz.opt & 1) {
        make_workdir();
        write_file(in_path, text, len);
        det_params q;
        spin_diag e;
        memset(&e, 0, sizeof e);
        spin_status st2 = det_params_load(in_path, &q, &e);
        FUZZ_CHECK(st2 == st, "a file loads as its bytes parse");
        if (st == SPIN_OK) {
            FUZZ_CHECK(same_params(&p, &q), "to the same parameters");
        } else {
            FUZZ_CHECK(same_diag(&d, &e), "or with the same diag");
            FUZZ_CHECK(!strcmp(e.path, in_path), "naming the file");
        }
    }
    free(text);
    return 0;
}
