/* binfmt.h - spinscan's binary model format (documented in binfmt.c): the
 * compiler that writes it and the loader that maps it back without parsing. */
#ifndef SPIN_BINFMT_H
#define SPIN_BINFMT_H

#include <stdbool.h>
#include <stddef.h>

#include "lm/lm.h"

/* Bytes a caller should read from the start of a file to classify it. */
#define BINFMT_SNIFF 64

/* What the first bytes of a file say it is. */
typedef enum binfmt_kind {
    BINFMT_OTHER, /* not a binary model (an ARPA file, compressed or not, or junk) */
    BINFMT_SPIN,  /* spinscan's binary model */
    BINFMT_KENLM  /* KenLM's build_binary output, which spinscan does not read */
} binfmt_kind;
binfmt_kind binfmt_sniff(const void *head, size_t len);

/* Maps the spinscan binary model open on 'fd' (which is closed before
 * returning, on success or failure) into the zero-initialised 'm'.  'name'
 * labels diagnostics.  On failure 'm' holds nothing that lm_release() cannot
 * free. */
spin_status binfmt_open_fd(int fd, const char *name, const spin_load_options *opts, spin_model *m,
                           spin_diag *d);

/* The same for an image in memory, which is copied. */
spin_status binfmt_open_memory(const void *data, size_t size, const char *name,
                               const spin_load_options *opts, spin_model *m, spin_diag *d);

/* Writes 'm' (read from ARPA; with m->record set for the compact layout) to
 * 'path' through a temporary file and a rename. */
spin_status binfmt_write(const spin_model *m, const char *path, const spin_write_options *opts,
                         spin_diag *d);

/* The 64-bit checksum of the format, exposed for tests. */
uint64_t binfmt_hash(const void *data, size_t len);

#endif
