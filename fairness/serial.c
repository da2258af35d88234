/*
 * serial.c - an accumulator as a compact, versioned byte string.
 *
 * Layout (version 1), all integers little-endian:
 *   "CNDRFAC" 0x00        8-byte magic
 *   u32 version           1
 *   u8 flags              bit 0: scores kept
 *   varint nattrs, then per attribute: varint len + name bytes, varint
 *     nlevels, per level: varint len + bytes
 *   varint nrows
 *   per cell, in cell order: 4 varints (tn, fp, fn, tp)
 *   with scores, per cell: the tp + fn positives' then the fp + tn
 *     negatives' scores as 8-byte IEEE doubles
 *   u64 FNV-1a of every byte before it
 * Varints are unsigned LEB128 (as in protobuf and DWARF). Empty cells cost
 * four bytes, so a counts-only accumulator is a few bytes per cell.
 *
 * Reading trusts nothing: the checksum is checked first, then every length
 * against the bytes left, every count sum against nrows (without
 * overflow), every score for finiteness, and the end for stray bytes.
 * Varints must be in their shortest form, so an accepted byte string is
 * exactly what serialising its accumulator gives (the fuzz target checks).
 */
#include <string.h>

#include "fairness_int.h"

#define MAGIC "CNDRFAC"
#define FORMAT_VERSION 1u
#define MAX_ATTRS 64

typedef struct wbuf {
	uint8_t *p;
	size_t n, cap;
	bool oom;
} wbuf;

static void put(wbuf *w, const void *src, size_t n)
{
	if (w->oom)
		return;
	if (w->n + n > w->cap) {
		size_t cap = w->cap ? w->cap : 256;
		uint8_t *p;

		while (cap < w->n + n)
			cap *= 2;
		p = candor__realloc(w->p, cap);
		if (!p) {
			w->oom = true;
			return;
		}
		w->p = p;
		w->cap = cap;
	}
	memcpy(w->p + w->n, src, n);
	w->n += n;
}

static void put_varint(wbuf *w, uint64_t x)
{
	uint8_t b[10];
	size_t n = 0;

	do {
		b[n] = (uint8_t)(x & 0x7f);
		x >>= 7;
		if (x)
			b[n] |= 0x80;
		n++;
	} while (x);
	put(w, b, n);
}

static void put_u64le(wbuf *w, uint64_t x)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(x >> (8 * i));
	put(w, b, 8);
}

static void put_str(wbuf *w, const char *s)
{
	size_t n = strlen(s);

	put_varint(w, n);
	put(w, s, n);
}

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

candor_status candor_fairness_acc_serialize(const candor_fairness_acc *acc, uint8_t **out,
                                            size_t *len)
{
	wbuf w = { NULL, 0, 0, false };
	const uint8_t version[4] = { FORMAT_VERSION, 0, 0, 0 };
	const uint8_t flags = acc && acc->with_scores ? 1 : 0;

	if (!acc || !out || !len)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "fairness: NULL argument");
	*out = NULL;
	*len = 0;
	put(&w, MAGIC, 8);
	put(&w, version, 4);
	put(&w, &flags, 1);
	put_varint(&w, acc->nattrs);
	for (size_t a = 0; a < acc->nattrs; a++) {
		put_str(&w, acc->names[a]);
		put_varint(&w, acc->nlevels[a]);
		for (size_t l = 0; l < acc->nlevels[a]; l++)
			put_str(&w, acc->levels[a][l]);
	}
	put_varint(&w, acc->nrows);
	for (size_t k = 0; k < acc->ncells * 4; k++)
		put_varint(&w, acc->counts[k]);
	if (acc->with_scores) {
		for (size_t c = 0; c < acc->ncells; c++) {
			for (size_t i = 0; i < acc->pos[c].n; i++) {
				uint64_t bits;

				memcpy(&bits, &acc->pos[c].v[i], 8);
				put_u64le(&w, bits);
			}
			for (size_t i = 0; i < acc->neg[c].n; i++) {
				uint64_t bits;

				memcpy(&bits, &acc->neg[c].v[i], 8);
				put_u64le(&w, bits);
			}
		}
	}
	if (!w.oom)
		put_u64le(&w, fnv1a(w.p, w.n));
	if (w.oom) {
		candor__free(w.p);
		return candor__oom();
	}
	*out = w.p;
	*len = w.n;
	return CANDOR_OK;
}

