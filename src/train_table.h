/* train_table.h - the n-gram count table used by the trainer.
 *
 * A table holds distinct n-grams of one length 'n' (word ids), each with a
 * 32-bit count, in one array of records of n+1 uint32 values: the n words, then
 * the count.  An optional open-addressing index (slots holding record number + 1,
 * 0 = empty, linear probing, at most half full) finds a record by its words.
 *
 * Invariants: records [0, size) are distinct; when 'slots' is not NULL every
 * record is reachable from it, and nothing else is.  Sorting the records drops
 * the index (record numbers change); train_table_index() rebuilds it.
 *
 * A record is 4*(n+1) bytes and an index slot 8 bytes per record at most, so a
 * 4-gram costs about 28 bytes: 50 M distinct 4-grams fit in 1.4 GB.
 */
#ifndef SPIN_TRAIN_TABLE_H
#define SPIN_TRAIN_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "spinscan.h"

typedef struct train_table {
    unsigned n;      /* words per record */
    size_t size;     /* records in use */
    size_t cap;      /* records allocated */
    uint32_t *rec;   /* cap * (n + 1) values */
    uint32_t *slots; /* nslots entries, or NULL when there is no index */
    size_t nslots;   /* a power of two */
} train_table;

#define TRAIN_NOT_FOUND ((size_t)-1)

/* An empty table of 'n'-grams with an index. */
spin_status train_table_init(train_table *t, unsigned n);
void train_table_free(train_table *t);

/* Words of record 'i'; its count follows them. */
static inline uint32_t *train_table_rec(const train_table *t, size_t i) {
    return t->rec + i * (t->n + 1);
}

/* Adds 'inc' to the count of 'words', inserting the n-gram if new.  Fails
 * with SPIN_ENOMEM, or SPIN_EUNSUPPORTED when a count would pass 2^32 - 1. */
spin_status train_table_add(train_table *t, const uint32_t *words, uint32_t inc);

/* Record number of 'words', or TRAIN_NOT_FOUND.  Needs the index. */
size_t train_table_find(const train_table *t, const uint32_t *words);

/* (Re)builds the index; drop_index frees it. */
spin_status train_table_index(train_table *t);
void train_table_drop_index(train_table *t);

/* Sorts the records in suffix order: by the last word, then the one before it,
 * and so on (word ids compared as numbers).  Drops the index. */
spin_status train_table_sort_suffix(train_table *t);

/* <0, 0, >0 as 'a' sorts before, with, after 'b' in suffix order ('n' words). */
int train_suffix_cmp(const uint32_t *a, const uint32_t *b, unsigned n);

/* Frees unused capacity (call when no more records will be added). */
void train_table_shrink(train_table *t);

#endif
