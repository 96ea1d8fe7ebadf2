/* outfile.h - an output that replaces its target only when complete (a
 * temporary file beside OUT, renamed over it), or standard output; and the
 * size arguments of --max-bytes.  Used by score, rank and merge.
 */
#ifndef SPIN_CLI_OUTFILE_H
#define SPIN_CLI_OUTFILE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct outfile {
    FILE *f;
    const char *path; /* NULL for standard output */
    char *tmp;
} outfile;

/* Opens 'path' (NULL or "-": standard output).  Returns 0, or -1 after
 * printing why. */
int outfile_open(outfile *o, const char *path);
/* Closes; with 'keep' the temporary file replaces the target (after fsync),
 * else it is removed.  Returns 0, or -1 after printing why. */
int outfile_close(outfile *o, bool keep);

/* "123", "64K", "16M", "2G" (powers of 1024) into *out; 0 or -1. */
int cli_parse_size(const char *s, uint64_t *out);

#endif
