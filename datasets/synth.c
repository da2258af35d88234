/*
 * synth.c - synthetic datasets with planted, known bias.
 *
 * The credit population (datasets/SYNTH.md has the full description and the
 * true group rates): sex and race are drawn independently; the label depends
 * on race only; given (label, race, sex) every model feature is an
 * independent Gaussian. The bundled logistic model's margin is then Gaussian
 * given (label, race, sex), so every group's selection rate, TPR and FPR has
 * a closed form (a mixture of normal CDFs) that tests compare against.
 * Bias is planted in two ways: income is lower for women at equal label (the
 * model rewards income), and zip_score is a proxy for race that carries no
 * information about the label (the model rewards it all the same).
 *
 * Determinism: rows are generated in blocks of 4096; block b draws from an
 * MT19937 stream seeded with candor__stream_seed(seed, b, kind), so the
 * output depends on (rows, seed) only.
 */
#include <math.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "datasets_int.h"

#define BLOCK_ROWS 4096

/* ---- the generating process (keep in step with datasets/SYNTH.md) ------- */

static const char *const sex_levels[] = {"female", "male"};
static const double p_female = 0.45;

static const char *const race_levels[] = {"White", "Black", "Hispanic", "Asian"};
static const double p_race[4] = {0.60, 0.18, 0.14, 0.08};
static const double base_rate[4] = {0.72, 0.64, 0.67, 0.74}; /* P(label = 1 | race) */
static const double zip_mean[4] = {0.4, -0.9, -0.5, 0.2};     /* the proxy */

static const char *const purpose_levels[] = {"car", "home", "education", "business"};

/* the bundled model over (age, income_k, credit_score, debt_ratio,
 * loan_amount_k, zip_score): standardisation and coefficients, the same
 * numbers as credit_model_json below and datasets/credit_model.json */
enum { NF = 6 };
static const double model_mean[NF] = {45.5, 55.0, 670.0, 0.35, 22.0, 0.1};
static const double model_scale[NF] = {14.4, 17.0, 65.0, 0.11, 8.0, 1.0};
static const double model_coef[NF] = {0.0, 0.55, 0.95, -0.70, -0.20, 0.45};
static const double model_intercept = 0.55;

static const char credit_model_json[] =
        "{\n"
        "  \"kind\": \"logistic\",\n"
        "  \"description\": \"bundled model of the synthetic credit dataset (datasets/SYNTH.md)\",\n"
        "  \"features\": [\"age\", \"income_k\", \"credit_score\", \"debt_ratio\", "
        "\"loan_amount_k\", \"zip_score\"],\n"
        "  \"coef\": [0.0, 0.55, 0.95, -0.7, -0.2, 0.45],\n"
        "  \"intercept\": 0.55,\n"
        "  \"mean\": [45.5, 55.0, 670.0, 0.35, 22.0, 0.1],\n"
        "  \"scale\": [14.4, 17.0, 65.0, 0.11, 8.0, 1.0]\n"
        "}\n";

const char *candor_synth_credit_model_json(void)
{
	return credit_model_json;
}

/* v rounded to `decimals` places: the double nearest the decimal, so that it
 * prints as written (round(v / 0.1) * 0.1 would give 24.700000000000003). */
static double round_to(double v, int decimals)
{
	static const double scale[] = {1, 10, 100, 1000};

	return round(v * scale[decimals]) / scale[decimals];
}

typedef struct credit_cols {
	int32_t *sex, *race, *purpose;
	double *age, *income, *score_c, *debt, *loan, *zip, *label, *score, *pred;
} credit_cols;

