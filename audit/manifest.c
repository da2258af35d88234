/*
 * manifest.c - the reproducibility manifest: what was run (version, command
 * line, seed, threads, time, rows) and the SHA-256 digest of every input
 * file (nettle, a well-kept implementation rather than our own).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <nettle/sha2.h>

#include "audit_int.h"

static void add(json_object *o, const char *key, json_object *v)
{
	json_object_object_add(o, key, v);
}

candor_status candor_sha256_file(char out[65], const char *path)
{
	struct sha256_ctx ctx;
	uint8_t digest[SHA256_DIGEST_SIZE];
	unsigned char buf[65536];
	FILE *f;
	size_t n;

	if (!out || !path)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "sha256: no path");
	f = fopen(path, "rb");
	if (!f)
		return candor__error(CANDOR_EIO, path, 0, 0, "cannot read: %s", strerror(errno));
	sha256_init(&ctx);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sha256_update(&ctx, n, buf);
	if (ferror(f)) {
		fclose(f);
		return candor__error(CANDOR_EIO, path, 0, 0, "read error");
	}
	fclose(f);
	sha256_digest(&ctx, SHA256_DIGEST_SIZE, digest);
	for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++) {
		static const char hex[] = "0123456789abcdef";
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 15];
	}
	out[64] = '\0';
	return CANDOR_OK;
}

static void sha256_hex(char out[65], const char *data, size_t len)
{
	struct sha256_ctx ctx;
	uint8_t d[SHA256_DIGEST_SIZE];
	static const char hex[] = "0123456789abcdef";

	sha256_init(&ctx);
	sha256_update(&ctx, len, (const uint8_t *)data);
	sha256_digest(&ctx, SHA256_DIGEST_SIZE, d);
	for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[64] = '\0';
}

/* ===== the manifest ====================================================== */

/* The manifest (audit_int.h). */
candor_status candor__audit_manifest(json_object **out, const candor_audit_options *o,
                                     size_t nrows, size_t nexpl, const candor_model *model)
{
	json_object *m = json_object_new_object(), *files = json_object_new_array(), *sens;
	static const char *const types[] = {"?",       "linear", "logistic", "xgboost",
	                                    "command", "plugin", "lightgbm"};
	const int mt = model ? (int)candor_model_type_of(model) : 0;
	const struct {
		const char *role, *path, *text;
	} inputs[] = {{"data", o->data_path, NULL},
	              {"model", o->model_path, o->model_text},
	              {"policy", o->policy_path, NULL}};

	if (!m || !files)
		goto oom;
	add(m, "candor_version", json_object_new_string(candor_version()));
	add(m, "command_line", json_object_new_string(o->command_line ? o->command_line : ""));
	add(m, "seed", json_object_new_uint64(o->seed));
	add(m, "threads", json_object_new_int(o->threads));
	add(m, "time", json_object_new_string(o->time ? o->time : "unknown"));
	add(m, "rows", json_object_new_uint64(nrows));
	if (model)
		add(m, "explained_rows", json_object_new_uint64(nexpl));
	if (o->label)
		add(m, "label", json_object_new_string(o->label));
	if (model)
		add(m, "model_type", json_object_new_string(mt >= 1 && mt <= 6 ? types[mt] : "?"));
	sens = json_object_new_array();
	for (size_t a = 0; sens && a < o->nsensitive; a++)
		json_object_array_add(sens, json_object_new_string(o->sensitive[a]));
	add(m, "sensitive", sens);
	for (size_t i = 0; i < 3; i++) {
		json_object *f;
		char hex[65];

		if (i == 0 && o->data_note) {
			/* data made in memory: say how; there is no file to hash */
			f = json_object_new_object();
			if (!f)
				goto oom;
			add(f, "role", json_object_new_string("data"));
			add(f, "path", json_object_new_string(o->data_note));
			add(f, "sha256", NULL);
			json_object_array_add(files, f);
			continue;
		}
		if ((!inputs[i].path && !inputs[i].text) || (i == 1 && !model))
			continue;
		f = json_object_new_object();
		if (!f)
			goto oom;
		add(f, "role", json_object_new_string(inputs[i].role));
		add(f, "path", json_object_new_string(inputs[i].path ? inputs[i].path
		                                                     : "(in memory; digest of its text)"));
		if (inputs[i].path) {
			candor_status st = candor_sha256_file(hex, inputs[i].path);
			if (st) {
				json_object_put(f);
				json_object_put(files);
				json_object_put(m);
				return st;
			}
		} else {
			sha256_hex(hex, inputs[i].text, strlen(inputs[i].text));
		}
		add(f, "sha256", json_object_new_string(hex));
		json_object_array_add(files, f);
	}
	add(m, "files", files);
	*out = m;
	return CANDOR_OK;
oom:
	json_object_put(m);
	json_object_put(files);
	return candor__oom();
}