/* ===== reading ========================================================== */

typedef struct rbuf {
	const uint8_t *p;
	size_t n, off;
} rbuf;

static candor_status bad(const rbuf *r, const char *what)
{
	return candor__error(CANDOR_EPARSE, "<accumulator>", 1, r->off + 1,
	                     "corrupt fairness accumulator: %s", what);
}

static bool get_varint(rbuf *r, uint64_t *out)
{
	uint64_t x = 0;

	for (int shift = 0; shift < 64; shift += 7) {
		uint8_t b;

		if (r->off >= r->n)
			return false;
		b = r->p[r->off++];
		if (shift == 63 && b > 1)
			return false;
		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			/* a last byte of 0 after others pads the number: only the
			 * shortest form is accepted, so the bytes are canonical and
			 * re-serialising gives them back */
			if (b == 0 && shift > 0)
				return false;
			*out = x;
			return true;
		}
	}
	return false;
}

/* A length-prefixed string: CANDOR_OK, CANDOR_EPARSE (bad; nothing set) or
 * CANDOR_ENOMEM. */
static candor_status get_str(rbuf *r, char **out)
{
	uint64_t n;

	/* empty is allowed here (a level may be ""); an empty attribute name is
	 * refused by candor_fairness_acc_new() */
	if (!get_varint(r, &n) || n > r->n - r->off || n > 65535 ||
	    memchr(r->p + r->off, 0, (size_t)n))
		return CANDOR_EPARSE;
	*out = candor__strndup((const char *)r->p + r->off, (size_t)n);
	if (!*out)
		return CANDOR_ENOMEM;
	r->off += (size_t)n;
	return CANDOR_OK;
}

static uint64_t get_u64le(const uint8_t *p)
{
	uint64_t x = 0;

	for (int i = 0; i < 8; i++)
		x |= (uint64_t)p[i] << (8 * i);
	return x;
}

