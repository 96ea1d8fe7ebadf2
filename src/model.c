/* model.c - opening and freeing models: the public entry points that pick a
 * reader for the input and hand it to the format's loader. */
#include <string.h>

#include "arpa.h"
#include "diag.h"
#include "lm.h"
#include "mem.h"
#include "reader.h"

void spin_load_options_init(spin_load_options *opts) {
    memset(opts, 0, sizeof *opts);
    opts->unk_logprob = -100.0f;
}

static spin_status load(reader *r, const spin_load_options *opts, spin_model **out, spin_diag *d) {
    spin_load_options defaults;
    if (!opts) {
        spin_load_options_init(&defaults);
        opts = &defaults;
    }
    spin_model *m = mem_calloc(1, sizeof *m);
    if (!m) {
        diag_set(d, SPIN_ENOMEM, reader_name(r), 0, 0, NULL);
        reader_free(r);
        return SPIN_ENOMEM;
    }
    spin_status st = arpa_load(r, opts, m, d);
    reader_free(r);
    if (st != SPIN_OK) {
        spin_model_free(m);
        return st;
    }
    *out = m;
    return SPIN_OK;
}

spin_status spin_model_open(const char *path, const spin_load_options *opts, spin_model **out,
                            spin_diag *d) {
    reader *r;
    *out = NULL;
    if (!path)
        return diag_set(d, SPIN_EINVAL, "", 0, 0, "no model path given");
    spin_status st = reader_open_path(path, &r, d);
    if (st != SPIN_OK)
        return st;
    return load(r, opts, out, d);
}

spin_status spin_model_open_memory(const void *data, size_t size, const char *name,
                                   const spin_load_options *opts, spin_model **out, spin_diag *d) {
    reader *r;
    *out = NULL;
    if (!data && size)
        return diag_set(d, SPIN_EINVAL, name, 0, 0, "no model data given");
    spin_status st = reader_open_memory(data ? data : "", size, name, &r, d);
    if (st != SPIN_OK)
        return st;
    return load(r, opts, out, d);
}

void spin_model_free(spin_model *m) {
    if (!m)
        return;
    lm_release(m);
    mem_free(m);
}
