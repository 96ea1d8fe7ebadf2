/* test_abbrev.c - common English abbreviations through the tokenizer: one
 * rule for all of them.
 *
 * Sentences: an abbreviation that stands before what it introduces (titles
 * before a name, "e.g.", "i.e.", "cf.", "vs.", "No.", "Fig.") does not end a
 * sentence, whatever the case of the next word.
 * Tokens: every abbreviation is the word with its inner periods (lower-cased,
 * as every word), then its final period as a token of its own, as at the end
 * of any word: "p.m ." and "dr ." alike (the models are trained on this form).
 */
#include <stdio.h>
#include <string.h>

#include "text/tokenize.h"
#include "util/mem.h"
#include "tap.h"

static tokenizer *T;

/* The line stream of 's' (one sentence per line), or NULL on error; the
 * caller frees it with mem_free(). */
static char *lines(const char *s) {
    char *out = NULL;
    size_t n;
    spin_diag d;
    if (tokenize_lines_buf(T, s, strlen(s), &out, &n, NULL, &d) != SPIN_OK)
        return NULL;
    return out;
}

static size_t count_lines(const char *s) {
    size_t n = 0;
    for (; s && *s; ++s)
        n += *s == '\n';
    return n;
}

/* Abbreviations before a capitalised word, which must not end a sentence. */
static const char *const before_name[] = {
    "Mr.",  "Mrs.",  "Ms.",  "Dr.",  "Prof.", "Rev.", "Gen.", "Col.",    "Capt.", "Lt.",
    "Sgt.", "Gov.",  "Sen.", "Rep.", "vs.",   "cf.",  "e.g.", "i.e.",    "Fig.",  "No.",
    "Vol.", "Dept.", "pp.",  "viz.", "E.g.",  "Mx.",  "Hon.", "approx.",
};
/* Not in the list: "St." (Street ends sentences), "Jr.", "Sr.", "etc.",
 * "a.m.", "p.m.", "U.S.", which often end a sentence before a capital. */

/* Abbreviations and their tokens (the final period on its own). */
static const struct {
    const char *text, *tokens;
} forms[] = {
    {"Dr.", "dr ."},   {"Mr.", "mr ."},   {"Mrs.", "mrs ."},   {"p.m.", "p.m ."},
    {"a.m.", "a.m ."}, {"e.g.", "e.g ."}, {"i.e.", "i.e ."},   {"U.S.", "u.s ."},
    {"etc.", "etc ."}, {"vs.", "vs ."},   {"Prof.", "prof ."}, {"No.", "no ."},
    {"St.", "st ."},   {"Jr.", "jr ."},   {"cf.", "cf ."},     {"Inc.", "inc ."},
};

int main(void) {
    spin_diag d;
    if (tokenize_new(&T, &d) != SPIN_OK) {
        printf("Bail out! tokenizer: %s\n", d.message);
        return 1;
    }

    char *s = lines("Use a thesaurus, e.g. Moby, to spin text.");
    is_int((int)count_lines(s), 1, "\"e.g. Moby\" does not end the sentence");
    mem_free(s);
    s = lines("It ended at 5 p.m. Then we left.");
    is_int((int)count_lines(s), 2, "\"p.m.\" before a new sentence still ends one");
    mem_free(s);
    s = lines("We went home. It was late.");
    is_int((int)count_lines(s), 2, "an ordinary full stop ends a sentence");
    mem_free(s);

    for (size_t i = 0; i < sizeof before_name / sizeof before_name[0]; ++i) {
        char in[128];
        snprintf(in, sizeof in, "We asked %s Smith about it.", before_name[i]);
        s = lines(in);
        is_int((int)count_lines(s), 1, "\"%s Smith\": one sentence", before_name[i]);
        mem_free(s);
    }

    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; ++i) {
        char in[128], want[128];
        snprintf(in, sizeof in, "They wrote %s and more words here.", forms[i].text);
        snprintf(want, sizeof want, "they wrote %s and more words here .\n", forms[i].tokens);
        s = lines(in);
        is_str(s ? s : "", want, "%s is tokenized %s", forms[i].text, forms[i].tokens);
        mem_free(s);
    }

    tokenize_free(T);
    return tap_done();
}
