/* mem.c - allocation with an optional injected failure (see mem.h). */
#include "util/mem.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* The counter is atomic so that the hook stays correct when ranking threads
 * allocate; with the hook off the cost is one relaxed load. */
static atomic_ulong fail_at;
static atomic_ulong counter;

static int should_fail(void) {
    unsigned long target = atomic_load_explicit(&fail_at, memory_order_relaxed);
    unsigned long n = atomic_fetch_add_explicit(&counter, 1, memory_order_relaxed) + 1;
    return target != 0 && n == target;
}

unsigned long mem_fail_at(unsigned long n) {
    unsigned long used = atomic_exchange(&counter, 0);
    atomic_store(&fail_at, n);
    return used;
}

void *mem_alloc(size_t size) {
    if (should_fail())
        return NULL;
    return malloc(size ? size : 1);
}

void *mem_calloc(size_t n, size_t size) {
    if (should_fail())
        return NULL;
    if (n == 0 || size == 0)
        return calloc(1, 1);
    return calloc(n, size);
}

void *mem_realloc(void *p, size_t size) {
    if (should_fail())
        return NULL;
    return realloc(p, size ? size : 1);
}

void *mem_realloc_array(void *p, size_t n, size_t size) {
    if (size && n > SIZE_MAX / size)
        return NULL;
    return mem_realloc(p, n * size);
}

void mem_free(void *p) {
    free(p);
}

char *mem_strndup(const char *s, size_t n) {
    char *d = mem_alloc(n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

bool mem_append(char **p, size_t *len, size_t *cap, const void *s, size_t n) {
    size_t need = *len + n + 1;
    if (need <= *len)
        return false; /* overflow */
    if (need > *cap) {
        size_t c = *cap ? *cap : 256;
        while (c < need)
            c = c > SIZE_MAX / 2 ? need : 2 * c;
        char *q = mem_realloc(*p, c);
        if (!q)
            return false;
        *p = q;
        *cap = c;
    }
    if (n)
        memcpy(*p + *len, s, n);
    *len += n;
    (*p)[*len] = '\0';
    return true;
}

/* Below this, plain calloc is as good and wastes no rounding. */
#define LARGE_MIN (4u << 20)
#define HUGE_PAGE (2u << 20)

void *mem_alloc_large(size_t size) {
    if (size < LARGE_MIN)
        return mem_calloc(1, size);
    if (should_fail())
        return NULL;
    size_t rounded = (size + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
    if (rounded < size)
        return NULL;
    void *p = mmap(NULL, rounded, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
#ifdef MADV_HUGEPAGE
    madvise(p, rounded, MADV_HUGEPAGE); /* advice only: failure is harmless */
#endif
    return p;
}

void mem_free_large(void *p, size_t size) {
    if (!p)
        return;
    if (size < LARGE_MIN) {
        mem_free(p);
        return;
    }
    munmap(p, (size + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1));
}
