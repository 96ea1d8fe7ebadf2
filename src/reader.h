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

reader_format reader_get_format(const reader *r);
const char *reader_format_name(reader_format f);
const char *reader_name(const reader *r);
/* Total size of the underlying file if known (regular files and memory), else 0. */
uint64_t reader_input_size(const reader *r);
/* Bytes of underlying (compressed) input consumed so far. */
uint64_t reader_input_offset(const reader *r);

#endif
