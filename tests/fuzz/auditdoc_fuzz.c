/*
 * auditdoc_fuzz.c - libFuzzer target for the audit document read by
 * `candor report --from`, through rendering: any input gives a document or
 * an error with a position inside the input; a document that parses renders
 * (every chart on a small image surface, the workbook and the PDF into a
 * private temporary folder) with no internal error, crash, leak, hang or
 * undefined behaviour. Inputs over 64 KiB are skipped to keep runs fast.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/report_int.h"
#include "fuzz_common.h"

#define FUZZ_MAX_INPUT 65536

static char dir[64];

static void remove_dir(void)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/a.xlsx", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/r.pdf", dir);
	unlink(p);
	rmdir(dir);
}

/* An error from rendering a document that parsed may be the document's
 * fault (EPARSE, EINVAL) or the machine's (ENOMEM, EIO), never candor's. */
static void no_internal_error(candor_status st)
{
	if (st == CANDOR_EINTERNAL)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	candor_audit_doc *doc = NULL;
	char path[128];

	if (size > FUZZ_MAX_INPUT)
		return 0;
	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/candor-auditdoc-fuzz-XXXXXX");
		if (!mkdtemp(dir))
			__builtin_trap();
		atexit(remove_dir);
	}
	if (candor_audit_doc_parse(&doc, (const char *)data, size, "fuzz.json") != CANDOR_OK) {
		const candor_error *e = candor_last_error();

		if (e->line > (uint64_t)size + 1 || e->column > (uint64_t)size + 1)
			__builtin_trap();
		return 0;
	}
	const size_t n = candor__doc_nchart(doc);
	for (size_t i = 0; i < n; i++) {
		cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 160, 100);
		cairo_t *cr = cairo_create(s);
		char name[128], cap[400];

		no_internal_error(candor__doc_chart(doc, i, name, sizeof(name), cap, sizeof(cap), cr,
		                                    160, 100));
		cairo_destroy(cr);
		cairo_surface_destroy(s);
	}
	snprintf(path, sizeof(path), "%s/a.xlsx", dir);
	no_internal_error(candor_report_workbook(doc, path));
	snprintf(path, sizeof(path), "%s/r.pdf", dir);
	no_internal_error(candor_report_pdf(doc, path, NULL));
	candor_audit_doc_free(doc);
	return 0;
}
