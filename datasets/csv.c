/* datasets/csv.c - in progress */
#include "datasets_int.h"
candor_status candor_csv_read(candor_table **out, const char *path, const candor_csv_options *opts)
{ (void)out; (void)path; (void)opts; return candor__error(CANDOR_EUNSUPPORTED, NULL, 0, 0, "csv: not yet"); }
candor_status candor_csv_read_buffer(candor_table **out, const char *data, size_t len, const candor_csv_options *opts)
{ (void)out; (void)data; (void)len; (void)opts; return candor__error(CANDOR_EUNSUPPORTED, NULL, 0, 0, "csv: not yet"); }
