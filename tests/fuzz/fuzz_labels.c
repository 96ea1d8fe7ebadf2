/* fuzz_labels.c - `spinscan calibrate`'s LABELS file: each line through
 * cal_parse_label_line() as cmd_calibrate.c reads it (getline on a real file),
 * and the per-sentence labels of cal_sentence_labels() for sentences starting
 * every few bytes of the file's own text.
 *
 * Input: byte 0 is the sentence stride (1-256), the rest is the file.
 * Checks: a record's fields hold no TAB or NUL, its labels length is right,
 * the class decides the family; a line is only rejected when it has fewer
 * than four columns or a document label other than 0/1 (or a NUL byte); the
 * sentence labels equal a direct count of newlines before each start.
 */
#define _GNU_SOURCE /* getline */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "detect/calibrate.h"
#include "fuzz.h"
#include "support/scratch.h"

/* Whether the third TAB-separated field of 's' is exactly "0" or "1". */
static bool third_is_label(const char *s) {
    const char *t1 = strchr(s, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
    const char *t3 = t2 ? strchr(t2 + 1, '\t') : NULL;
    return t3 && t3 == t2 + 2 && (t2[1] == '0' || t2[1] == '1');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    size_t stride = (size_t)data[0] + 1;
    const char *file = (const char *)data + 1;
    size_t flen = size - 1;
    char path[64];
    int fd = scratch_memfd("fuzz-labels", file, flen, path, sizeof path);
    if (fd < 0)
        return 0;
    FILE *f = fdopen(fd, "r");
    if (!f) {
        close(fd);
        return 0;
    }
    char *line = NULL, *copy = NULL;
    size_t cap = 0;
    ssize_t got;
    unsigned long lineno = 0;
    size_t nstarts = flen / stride + 1;
    size_t *starts = malloc(nstarts * sizeof *starts);
    unsigned char *out = malloc(nstarts);
    for (size_t i = 0; i < nstarts; ++i)
        starts[i] = i * stride;
    while ((got = getline(&line, &cap, f)) > 0) {
        ++lineno;
        copy = realloc(copy, (size_t)got + 1);
        memcpy(copy, line, (size_t)got + 1);
        cal_label_line ll;
        int k = cal_parse_label_line(line, (size_t)got, lineno, &ll);
        FUZZ_CHECK(k >= -1 && k <= 1, "a known answer");
        size_t tabs = 0;
        for (ssize_t i = 0; i < got; ++i)
            tabs += copy[i] == '\t';
        if (k < 0) {
            FUZZ_CHECK(tabs < 3 || memchr(copy, '\0', (size_t)got) || !third_is_label(copy),
                       "rejected only for a missing column, a bad label or a NUL");
            continue;
        }
        if (k == 0)
            continue;
        FUZZ_CHECK(tabs >= 3, "a record has four columns");
        FUZZ_CHECK(!strchr(ll.path, '\t') && !strchr(ll.klass, '\t') && !strchr(ll.labels, '\t'),
                   "no TAB inside a field");
        FUZZ_CHECK(ll.nlabels == strlen(ll.labels), "labels length");
        FUZZ_CHECK(ll.family == (!strncmp(ll.klass, "salad", 5)      ? DET_FAM_SALAD
                                 : !strncmp(ll.klass, "stuffing", 8) ? DET_FAM_STUFFING
                                                                     : DET_FAM_SPUN),
                   "the class decides the family");
        cal_sentence_labels(file, flen, starts, nstarts, ll.labels, ll.nlabels, ll.spun, out);
        size_t lno = 0, at = 0;
        for (size_t i = 0; i < nstarts; ++i) {
            for (; at < starts[i] && at < flen; ++at)
                lno += file[at] == '\n';
            unsigned char want = lno < ll.nlabels ? ll.labels[lno] == '1' : ll.spun;
            FUZZ_CHECK(out[i] == want, "a sentence takes its line's label");
        }
    }
    free(line);
    free(copy);
    free(starts);
    free(out);
    fclose(f);
    return 0;
}
