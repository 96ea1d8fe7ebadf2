/* scratch.h - test support shared by the unit tests and the fuzz targets: the
 * files they make for themselves (a scratch directory's removal, an in-memory
 * file with a path, a gzip member), each written once here.
 */
#ifndef SPIN_SCRATCH_H
#define SPIN_SCRATCH_H

#include <stdbool.h>
#include <stddef.h>

/** Removes the scratch directory 'dir' (made by mkdtemp) and everything in it;
 *  says so in a TAP comment ("# could not remove DIR") when it cannot. */
void scratch_dir_remove(const char *dir);

/** The path of 'name' inside the scratch directory 'dir', in one of eight
 *  rotating static buffers (valid until the eighth call after). */
char *scratch_path(const char *dir, const char *name);

/** Writes the 'n' bytes at 'p' to the file 'path', replacing it; false if
 *  the file cannot be written. */
bool scratch_write(const char *path, const void *p, size_t n);

/** An anonymous in-memory file (memfd_create, named 'name') holding the 'n'
 *  bytes at 'p', its offset back at 0; its path, /proc/self/fd/N, goes to
 *  'path' ('psize' bytes).  Returns the descriptor, which the caller closes,
 *  or -1 when no such file can be made. */
int scratch_memfd(const char *name, const void *p, size_t n, char *path, size_t psize);

/** Appends one gzip member (deflate 'level', 1-9) of the 'n' bytes at 'in' to
 *  out[*o, cap) and advances *o past it.  False when zlib fails or the member
 *  does not fit (then *o is unchanged). */
bool scratch_gzip(int level, const void *in, size_t n, unsigned char *out, size_t cap, size_t *o);

#endif
