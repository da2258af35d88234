/*
 * modelcmd_fuzz.c - libFuzzer target for the --model-cmd reply parsers
 * (models/cmd.c), driven from memory with no process.
 *
 * Input: byte 0 picks the exchange (bit 0: the handshake, else a reply of
 * K = 1 + (b0 >> 1) % 4 numbers per line), byte 1 the lines asked for
 * (1 + b1 % 8), byte 2 seeds how the bytes are cut into arrivals; the rest
 * is what the model sent. Checks, beyond no crash, hang or leak:
 *  - the scan gives the same result whether the reply arrives at once or
 *    in pieces of 1 to 16 bytes (a recv can cut anywhere);
 *  - while a reply is incomplete, the line being received is below its
 *    bound (what keeps memory bounded);
 *  - a complete reply parses to K = 1..1000000 and a known kind (the
 *    handshake), or to n x K numbers or a refusal naming a line within
 *    the reply.
 */
#include <stdlib.h>

#include "models/models_int.h"
#include "fuzz_common.h"

static candor__cmd_scan_result scan_pieces(candor__cmd_scan *sc, const char *buf, size_t len,
                                           uint32_t seed)
{
	candor__cmd_scan_result r = CANDOR__CMD_MORE;
	size_t have = 0;

	while (have < len) {
		seed = seed * 1103515245u + 12345u;
		have += 1 + (seed >> 16) % 16;
		if (have > len)
			have = len;
		r = candor__cmd_scan_feed(sc, buf, have);
		if (r == CANDOR__CMD_LONG || r == CANDOR__CMD_EXTRA)
			break;
	}
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	candor__cmd_scan whole, pieces;
	candor__cmd_scan_result rw, rp;
	candor__cmd_bad bad;
	const char *buf;
	size_t k, n, len;

	if (size < 3)
		return 0;
	k = (data[0] & 1) ? 0 : 1 + (size_t)(data[0] >> 1) % 4;
	n = k ? 1 + (size_t)data[1] % 8 : 1;
	buf = (const char *)data + 3;
	len = size - 3;

	candor__cmd_scan_init(&whole, n, k);
	candor__cmd_scan_init(&pieces, n, k);
	rw = candor__cmd_scan_feed(&whole, buf, len);
	rp = len ? scan_pieces(&pieces, buf, len, data[2]) : candor__cmd_scan_feed(&pieces, buf, 0);
	if (rw != rp || whole.error != pieces.error)
		__builtin_trap();
	if (rw == CANDOR__CMD_MORE &&
	    (whole.lines >= n || len - whole.line_start >= candor__cmd_line_max(k, whole.lines)))
		__builtin_trap();
	if (rw == CANDOR__CMD_DONE && !whole.error) {
		if (buf[len - 1] != '\n' || whole.lines != n)
			__builtin_trap();
		if (k == 0) {
			size_t kk = 0, hl = len - 1;
			candor_output_kind kind = 0;

			if (hl && buf[hl - 1] == '\r')
				hl--;
			if (candor__cmd_parse_hello(buf, hl, &kk, &kind, &bad)) {
				if (kk < 1 || kk > 1000000 ||
				    (kind != CANDOR_OUTPUT_MARGIN && kind != CANDOR_OUTPUT_PROBABILITY &&
				     kind != CANDOR_OUTPUT_VALUE))
					__builtin_trap();
			} else if (bad.line != 1 || !bad.why) {
				__builtin_trap();
			}
		} else {
			double *out = malloc(n * k * sizeof(double));

			if (!out)
				return 0;
			if (!candor__cmd_parse_reply(buf, len, n, k, out, &bad) &&
			    (bad.line < 1 || bad.line > n || !bad.why || bad.text < buf ||
			     bad.text + bad.len > buf + len))
				__builtin_trap();
			free(out);
		}
	}
	/* the reply parser on unscanned bytes: anything is a result or a refusal */
	if (k) {
		double *out = malloc(n * k * sizeof(double));

		if (!out)
			return 0;
		if (!candor__cmd_parse_reply(buf, len, n, k, out, &bad) &&
		    (bad.line < 1 || bad.line > n + 1 || bad.text < buf || bad.text + bad.len > buf + len))
			__builtin_trap();
		free(out);
	}
	return 0;
}
