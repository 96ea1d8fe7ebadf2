/* fuzz_tokenize.c - the tokenizer (tokenize.h) on arbitrary bytes.
 *
 * Input: byte 0 chooses the entry point and options, the rest is the text.
 *   bits 0-1  0: tokenize_doc, then tokenize_lines_buf, which must agree
 *             1: tokenize_lines_buf with ICU's word iterator only and with
 *                the ASCII fast path, which must agree (tokenize.h promises)
 *             2: tokenize_stream with a callback that stops after byte 1's
 *                low bits + 1 segments (the stop status must come back)
 *             3: tokenize_check_text alone
 *   bit 2     fast path off (modes 0 and 2)
 * Every segment and token must lie inside the input, in order, and token
 * texts must be non-empty, free of whitespace and NUL, and never one of the
 * model's markers.
 */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "text/tokenize.h"

static tokenizer *tok;

static bool is_space_or_nul(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == '\0';
}

static void check_token_text(const char *t, uint32_t len) {
    FUZZ_CHECK(len > 0, "token text is never empty");
    for (uint32_t i = 0; i < len; ++i)
        FUZZ_CHECK(!is_space_or_nul(t[i]), "token text has no whitespace or NUL");
    FUZZ_CHECK(!(len == 3 && memcmp(t, "<s>", 3) == 0), "token is not <s>");
    FUZZ_CHECK(!(len == 4 && memcmp(t, "</s>", 4) == 0), "token is not </s>");
    FUZZ_CHECK(!(len == 5 && memcmp(t, "<unk>", 5) == 0), "token is not <unk>");
}

