/* arpa_write.h - writing ARPA text the way lmplz prints it.
 *
 * Numbers are printed as the shortest decimal that reads back as the same
 * float, in plain notation for decimal exponents -6..20 and as "1.5e-7"
 * otherwise; that is how lmplz (double-conversion's ToShortestSingle) prints.
 * Output goes to a temporary file beside the target, gzip-compressed when the
 * target's name ends in ".gz", and is renamed into place only by
 * arpaw_commit(), so a failed run never damages an existing file.
 */
#ifndef SPIN_ARPA_WRITE_H
#define SPIN_ARPA_WRITE_H

#include <stddef.h>

#include "spinscan.h"

/* Longest text arpaw_format_float() produces, with its NUL. */
#define ARPAW_FLOAT_MAX 32

/* Writes 'v' to 'buf' (ARPAW_FLOAT_MAX bytes) and returns the length.
 * Zero (either sign) is "0", infinities "-inf"/"inf", NaN "NaN". */
size_t arpaw_format_float(char *buf, float v);

typedef struct arpaw_file arpaw_file;

/* Opens a temporary file next to 'path' for writing. */
spin_status arpaw_open(const char *path, arpaw_file **out, spin_diag *diag);
/* Buffered write; errors are remembered and reported by arpaw_commit(). */
void arpaw_write(arpaw_file *f, const char *s, size_t len);
void arpaw_puts(arpaw_file *f, const char *s);
void arpaw_putc(arpaw_file *f, char c);
void arpaw_float(arpaw_file *f, float v);
/* Flushes, closes and renames the file into place; frees 'f' in any case. */
spin_status arpaw_commit(arpaw_file *f, spin_diag *diag);
/* Removes the temporary file and frees 'f'.  NULL is a no-op. */
void arpaw_abort(arpaw_file *f);

#endif
