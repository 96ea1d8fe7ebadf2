/* writer.h - a byte stream to a descriptor, plain or compressed with gzip or
 * zstd (the output side of reader.h, for JSON Lines outputs).
 *
 * Library code: errors are returned (SPIN_EIO with errno's text in the diag,
 * SPIN_ENOMEM), never printed.  One writer per thread.
 */
#ifndef SPIN_WRITER_H
#define SPIN_WRITER_H

#include <stddef.h>

#include "spinscan.h"

typedef enum writer_format { WRITER_PLAIN, WRITER_GZIP, WRITER_ZSTD } writer_format;

/* The format a file name asks for: .gz gzip, .zst or .zstd zstd, else plain. */
writer_format writer_format_for(const char *name);

typedef struct writer writer;

/* Writes to 'fd', which stays open (the caller closes it after
 * writer_finish); 'name' labels diagnostics. */
spin_status writer_open_fd(int fd, const char *name, writer_format f, writer **out,
                           spin_diag *diag);
spin_status writer_write(writer *w, const void *data, size_t len, spin_diag *diag);
/* Ends the compressed stream and flushes everything to the descriptor. */
spin_status writer_finish(writer *w, spin_diag *diag);
/* Frees (after writer_finish, or to abandon the output). */
void writer_free(writer *w);

#endif
