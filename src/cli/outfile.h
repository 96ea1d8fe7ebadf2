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

/* Installs the SIGINT/SIGTERM handler: it removes the temporary file of the
 * outfile being written, prints how far the run got (cli_progress) and exits
 * 130 (SIGINT) or 143 (SIGTERM). */
void cli_signals_install(void);
/* Records progress for that message: "after DONE WHAT" ("documents scored"). */
void cli_progress(const char *what, unsigned long long done);

/* "123", "64K", "16M", "2G" (powers of 1024) into *out; 0 or -1. */
int cli_parse_size(const char *s, uint64_t *out);

#endif
