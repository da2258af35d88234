/*
 * plugin.c - models in shared libraries: dlopen() the file, call its
 * `candor_plugin_init` entry point (include/candor/plugin.h), copy the
 * feature names, and forward predict calls.
 *
 * The library is opened RTLD_NOW | RTLD_LOCAL so a missing symbol fails at
 * load time rather than at the first prediction, and the plugin's symbols
 * never leak into the host. A path without a slash is opened as "./path", so
 * a file in the current folder is never confused with a system library.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "candor/plugin.h"
#include "models/models_int.h"

typedef struct plugin_state {
	void *handle;
	candor_plugin p;
} plugin_state;

static candor_status plugin_predict(void *state, const double *x, size_t n, double *out)
{
	plugin_state *s = state;

	if (s->p.predict(s->p.state, x, n, out) != 0) {
		s->p.error[sizeof(s->p.error) - 1] = '\0';
		return candor__error(CANDOR_EIO, NULL, 0, 0, "model plugin failed to predict: %s",
		                     s->p.error[0] ? s->p.error : "no reason given");
	}
	return CANDOR_OK;
}

static void plugin_free(void *state)
{
	plugin_state *s = state;

	if (!s)
		return;
	if (s->p.destroy)
		s->p.destroy(s->p.state);
	if (s->handle)
		dlclose(s->handle);
	candor__free(s);
}

static const candor__model_vtable plugin_vt = { plugin_predict, plugin_free };

candor_status candor__plugin_load(candor_model **out, const char *path)
{
	plugin_state *s;
	candor_model *model = NULL;
	candor_plugin_init_fn init;
	char *local = NULL;
	const char *open_path = path;
	candor_status st;
	void *sym;

	*out = NULL;
	s = candor__calloc(1, sizeof(*s));
	if (!s)
		return CANDOR_ENOMEM;
	if (!strchr(path, '/')) {
		size_t len = strlen(path);

		local = candor__malloc(len + 3);
		if (!local) {
			candor__free(s);
			return CANDOR_ENOMEM;
		}
		memcpy(local, "./", 2);
		memcpy(local + 2, path, len + 1);
		open_path = local;
	}
	s->handle = dlopen(open_path, RTLD_NOW | RTLD_LOCAL);
	candor__free(local);
	if (!s->handle) {
		const char *why = dlerror();

		candor__free(s);
		return candor__error(CANDOR_EPARSE, path, 0, 0, "cannot load the model plugin: %s",
		                     why ? why : "dlopen failed");
	}
	sym = dlsym(s->handle, CANDOR_PLUGIN_ENTRY);
	if (!sym) {
		st = candor__error(CANDOR_EPARSE, path, 0, 0,
		                   "a shared library without the entry point '%s' is not a model plugin",
		                   CANDOR_PLUGIN_ENTRY);
		goto fail;
	}
	/* POSIX guarantees object and function pointers convert through dlsym. */
	memcpy(&init, &sym, sizeof(init));
	if (init(&s->p, CANDOR_PLUGIN_ABI_VERSION) != 0) {
		s->p.error[sizeof(s->p.error) - 1] = '\0';
		st = candor__error(CANDOR_EPARSE, path, 0, 0, "the model plugin refused to start: %s",
		                   s->p.error[0] ? s->p.error : "no reason given");
		goto fail;
	}
	if (s->p.abi_version != CANDOR_PLUGIN_ABI_VERSION || s->p.nfeatures == 0 ||
	    !s->p.features || s->p.noutputs == 0 || !s->p.predict || s->p.output_kind < 1 ||
	    s->p.output_kind > 3) {
		st = candor__error(CANDOR_EPARSE, path, 0, 0,
		                   "the model plugin filled candor_plugin incompletely (ABI %u, %zu "
		                   "features, %zu outputs, output kind %d)",
		                   s->p.abi_version, s->p.nfeatures, s->p.noutputs, s->p.output_kind);
		goto fail;
	}
	st = candor__model_alloc(&model, s->p.nfeatures);
	if (st != CANDOR_OK)
		goto fail;
	for (size_t j = 0; j < s->p.nfeatures; j++) {
		if (!s->p.features[j]) {
			st = candor__error(CANDOR_EPARSE, path, 0, 0,
			                   "the model plugin's feature %zu has no name", j);
			goto fail;
		}
		model->features[j] = candor__strdup(s->p.features[j]);
		if (!model->features[j]) {
			st = CANDOR_ENOMEM;
			goto fail;
		}
	}
	model->type = CANDOR_MODEL_PLUGIN;
	model->vt = &plugin_vt;
	model->state = s;
	model->noutputs = s->p.noutputs;
	model->output_kind = (candor_output_kind)s->p.output_kind;
	model->reentrant = s->p.reentrant != 0;
	*out = model;
	return CANDOR_OK;
fail:
	candor_model_free(model); /* no vtable yet: does not free s */
	plugin_free(s);
	return st;
}