/* The line stream tokenize_lines() must produce for 'doc'. */
static char *lines_of(const tok_doc *doc, size_t *out_len) {
    size_t need = 1;
    for (size_t i = 0; i < doc->ntokens; ++i)
        need += doc->tokens[i].len + 1;
    char *out = malloc(need);
    size_t o = 0;
    for (size_t s = 0; s < doc->nsentences; ++s) {
        const tok_sentence *se = &doc->sentences[s];
        for (size_t k = 0; k < se->count; ++k) {
            const tok_token *t = &doc->tokens[se->first + k];
            if (k)
                out[o++] = ' ';
            memcpy(out + o, doc->text + t->text, t->len);
            o += t->len;
        }
        out[o++] = '\n';
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}

static void check_doc(const tok_doc *doc, size_t len) {
    size_t next_first = 0, prev_end = 0;
    for (size_t s = 0; s < doc->nsentences; ++s) {
        const tok_sentence *se = &doc->sentences[s];
        FUZZ_CHECK(se->count >= 1 && se->count <= TOK_MAX_SENTENCE_TOKENS, "segment size");
        FUZZ_CHECK(se->first == next_first, "a segment's tokens follow the previous one's");
        FUZZ_CHECK(se->first + se->count <= doc->ntokens, "segment tokens exist");
        FUZZ_CHECK(se->start <= se->end && se->end <= len, "segment inside the input");
        FUZZ_CHECK(se->start >= prev_end, "segments in order, not overlapping");
        FUZZ_CHECK(se->kind <= TOK_BOILERPLATE, "segment kind");
        const tok_token *first = &doc->tokens[se->first];
        const tok_token *last = &doc->tokens[se->first + se->count - 1];
        FUZZ_CHECK(se->start == first->start && se->end == last->end,
                   "a segment spans its first to its last token");
        size_t tprev = se->start;
        bool invalid = false;
        for (size_t k = 0; k < se->count; ++k) {
            const tok_token *t = &doc->tokens[se->first + k];
            FUZZ_CHECK(t->start >= tprev && t->start <= t->end && t->end <= len,
                       "tokens inside the input, in order");
            FUZZ_CHECK(t->kind <= TOK_EMAIL, "token kind");
            FUZZ_CHECK(t->text <= doc->text_len && t->len <= doc->text_len - t->text,
                       "token text inside the arena");
            check_token_text(doc->text + t->text, t->len);
            invalid |= (t->flags & TOK_T_INVALID) != 0;
            tprev = t->end;
        }
        FUZZ_CHECK(!invalid || (se->flags & TOK_S_INVALID), "an invalid token marks its segment");
        next_first = se->first + se->count;
        prev_end = se->end;
    }
    FUZZ_CHECK(next_first == doc->ntokens, "every token belongs to a segment");
    FUZZ_CHECK(doc->stats.tokens == doc->ntokens, "token count");
    FUZZ_CHECK(doc->stats.sentences == doc->nsentences, "segment count");
    FUZZ_CHECK(doc->stats.bytes == len, "byte count");
}

typedef struct stopper {
    unsigned seen, stop_after;
    size_t len, prev_end;
} stopper;

static spin_status on_sentence(void *ctx, const tok_sentence *s, const tok_token *tokens,
                               const char *text) {
    stopper *st = ctx;
    FUZZ_CHECK(s->first == 0 && s->count >= 1, "streamed segment shape");
    FUZZ_CHECK(s->start >= st->prev_end && s->end <= st->len, "streamed segment in order");
    for (size_t k = 0; k < s->count; ++k)
        check_token_text(text + tokens[k].text, tokens[k].len);
    st->prev_end = s->end;
    if (++st->seen == st->stop_after)
        return SPIN_EINVAL; /* a status tokenize never makes itself */
    return SPIN_OK;
}

static void check_lines(const char *out, size_t out_len) {
    FUZZ_CHECK(out[out_len] == '\0', "NUL-terminated");
    FUZZ_CHECK(out_len == 0 || out[out_len - 1] == '\n', "ends with a newline");
    for (size_t i = 0; i < out_len; ++i) {
        FUZZ_CHECK(out[i] != '\0', "no NUL in lines");
        if (out[i] == '\n' || out[i] == ' ')
            FUZZ_CHECK(i > 0 && out[i - 1] != '\n' && out[i - 1] != ' ',
                       "no empty line, no double space, no leading space");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    if (!tok && tokenize_new(&tok, NULL) != SPIN_OK)
        abort(); /* ICU data missing: nothing can be tested */
    unsigned opt = data[0];
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    spin_diag d;
    memset(&d, 0, sizeof d);
    tokenize_set_fast_path(tok, !(opt & 4));
    switch (opt & 3) {
    case 0: {
        tok_doc doc;
        spin_status st = tokenize_doc(tok, text, len, &doc, &d);
        char *out = NULL;
        size_t out_len = 0;
        spin_status st2 = tokenize_lines_buf(tok, text, len, &out, &out_len, NULL, NULL);
        FUZZ_CHECK(st == st2, "doc and lines agree on the status");
        if (st == SPIN_OK) {
            check_doc(&doc, len);
            size_t want_len;
            char *want = lines_of(&doc, &want_len);
            FUZZ_CHECK(out_len == want_len && memcmp(out, want, out_len) == 0,
                       "lines are the document's tokens");
            check_lines(out, out_len);
            free(want);
        } else {
            FUZZ_CHECK(doc.nsentences == 0 && doc.ntokens == 0, "a failed document is empty");
            FUZZ_CHECK(out == NULL, "no lines on failure");
        }
        tokenize_doc_free(&doc);
        free(out);
        break;
    }
    case 1: {
        char *slow = NULL, *fast = NULL;
        size_t slow_len = 0, fast_len = 0;
        tokenize_set_fast_path(tok, false);
        spin_status a = tokenize_lines_buf(tok, text, len, &slow, &slow_len, NULL, NULL);
        tokenize_set_fast_path(tok, true);
        spin_status b = tokenize_lines_buf(tok, text, len, &fast, &fast_len, NULL, NULL);
        FUZZ_CHECK(a == b, "fast path gives the same status");
        if (a == SPIN_OK) {
            check_lines(slow, slow_len);
            FUZZ_CHECK(slow_len == fast_len && memcmp(slow, fast, slow_len) == 0,
                       "fast path gives the same lines");
        }
        free(slow);
        free(fast);
        break;
    }
    case 2: {
        stopper st = {0, (len ? (unsigned)(data[1] & 7) : 0) + 1, len, 0};
        tok_stats stats;
        spin_status rc = tokenize_stream(tok, text, len, on_sentence, &st, &stats, &d);
        if (st.seen == st.stop_after)
            FUZZ_CHECK(rc == SPIN_EINVAL, "the callback's status comes back");
        else
            FUZZ_CHECK(rc != SPIN_EINVAL, "no stop without the callback");
        break;
    }
    case 3: {
        spin_status rc = tokenize_check_text(text, len, &d);
        FUZZ_CHECK(rc == SPIN_OK || rc == SPIN_EFORMAT, "text or not text");
        if (rc == SPIN_EFORMAT)
            FUZZ_CHECK(d.byte <= len, "the offending byte is inside the input");
        break;
    }
    }
    return 0;
}
