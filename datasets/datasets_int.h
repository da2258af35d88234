/*
 * datasets_int.h - the table's private layout, shared by the readers, the
 * writer and the synthetic generators (not installed).
 */
#ifndef CANDOR_DATASETS_INT_H
#define CANDOR_DATASETS_INT_H

#include "candor/datasets.h"
#include "core/core_int.h"

/* A string dictionary: levels in order of first appearance, with an open
 * addressing hash (linear probing, power-of-two size, load <= 1/2) from a
 * level to its code. */
typedef struct candor__dict {
	char **levels;
	size_t *lens;
	size_t n, cap;
	int32_t *slots;  /* -1 empty, else a code */
	uint64_t *hashes;/* hash of each level, by code */
	size_t nslots;
} candor__dict;

void candor__dict_free(candor__dict *d);
/* Code of s[0..len), added when absent. Returns CANDOR_ENOMEM or
 * CANDOR_EUNSUPPORTED (more than INT32_MAX levels). */
candor_status candor__dict_intern(candor__dict *d, const char *s, size_t len, int32_t *code);
/* Code of s[0..len), or -1. */
int32_t candor__dict_find(const candor__dict *d, const char *s, size_t len);
candor_status candor__dict_copy(candor__dict *dst, const candor__dict *src);

typedef struct candor__column {
	char *name;
	size_t namelen;
	uint64_t name_hash; /* candor__hash of the name, for the table's name index */
	candor_coltype type;
	double *num;     /* NUMERIC: nrows values */
	int32_t *codes;  /* CATEGORICAL: nrows codes */
	candor__dict dict;
} candor__column;

/* Where rows came from, for error messages: a checkpoint every
 * CANDOR__LOC_EVERY rows holds the byte offset and line of that row's
 * record; candor_table_locate() reads the file again from the nearest one.
 * Only tables read from a file have it; derived tables do not. */
#define CANDOR__LOC_EVERY 1024
typedef enum { CANDOR__LOC_CSV = 1, CANDOR__LOC_ARFF = 2 } candor__loc_kind;
typedef struct candor__locmap {
	candor__loc_kind kind;
	char delim;           /* CSV only */
	size_t ncols;         /* CSV only: a blank line is skipped when ncols > 1 */
	char *path;           /* the file to read again */
	uint64_t *offset, *line;
	size_t n, cap;
} candor__locmap;

void candor__locmap_free(candor__locmap *m);
/* Add the checkpoint of the row about to be stored (call when
 * nrows % CANDOR__LOC_EVERY == 0). */
candor_status candor__locmap_push(candor__locmap *m, uint64_t offset, uint64_t line);

struct candor_table {
	candor__column *cols;
	size_t ncols, capcols;
	size_t nrows;
	char *source;    /* file name for error messages, or NULL */
	/* Column names to their index: open addressing, linear probing, a
	 * power-of-two size, load <= 1/2; SIZE_MAX marks an empty slot. Kept by
	 * candor__table_push_column, so that finding a name (and refusing a
	 * duplicate) costs O(1), not O(ncols). */
	size_t *name_slots;
	size_t nname_slots;
	candor__locmap *loc; /* NULL unless read from a file */
};

/* Find (line, column) of field `col` of the `skip`-th record after the
 * checkpoint (offset, line) of a CSV/ARFF file: the readers' halves of
 * candor_table_locate(). */
candor_status candor__csv_locate(const candor__locmap *m, uint64_t offset, uint64_t line,
                                 size_t skip, size_t col, uint64_t *out_line,
                                 uint64_t *out_col);
/* candor_arff_read() with `name` (NULL: the path) in messages and as the
 * table's source. */
candor_status candor__arff_read_named(candor_table **out, const char *path, const char *name);

candor_status candor__arff_locate(const candor__locmap *m, uint64_t offset, uint64_t line,
                                  size_t skip, size_t col, uint64_t *out_line,
                                  uint64_t *out_col);

/* Append an empty column (no storage yet) and return it; the table's nrows
 * is not checked. Used by readers, which fill the storage themselves. */
candor_status candor__table_push_column(candor_table *t, const char *name, size_t namelen,
                                        candor_coltype type, candor__column **out);
/* Resize every column's storage to `cap` rows (at least 1), by its type;
 * nrows is not changed. Readers call it as they grow. */
candor_status candor__table_reserve(candor_table *t, size_t cap);
/* The index of the column named s[0..len), through the name index: true
 * and *idx set when there is one. */
bool candor__table_find_col(const candor_table *t, const char *s, size_t len, size_t *idx);
candor_status candor__table_set_source(candor_table *t, const char *source);

/* Test hook (per thread): read files in blocks of n bytes; 0 restores the
 * default. The fuzz target uses it to compare file and buffer reads. */
void candor__csv_test_block_size(size_t n);

/* 64-bit FNV-1a. */
uint64_t candor__hash(const char *s, size_t len);

/* Length of the valid UTF-8 prefix of s[0..n); n when all of it is valid. */
size_t candor__utf8_valid_prefix(const unsigned char *s, size_t n);

#endif
