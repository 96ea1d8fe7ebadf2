/* reader.h - a byte stream from a file, a descriptor or memory, decompressed on
 * the fly when it starts with gzip, bzip2, xz or zstd magic bytes.
 *
 * Detection looks only at content, never at the file name.  Concatenated
 * streams (several gzip members, several xz/zstd frames) read as one.  A stream
 * that ends early, or carries corrupt data, is an error that names the file and
 * the offset in the compressed input; nothing is silently dropped.
 */
#ifndef SPIN_READER_H
#define SPIN_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spinscan.h"

typedef enum reader_format {
    READER_PLAIN,
    READER_GZIP,
    READER_BZIP2,
    READER_XZ,
    READER_ZSTD
} reader_format;

typedef struct reader reader;

/* Opens 'path' for reading ("-" is not special here). */
spin_status reader_open_path(const char *path, reader **out, spin_diag *d);
/* Reads from descriptor 'fd', which stays open; 'name' labels diagnostics. */
spin_status reader_open_fd(int fd, const char *name, reader **out, spin_diag *d);
/* Reads the 'size' bytes at 'data', which must outlive the reader. */
spin_status reader_open_memory(const void *data, size_t size, const char *name, reader **out,
                               spin_diag *d);
void reader_free(reader *r);

/* Caps the decompressed size; reading past it is an error (0 = no cap). */
void reader_set_limit(reader *r, uint64_t max_bytes);

/* Reads up to 'n' decompressed bytes into 'buf'; *got is 0 only at the end. */
spin_status reader_read(reader *r, void *buf, size_t n, size_t *got, spin_diag *d);

/* Recovery from bad members, for crawls made of many independent members
 * (a .warc.gz holds one gzip member per record).  With 'on', a gzip, bzip2
 * or zstd member that is corrupt or truncated makes reader_read fail once
 * (SPIN_EFORMAT, diag byte = the raw offset where the bad member starts);
 * the next reader_read resumes at the next member magic found after that
 * offset (regular files are re-read from there; pipes resume where the
 * decoder stopped).  Bytes the bad member had already produced stay
 * delivered: the caller drops whatever record it was assembling.  Plain
 * and xz input, and a bad member with no member after it, end the stream
 * instead (reads then return 0 bytes).  I/O errors are never recovered. */
void reader_set_recover(reader *r, bool on);
/* The raw offset of the start of the member (gzip member, bzip2 stream, zstd
 * frame) that produced decompressed byte 'out_offset', as far as the last 64
 * members are remembered (older: the oldest remembered); for plain input
 * 'out_offset' itself, for xz 0. */
uint64_t reader_member_at(const reader *r, uint64_t out_offset);

reader_format reader_get_format(const reader *r);
const char *reader_format_name(reader_format f);
const char *reader_name(const reader *r);
/* Total size of the underlying file if known (regular files and memory), else 0. */
uint64_t reader_input_size(const reader *r);
/* Bytes of underlying (compressed) input consumed so far. */
uint64_t reader_input_offset(const reader *r);

#endif
