/* diag.h - filling a spin_diag (the public error/warning record). */
#ifndef SPIN_DIAG_H
#define SPIN_DIAG_H

#include <stdarg.h>
#include <stdint.h>

#include "spinscan.h"

/* Sets every field of 'd' (if not NULL) and returns 'status'. */
spin_status diag_set(spin_diag *d, spin_status status, const char *path, uint64_t line,
                     uint64_t byte, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
spin_status diag_vset(spin_diag *d, spin_status status, const char *path, uint64_t line,
                      uint64_t byte, const char *fmt, va_list ap);

/* Quotes up to 'max' bytes of 's' for a message: control bytes become \t, \r,
 * \xNN; longer text is cut with "...".  Returns 'out'. */
char *diag_quote(char *out, size_t outsize, const char *s, size_t len, size_t max);

#endif
