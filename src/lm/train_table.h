/* train_table.h - the n-gram count table used by the trainer.
 *
 * A table holds distinct n-grams of one length 'n' (word ids), each with a
 * 32-bit count, in one array of records of n+1+extra uint32 values: the n
 * words, the count, then 'extra' values (0 or 1) that belong to the caller and
 * travel with the record (the trainer keeps raw counts there when it prunes).
 * An optional open-addressing index (slots holding record number + 1, 0 =
 * empty, linear probing, at most half full) finds a record by its words.
 *
 * Invariants: records [0, size) are distinct; when 'slots' is not NULL every
 * record is reachable from it, and nothing else is.  Sorting the records drops
 * the index (record numbers change); train_table_index() rebuilds it.
 *
 * A record is 4*(n+1+extra) bytes and the index 8 bytes per record at most
 * (two 4-byte slots per record when just grown), so a 4-gram costs about 28
 * bytes while counting.
 */
#ifndef SPIN_TRAIN_TABLE_H
#define SPIN_TRAIN_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "spinscan.h"

typedef struct train_table {
    unsigned n;      /* words per record */
    unsigned stride; /* uint32 values per record: n + 1 + extra */
    size_t size;     /* records in use */
    size_t cap;      /* records allocated */
    uint32_t *rec;   /* cap * (n + 1) values */
    uint32_t *slots; /* nslots entries, or NULL when there is no index */
    size_t nslots;   /* a power of two */
} train_table;

#define TRAIN_NOT_FOUND ((size_t)-1)

/* An empty table of 'n'-grams with an index, each record carrying 'extra'
 * (0 or 1) caller values after its count, zero when the record is added. */
spin_status train_table_init(train_table *t, unsigned n, unsigned extra);
void train_table_free(train_table *t);

/* Words of record 'i'; its count and extra values follow them. */
static inline uint32_t *train_table_rec(const train_table *t, size_t i) {
    return t->rec + i * t->stride;
}

/* Adds 'inc' to the count of 'words', inserting the n-gram if new; the
 * record's number goes to '*at' when 'at' is not NULL.  Fails with
 * SPIN_ENOMEM, or SPIN_EUNSUPPORTED when a count would pass 2^32 - 1. */
spin_status train_table_add(train_table *t, const uint32_t *words, uint32_t inc, size_t *at);

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
