/* detector_load.c - see detector_load.h. */
#include "cli/detector_load.h"

#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "cli/cli.h"

static void print_warning(void *ctx, const spin_diag *d) {
    (void)ctx;
    cli_print_diag(d, "warning: ");
}

int detector_load(const char *model_opt, bool resident, bool judge_all, loaded_detector *ld) {
    memset(ld, 0, sizeof *ld);
    spin_detector_options o;
    spin_detector_options_init(&o);
    o.warn = print_warning;
    o.prefault = resident;
    o.verify = cli_verify; /* the whole model, unless --no-verify */
    o.judge_all = judge_all;
    spin_diag d;
    memset(&d, 0, sizeof d);
    if (spin_detector_open_opts(model_opt, &o, &ld->sd, &d) != SPIN_OK) {
        cli_print_diag(&d, NULL);
        return -1;
    }
    return 0;
}

detector *detector_load_new(const loaded_detector *ld) {
    detector *det;
    spin_diag d;
    if (detector_new(spin_detector_model(ld->sd), api_detector_spun(ld->sd),
                     api_detector_params(ld->sd), &det, &d) != SPIN_OK) {
        cli_error("%s: %s", api_detector_name(ld->sd), d.message);
        return NULL;
    }
    detector_set_abstain(det, !api_detector_judge_all(ld->sd));
    return det;
}

void detector_load_free(loaded_detector *ld) {
    spin_detector_free(ld->sd);
    ld->sd = NULL;
}

void detector_load_judge_all(loaded_detector *ld) {
    ld->judge_all = true;
    api_detector_set_abstain(ld->sd, false);
}

int detector_load_reference(loaded_detector *ld, const char *path) {
    det_params p;
    spin_diag d;
    if (det_params_load(path, &p, &d) != SPIN_OK) {
        cli_print_diag(&d, NULL);
        return -1;
    }
    if (p.needs_spun && !api_detector_spun(ld->sd)) {
        cli_error("%s: fitted with a spun model, and the model has none", path);
        return -1;
    }
    *api_detector_params_mut(ld->sd) = p;
    return 0;
}

int detector_adapt(loaded_detector *ld, const det_adapt *a, const char *save) {
    det_params p;
    spin_diag d;
    memset(&d, 0, sizeof d);
    if (det_adapt_params(a, api_detector_params(ld->sd), &p, &d) != SPIN_OK) {
        cli_error("--adapt: %s", d.message);
        return -1;
    }
    *api_detector_params_mut(ld->sd) = p;
    if (save && det_params_save(&p, save, &d) != SPIN_OK) {
        cli_print_diag(&d, NULL);
        return -1;
    }
    return 0;
}