static void credit_block(const credit_cols *c, size_t begin, size_t end, gsl_rng *r)
{
	for (size_t i = begin; i < end; i++) {
		const double u_sex = gsl_rng_uniform(r), u_race = gsl_rng_uniform(r);
		const int female = u_sex < p_female;
		int race = 0;
		double acc = p_race[0], x[NF], eta = model_intercept;
		int y;

		while (race < 3 && u_race >= acc)
			acc += p_race[++race];
		y = gsl_rng_uniform(r) < base_rate[race];
		x[0] = 21 + (double)candor__rng_index(r, 50);
		x[1] = round_to(48.0 + 14.0 * y - 8.0 * female +
		                        15.0 * gsl_ran_gaussian_ziggurat(r, 1.0),
		                1);
		x[2] = round_to(640.0 + 55.0 * y + 60.0 * gsl_ran_gaussian_ziggurat(r, 1.0), 0);
		x[3] = round_to(0.40 - 0.08 * y + 0.10 * gsl_ran_gaussian_ziggurat(r, 1.0), 3);
		x[4] = round_to(22.0 + 8.0 * gsl_ran_gaussian_ziggurat(r, 1.0), 1);
		x[5] = round_to(zip_mean[race] + gsl_ran_gaussian_ziggurat(r, 1.0), 3);
		for (int k = 0; k < NF; k++)
			eta += model_coef[k] * (x[k] - model_mean[k]) / model_scale[k];

		c->sex[i] = female ? 0 : 1;
		c->race[i] = race;
		c->purpose[i] = (int32_t)candor__rng_index(r, 4);
		c->age[i] = x[0];
		c->income[i] = x[1];
		c->score_c[i] = x[2];
		c->debt[i] = x[3];
		c->loan[i] = x[4];
		c->zip[i] = x[5];
		c->label[i] = y;
		c->score[i] = 1.0 / (1.0 + exp(-eta));
		c->pred[i] = eta >= 0.0;
	}
}

static candor_status synth_credit(candor_table **out, size_t rows, uint64_t seed)
{
	credit_cols c;
	int32_t **codes[3] = {&c.sex, &c.race, &c.purpose};
	double **nums[9] = {&c.age, &c.income, &c.score_c, &c.debt, &c.loan,
	                    &c.zip, &c.label, &c.score,   &c.pred};
	candor_table *t = NULL;
	gsl_rng *r = NULL;
	candor_status st = CANDOR_ENOMEM;

	memset(&c, 0, sizeof(c));
	for (int k = 0; k < 3; k++)
		if (!(*codes[k] = candor__mallocarray(rows ? rows : 1, sizeof(int32_t))))
			goto done;
	for (int k = 0; k < 9; k++)
		if (!(*nums[k] = candor__mallocarray(rows ? rows : 1, sizeof(double))))
			goto done;
	r = candor__rng_new();
	if (!r) {
		candor__oom();
		goto done;
	}
	for (size_t b = 0; b * BLOCK_ROWS < rows; b++) {
		size_t end = (b + 1) * BLOCK_ROWS < rows ? (b + 1) * BLOCK_ROWS : rows;

		gsl_rng_set(r, (unsigned long)candor__stream_seed(seed, b, CANDOR_SYNTH_CREDIT));
		credit_block(&c, b * BLOCK_ROWS, end, r);
	}
	if ((st = candor_table_new(&t)) ||
	    (st = candor_table_add_categorical(t, "sex", c.sex, rows, sex_levels, 2)) ||
	    (st = candor_table_add_categorical(t, "race", c.race, rows, race_levels, 4)) ||
	    (st = candor_table_add_numeric(t, "age", c.age, rows)) ||
	    (st = candor_table_add_numeric(t, "income_k", c.income, rows)) ||
	    (st = candor_table_add_numeric(t, "credit_score", c.score_c, rows)) ||
	    (st = candor_table_add_numeric(t, "debt_ratio", c.debt, rows)) ||
	    (st = candor_table_add_numeric(t, "loan_amount_k", c.loan, rows)) ||
	    (st = candor_table_add_numeric(t, "zip_score", c.zip, rows)) ||
	    (st = candor_table_add_categorical(t, "purpose", c.purpose, rows, purpose_levels, 4)) ||
	    (st = candor_table_add_numeric(t, "label", c.label, rows)) ||
	    (st = candor_table_add_numeric(t, "score", c.score, rows)) ||
	    (st = candor_table_add_numeric(t, "pred", c.pred, rows)))
		goto done;
	*out = t;
	t = NULL;
	st = CANDOR_OK;
done:
	gsl_rng_free(r);
	candor_table_free(t);
	for (int k = 0; k < 3; k++)
		candor__free(*codes[k]);
	for (int k = 0; k < 9; k++)
		candor__free(*nums[k]);
	return st;
}

candor_status candor_synth_generate(candor_table **out, candor_synth_kind kind, size_t rows,
                                    uint64_t seed)
{
	if (!out)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "synth_generate: out is NULL");
	*out = NULL;
	switch (kind) {
	case CANDOR_SYNTH_CREDIT:
		return synth_credit(out, rows, seed);
	}
	return candor__error(CANDOR_EINVAL, NULL, 0, 0, "unknown synthetic dataset kind %d",
	                     (int)kind);
}
