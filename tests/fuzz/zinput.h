/* zinput.h - the body of the bzip2, xz and zstd input targets (fuzz_bzip2.c,
 * fuzz_xz.c, fuzz_zstd.c define ZCODEC and include this): the compressed
 * inputs of every command, read through reader.h from a real file (a memfd
 * opened by its /proc path, so the read window of a fuzz build, 64 bytes,
 * moves many times) and through input.h as `rank` reads a crawl.
 *
 * Input: byte 0 chooses, byte 1 is a parameter, the rest is the data.
 *   bit 0     0: the data compressed here (one or two members), then read
 *                back: the output must equal the data unless bit 1 cut it
 *             1: the data after the codec's magic number, raw (the decoder
 *                on arbitrary bytes)
 *   bit 1     cut the compressed stream at byte 1's share of its length
 *   bit 2     two members (streams, frames), split at byte 1's share
 *   bit 3     reader_set_recover (crawls), else a plain reader
 *   bit 4     read through input_open/input_next as well
 *   bits 5-7  read buffer size 1, 7, 64, 4096, ... (reader_read's n)
 */
#define Z_BZIP2 1
#define Z_XZ 2
#define Z_ZSTD 3
#include <bzlib.h>
#include <lzma.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "crawl/input.h"
#include "support/scratch.h"
#include "fuzz.h"
#include "text/reader.h"

/* Compresses n bytes at 'in' to out[*o..cap); false if it does not fit. */
static bool z_member(const unsigned char *in, size_t n, unsigned char *out, size_t cap, size_t *o) {
#if ZCODEC == Z_BZIP2
    unsigned int got = (unsigned int)(cap - *o);
    if (BZ2_bzBuffToBuffCompress((char *)out + *o, &got, (char *)(uintptr_t)in, (unsigned)n, 1, 0,
                                 0) != BZ_OK)
        return false;
    *o += got;
#elif ZCODEC == Z_XZ
    size_t pos = *o;
    if (lzma_easy_buffer_encode(0, LZMA_CHECK_CRC32, NULL, in, n, out, &pos, cap) != LZMA_OK)
        return false;
    *o = pos;
#else
    size_t got = ZSTD_compress(out + *o, cap - *o, in, n, 1);
    if (ZSTD_isError(got))
        return false;
    *o += got;
#endif
    return true;
}

static const unsigned char *z_magic(size_t *n) {
#if ZCODEC == Z_BZIP2
    static const unsigned char m[] = {'B', 'Z', 'h', '9'};
#elif ZCODEC == Z_XZ
    static const unsigned char m[] = {0xfd, '7', 'z', 'X', 'Z', 0x00};
#else
    static const unsigned char m[] = {0x28, 0xb5, 0x2f, 0xfd};
#endif
    *n = sizeof m;
    return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2)
        return 0;
    unsigned opt = data[0], param = data[1];
    const unsigned char *plain = data + 2;
    size_t len = size - 2;
    size_t cap = len + len / 2 + 1024, o = 0;
    unsigned char *z = malloc(cap);
    bool exact = false;
    if (opt & 1) {
        size_t mn;
        const unsigned char *m = z_magic(&mn);
        memcpy(z, m, mn);
        memcpy(z + mn, plain, len);
        o = mn + len;
    } else {
        size_t cut = opt & 4 ? len * param / 255 : len;
        if (!z_member(plain, cut, z, cap, &o) ||
            ((opt & 4) && !z_member(plain + cut, len - cut, z, cap, &o))) {
            free(z);
            return 0;
        }
        exact = true;
        if (opt & 2) {
            o = o * param / 256;
            exact = false;
        }
    }
    char path[64];
    int fd = scratch_memfd("fuzz-z", z, o, path, sizeof path);
    if (fd < 0) {
        free(z);
        return 0;
    }
    static const size_t bufsizes[8] = {1, 7, 64, 4096, 13, 65536, 100, 1 << 20};
    size_t bs = bufsizes[(opt >> 5) & 7];
    unsigned char *buf = malloc(bs);
    reader *r = NULL;
    spin_diag d;
    if (reader_open_path(path, &r, &d) == SPIN_OK) {
        if (opt & 8)
            reader_set_recover(r, true);
        size_t total = 0;
        bool same = true, failed = false;
        for (int guard = 0; guard < 1 << 22; ++guard) {
            size_t got = 0;
            spin_status st = reader_read(r, buf, bs, &got, &d);
            if (st != SPIN_OK) {
                FUZZ_CHECK(st == SPIN_EFORMAT || st == SPIN_EIO || st == SPIN_ENOMEM,
                           "a reader fails with a known status");
                FUZZ_CHECK(memchr(d.message, '\0', sizeof d.message), "message is terminated");
                failed = true;
                if (!(opt & 8))
                    break;
                continue;
            }
            if (!got)
                break;
            FUZZ_CHECK(got <= bs, "no more than asked");
            if (exact && (total + got > len || memcmp(buf, plain + total, got)))
                same = false;
            total += got;
        }
        if (exact) {
            FUZZ_CHECK(!failed, "an intact stream reads without error");
            FUZZ_CHECK(same && total == len, "an intact stream gives back the data");
        }
        reader_free(r);
    }
    free(buf);
    if (opt & 16) {
        char *paths[1] = {path};
        input_options io;
        input_options_init(&io);
        input *in = NULL;
        if (input_open(paths, 1, &io, &in) == SPIN_OK) {
            for (unsigned events = 0; events < 100000; ++events) {
                input_event ev;
                input_doc doc;
                memset(&doc, 0, sizeof doc);
                input_skip why = INPUT_NSKIPS;
                FUZZ_CHECK(input_next(in, &ev, &doc, &why, &d) == SPIN_OK, "input_next");
                if (ev == INPUT_END)
                    break;
                if (ev == INPUT_DOC)
                    input_doc_free(&doc);
            }
            input_free(in);
        }
    }
    close(fd);
    free(z);
    return 0;
}
