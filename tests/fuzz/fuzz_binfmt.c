/* fuzz_binfmt.c - the binary model loader (spinscan compile's output, read
 * back from memory with spin_model_open_memory), and scoring with it.
 *
 * Input: byte 0 chooses the options, the rest is the image.
 *   bit 0  verify (check every table's checksum and structure)
 *   bit 1  recompute every checksum before loading, so that mutations get past
 *          the integrity checks and reach the structural ones; verify is then
 *          forced on unless bit 2 is set too
 *   bit 2  with bit 1: load with verify off anyway, the way `spinscan query`
 *          loads (only the header, vocabulary and unigrams are checked)
 *   bit 3  compile mode: the rest is not an image but byte K, then K edits of
 *          5 bytes (little-endian u32 offset into the image, byte to XOR in),
 *          then an ARPA model.  The model is compiled (spin_compile) with the
 *          layout of bits 4-5, edited, and loaded as above.  The seed corpus
 *          uses this mode so that it stays valid when the format changes;
 *          `make fuzz` adds raw images of the ARPA seeds to start from.
 *   bit 4  (compile mode) compact layout   bit 5  (compile mode) quantize to 8 bits
 * Checksums cover the header (bytes 0..4087, sum at 4088) and each section
 * up to the next one (binfmt.c "FORMAT"); the offsets below follow its
 * bin_header: nsections at 48, the section directory at 512, 32 bytes each.
 */
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "lm/binfmt.h"
#include "fuzz.h"
#include "spinscan.h"

#define HEADER_SIZE 4096u
#define HASH_AT (HEADER_SIZE - 8)
#define NSECTIONS_AT 48u
#define SECTIONS_AT 512u
#define MAX_SECTIONS 32u

static uint64_t get64(const unsigned char *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static void put64(unsigned char *p, uint64_t v) {
    memcpy(p, &v, 8);
}

static void fix_checksums(unsigned char *img, size_t size) {
    if (size < HEADER_SIZE)
        return;
    uint32_t n;
    memcpy(&n, img + NSECTIONS_AT, 4);
    if (n > MAX_SECTIONS)
        n = MAX_SECTIONS;
    for (uint32_t i = 0; i < n; ++i) {
        unsigned char *sec = img + SECTIONS_AT + 32u * i;
        uint64_t off = get64(sec + 8);
        uint64_t end = size;
        if (i + 1 < n) {
            uint64_t next = get64(sec + 32 + 8);
            if (next < end)
                end = next;
        }
        if (off <= end && end <= size)
            put64(sec + 24, binfmt_hash(img + off, (size_t)(end - off)));
    }
    put64(img + HASH_AT, binfmt_hash(img, HASH_AT));
}

static char workdir[64];

static void remove_workdir(void) {
    rmdir(workdir);
}

/* Compiles the ARPA model in 'arpa' into a malloc'd image; NULL if it does
 * not compile. */
static unsigned char *compile(const uint8_t *arpa, size_t len, unsigned opt, size_t *out_len) {
    if (!workdir[0]) {
        const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(workdir, sizeof workdir, "%s/spinscan-fuzz.XXXXXX", base);
        if (!mkdtemp(workdir))
            abort();
        atexit(remove_workdir);
    }
    char src[128], dst[128];
    snprintf(src, sizeof src, "%s/m.arpa", workdir);
    snprintf(dst, sizeof dst, "%s/m.bin", workdir);
    FILE *f = fopen(src, "wb");
    if (!f)
        abort();
    fwrite(arpa, 1, len, f);
    fclose(f);
    spin_write_options w;
    spin_write_options_init(&w);
    if (opt & 16)
        w.layout = SPIN_LAYOUT_COMPACT;
    if (opt & 32) {
        w.layout = SPIN_LAYOUT_COMPACT;
        w.prob_bits = w.backoff_bits = 8;
    }
    unsigned char *img = NULL;
    if (spin_compile(src, dst, NULL, &w, NULL) == SPIN_OK && (f = fopen(dst, "rb"))) {
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        img = malloc(n > 0 ? (size_t)n : 1);
        *out_len = fread(img, 1, n > 0 ? (size_t)n : 0, f);
        fclose(f);
    }
    unlink(src);
    unlink(dst);
    return img;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    unsigned opt = data[0];
    size_t len = size - 1;
    unsigned char *img;
    if (opt & 8) {
        if (size < 2 || size < 2 + 5u * data[1])
            return 0;
        unsigned k = data[1];
        const uint8_t *edits = data + 2;
        img = compile(edits + 5u * k, size - 2 - 5u * k, opt, &len);
        if (!img)
            return 0;
        for (unsigned i = 0; i < k && len; ++i) {
            uint32_t at;
            memcpy(&at, edits + 5 * i, 4);
            img[at % len] ^= edits[5 * i + 4];
        }
    } else {
        img = malloc(len ? len : 1);
        if (!img)
            return 0;
        memcpy(img, data + 1, len);
    }
    spin_load_options o;
    spin_load_options_init(&o);
    o.verify = opt & 1;
    if (opt & 2) {
        fix_checksums(img, len);
        o.verify = !(opt & 4);
    }
    spin_model *m = NULL;
    spin_diag d;
    memset(&d, 0, sizeof d);
    spin_status st = spin_model_open_memory(img, len, "fuzz.bin", &o, &m, &d);
    if (st == SPIN_OK) {
        unsigned order = spin_model_order(m);
        FUZZ_CHECK(order >= 2 && order <= SPIN_MAX_ORDER, "order in range");
        size_t vsize = spin_vocab_size(m);
        spin_state s, next;
        spin_state_begin_sentence(m, &s);
        FUZZ_CHECK(s.length < order, "begin state shorter than the order");
        /* Every word in turn, then the same words scored as one sentence. */
        char *sentence = malloc(1);
        size_t slen = 0;
        for (size_t id = 0; id < vsize && id < 2048; ++id) {
            size_t wl = 0;
            const char *w = spin_vocab_word(m, (spin_word)id, &wl);
            FUZZ_CHECK(w != NULL, "every index has a spelling");
            (void)spin_vocab_index(m, w, wl);
            spin_score sc = spin_full_score(m, &s, (spin_word)id, &next);
            FUZZ_CHECK(sc.ngram_length >= 1 && sc.ngram_length <= order, "match length");
            FUZZ_CHECK(next.length < order, "state shorter than the order");
            s = next;
            char *bigger = realloc(sentence, slen + wl + 2);
            if (!bigger)
                break;
            sentence = bigger;
            memcpy(sentence + slen, w, wl);
            slen += wl;
            sentence[slen++] = ' ';
        }
        spin_sentence_score t =
            spin_score_sentence(m, sentence, slen, SPIN_SCORE_BOS | SPIN_SCORE_EOS, NULL);
        FUZZ_CHECK(t.oov <= t.tokens, "OOVs are a subset of the tokens");
        free(sentence);
        spin_model_free(m);
    } else {
        FUZZ_CHECK(m == NULL, "no model on failure");
        FUZZ_CHECK(d.status == st, "diag carries the status");
    }
    free(img);
    return 0;
}
