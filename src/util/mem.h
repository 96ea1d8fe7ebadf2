/* mem.h - the one door through which spinscan allocates.
 *
 * Subsystem util (src/util/): allocation (mem), error diagnostics with a
 * place (diag) and number formatting (fmt): what every other layer needs and
 * nothing spinscan-specific.  May call: the C library only.
 *
 * Every allocation in the library goes through mem_alloc/mem_realloc/mem_free so
 * that a test build can make the N-th allocation fail (mem_fail_at) and prove that
 * every out-of-memory path returns SPIN_ENOMEM cleanly.  Third-party libraries
 * (ICU, zlib, ...) allocate on their own and are outside this door.
 */
#ifndef SPIN_MEM_H
#define SPIN_MEM_H

#include <stdbool.h>
#include <stddef.h>

void *mem_alloc(size_t size);                            /* NULL on failure; size 0 is allowed */
void *mem_calloc(size_t n, size_t size);                 /* zeroed; NULL on overflow or failure */
void *mem_realloc(void *p, size_t size);                 /* NULL on failure, 'p' then untouched */
void *mem_realloc_array(void *p, size_t n, size_t size); /* overflow-checked */
void mem_free(void *p);
char *mem_strndup(const char *s, size_t n);
/* Appends the 'n' bytes at 's' to the growable block *p of *len bytes and
 * capacity *cap (doubled as needed, from 256; *p may start NULL), and keeps it
 * NUL-terminated.  False when out of memory: then nothing changes. */
bool mem_append(char **p, size_t *len, size_t *cap, const void *s, size_t n);

/* Zeroed memory for big random-access tables, backed by transparent huge pages
 * where the kernel allows it (fewer TLB misses: lookups in a 100 MB hash table
 * run about twice as fast).  Free with mem_free_large and the same size. */
void *mem_alloc_large(size_t size);
void mem_free_large(void *p, size_t size);

/* Test hook: make the 'n'-th allocation from now on fail (1 = the next one);
 * 0 disables.  Returns how many allocations happened since the last call. */
unsigned long mem_fail_at(unsigned long n);

#endif
