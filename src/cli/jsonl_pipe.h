/* jsonl_pipe.h - JSON Lines in, one output line per input line out, in input
 * order, scored on many threads in bounded memory: the engine of `spinscan
 * annotate` and `spinscan rank -f attributes`.
 *
 * Threads: a reader thread reads the inputs (plain, gzip, bzip2, xz or zstd,
 * by magic bytes) line by line into a ring of slots; N workers each take the
 * next unclaimed slot, parse, score and format its output line; the main
 * thread writes the slots in order as they complete.  The reader stays at
 * most 'window' slots (and 64 MiB of lines) ahead of the writer, so memory is
 * bounded by the window plus one document per worker, whatever the input's
 * size.  Output does not depend on the number of threads.
 */
#ifndef SPIN_CLI_JSONL_PIPE_H
#define SPIN_CLI_JSONL_PIPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/detector_load.h"

typedef enum pipe_mode { PIPE_ANNOTATE, PIPE_ATTRIBUTES } pipe_mode;

typedef struct pipe_file {
    const char *in; /* an input file, "-" for standard input */
    char *out;      /* PIPE_ATTRIBUTES: its attributes file */
} pipe_file;

typedef struct pipe_config {
    pipe_mode mode;
    const char *text_field; /* "text" */
    const char *name;       /* annotate: the key prefix; attributes: "experiment__tagger" */
    const char *out_path;   /* annotate: the output (NULL: standard output) */
    int out_format;         /* annotate: a writer_format */
    size_t threads;
    uint64_t max_line; /* longest line (bytes) */
    bool quiet;
    /* attributes: family attributes too (rank --families).  Families are
     * known after the last document, so the attribute lines go first to one
     * temporary stage file in 'stage_dir' (zstd, unlinked at once), each with
     * the document's signature in memory (crawl/family.h); after the last
     * input the families are solved and the stage is copied into the
     * attributes files with the family attributes added (docs/families.md). */
    bool families;
    const char *stage_dir;
} pipe_config;

/* Runs the pipeline over 'files' in order.  Returns the exit status: 0 every
 * record scored, 3 done but some records could not be scored (written through
 * with an error, counted), 1 a fatal error (printed). */
int jsonl_pipe_run(const pipe_config *c, const loaded_detector *ld, const pipe_file *files,
                   size_t nfiles);

#endif
