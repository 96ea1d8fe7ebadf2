/* fmt.h - numbers as KenLM's query prints them: the shortest decimal string
 * that reads back to the same float (or double), in plain notation for
 * decimal exponents -6 .. 20 and as "1.5e57" / "1e-7" otherwise; "inf",
 * "-inf", "NaN"; negative zero keeps its sign ("-0"). */
#ifndef SPIN_FMT_H
#define SPIN_FMT_H

#include <stddef.h>

#define FMT_NUMBER_MAX 40

/* Write 'v' to 'out' (room for FMT_NUMBER_MAX bytes); returns the length. */
size_t fmt_float(char *out, float v);
size_t fmt_double(char *out, double v);

#endif