candor_status candor_fairness_acc_deserialize(candor_fairness_acc **out, const uint8_t *data,
                                              size_t len)
{
	rbuf r = { data, 0, 0 };
	candor_fairness_attribute *attrs = NULL;
	char **strs = NULL;
	size_t nstrs = 0, nattrs = 0;
	uint64_t v, nrows, sum = 0, cells = 1;
	candor_fairness_acc *acc = NULL;
	candor_status st;
	uint32_t version;

	if (!out || (!data && len))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "fairness: NULL argument");
	*out = NULL;
	if (len < 8 + 4 + 1 + 8 || memcmp(data, MAGIC, 8) != 0)
		return bad(&r, "not a fairness accumulator (bad magic or too short)");
	version = (uint32_t)(data[8] | data[9] << 8 | data[10] << 16 | (uint32_t)data[11] << 24);
	if (version != FORMAT_VERSION)
		return candor__error(CANDOR_EUNSUPPORTED, "<accumulator>", 1, 9,
		                     "fairness accumulator format version %u; this candor reads %u",
		                     (unsigned)version, FORMAT_VERSION);
	if (fnv1a(data, len - 8) != get_u64le(data + len - 8)) {
		r.off = len - 8;
		return bad(&r, "checksum mismatch");
	}
	r.n = len - 8;
	r.off = 12;
	if (data[12] > 1) {
		return bad(&r, "unknown flags");
	}
	r.off = 13;
	if (!get_varint(&r, &v) || v == 0 || v > MAX_ATTRS)
		return bad(&r, "bad attribute count");
	nattrs = (size_t)v;
	attrs = candor__calloc(nattrs, sizeof(*attrs));
	strs = candor__calloc(1, sizeof(*strs));
	if (!attrs || !strs) {
		st = CANDOR_ENOMEM;
		goto done;
	}
	for (size_t a = 0; a < nattrs; a++) {
		char **grown;
		uint64_t nl;

		grown = candor__reallocarray(strs, nstrs + 1, sizeof(*strs));
		if (!grown) {
			st = CANDOR_ENOMEM;
			goto done;
		}
		strs = grown;
		if ((st = get_str(&r, &strs[nstrs])) != CANDOR_OK) {
			if (st != CANDOR_ENOMEM)
				st = bad(&r, "bad attribute name");
			goto done;
		}
		attrs[a].name = strs[nstrs++];
		if (!get_varint(&r, &nl) || nl >= CANDOR_FAIRNESS_MAX_CELLS ||
		    (cells *= nl + 1) > CANDOR_FAIRNESS_MAX_CELLS) {
			st = bad(&r, "bad level count");
			goto done;
		}
		grown = candor__reallocarray(strs, nstrs + (size_t)nl + 1, sizeof(*strs));
		if (!grown) {
			st = CANDOR_ENOMEM;
			goto done;
		}
		strs = grown;
		attrs[a].levels = (const char *const *)(strs + nstrs);
		attrs[a].nlevels = (size_t)nl;
		for (uint64_t l = 0; l < nl; l++) {
			if ((st = get_str(&r, &strs[nstrs])) != CANDOR_OK) {
				if (st != CANDOR_ENOMEM)
					st = bad(&r, "bad level name");
				goto done;
			}
			nstrs++;
		}
	}
	/* the levels pointers moved with each realloc: fix them up */
	{
		size_t s = 0;

		for (size_t a = 0; a < nattrs; a++) {
			attrs[a].name = strs[s++];
			attrs[a].levels = (const char *const *)(strs + s);
			s += attrs[a].nlevels;
		}
	}
	st = candor_fairness_acc_new(&acc, attrs, nattrs, data[12] & 1);
	if (st != CANDOR_OK) {
		if (st != CANDOR_ENOMEM)
			st = bad(&r, candor_last_error()->message);
		goto done;
	}
	if (!get_varint(&r, &nrows)) {
		st = bad(&r, "truncated row count");
		goto done;
	}
	for (size_t k = 0; k < acc->ncells * 4; k++) {
		if (!get_varint(&r, &acc->counts[k]) || acc->counts[k] > nrows - sum) {
			st = bad(&r, "bad count");
			goto done;
		}
		sum += acc->counts[k];
	}
	if (sum != nrows) {
		st = bad(&r, "counts do not add up to the row count");
		goto done;
	}
	acc->nrows = nrows;
	if (acc->with_scores) {
		if (nrows > (r.n - r.off) / 8) {
			st = bad(&r, "truncated scores");
			goto done;
		}
		for (size_t c = 0; c < acc->ncells; c++) {
			const uint64_t *x = acc->counts + 4 * c;
			const size_t np = (size_t)(x[CANDOR__TP] + x[CANDOR__FN]);
			const size_t nn = (size_t)(x[CANDOR__TN] + x[CANDOR__FP]);

			if (candor__dvec_reserve(&acc->pos[c], np) != CANDOR_OK ||
			    candor__dvec_reserve(&acc->neg[c], nn) != CANDOR_OK) {
				st = CANDOR_ENOMEM;
				goto done;
			}
			for (size_t i = 0; i < np + nn; i++) {
				uint64_t bits = get_u64le(r.p + r.off);
				double s;

				memcpy(&s, &bits, 8);
				if (!isfinite(s)) {
					st = bad(&r, "a score is not finite");
					goto done;
				}
				r.off += 8;
				if (i < np)
					acc->pos[c].v[acc->pos[c].n++] = s;
				else
					acc->neg[c].v[acc->neg[c].n++] = s;
			}
		}
	}
	if (r.off != r.n) {
		st = bad(&r, "stray bytes after the data");
		goto done;
	}
	*out = acc;
	acc = NULL;
	st = CANDOR_OK;
done:
	for (size_t i = 0; i < nstrs; i++)
		candor__free(strs[i]);
	candor__free(strs);
	candor__free(attrs);
	candor_fairness_acc_free(acc);
	return st;
}
