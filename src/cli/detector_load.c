/* detector_load.c - see detector_load.h. */
#include "cli/detector_load.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/modelpath.h"

static void print_warning(void *ctx, const spin_diag *d) {
    (void)ctx;
    cli_print_diag(d, "warning: ");
}

int detector_load(const char *model_opt, bool resident, loaded_detector *ld) {
    memset(ld, 0, sizeof *ld);
    model_path mp;
    char err[9000];
    if (model_path_find(model_opt, &mp, err, sizeof err) != 0) {
        cli_error("%s", err);
        return -1;
    }
    spin_load_options lo;
    spin_load_options_init(&lo);
    lo.warn = print_warning;
    lo.prefault = resident;
    spin_diag d;
    if (spin_model_open(mp.model, &lo, &ld->model, &d) != SPIN_OK) {
        cli_print_diag(&d, NULL);
        return -1;
    }
    if (mp.params[0]) {
        if (det_params_load(mp.params, &ld->params, &d) != SPIN_OK) {
            cli_print_diag(&d, NULL);
            detector_load_free(ld);
            return -1;
        }
    } else {
        det_params_default(&ld->params);
    }
    if (mp.spun[0] && spin_model_open(mp.spun, &lo, &ld->spun, &d) != SPIN_OK) {
        cli_print_diag(&d, NULL);
        detector_load_free(ld);
        return -1;
    }
    snprintf(ld->name, sizeof ld->name, "%s", mp.params[0] ? mp.params : mp.model);
    return 0;
}

detector *detector_load_new(const loaded_detector *ld) {
    detector *det;
    spin_diag d;
    if (detector_new(ld->model, ld->spun, &ld->params, &det, &d) != SPIN_OK) {
        cli_error("%s: %s", ld->name, d.message);
        return NULL;
    }
    detector_set_abstain(det, !ld->judge_all);
    return det;
}

void detector_load_free(loaded_detector *ld) {
    spin_model_free(ld->spun);
    spin_model_free(ld->model);
    ld->spun = ld->model = NULL;
}

int detector_load_reference(loaded_detector *ld, const char *path) {
    det_params p;
    spin_diag d;
    if (det_params_load(path, &p, &d) != SPIN_OK) {
        cli_print_diag(&d, NULL);
        return -1;
    }
    if (p.needs_spun && !ld->spun) {
        cli_error("%s: fitted with a spun model, and the model has none", path);
        return -1;
    }
    ld->params = p;
    snprintf(ld->name, sizeof ld->name, "%s", path);
    return 0;
}

int detector_adapt(loaded_detector *ld, const det_adapt *a, const char *save) {
    det_params p;
    spin_diag d;
    memset(&d, 0, sizeof d);
    if (det_adapt_params(a, &ld->params, &p, &d) != SPIN_OK) {
        cli_error("--adapt: %s", d.message);
        return -1;
    }
    ld->params = p;
    if (save && det_params_save(&ld->params, save, &d) != SPIN_OK) {
        cli_print_diag(&d, NULL);
        return -1;
    }
    return 0;
}
