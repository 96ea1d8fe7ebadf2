/* stats.c - robust statistics and logistic regression with GSL (see stats.h). */
#include "detect/stats.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <pthread.h>
#include <string.h>

#include "util/mem.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_once(void) {
    gsl_set_error_handler_off();
}

void stats_init(void) {
    pthread_once(&once, init_once);
}

double stats_sigmoid(double t) {
    if (t >= 0)
        return 1.0 / (1.0 + exp(-t));
    double e = exp(t);
    return e / (1.0 + e);
}

void stats_robust(const double *x, size_t n, double floor, double *work, int *iwork,
                  double *location, double *scale) {
    stats_init();
    if (n == 0) {
        *location = 0;
        *scale = floor;
        return;
    }
    double *sorted = work, *w2 = work + n; /* Qn needs 3 n of scratch */
    memcpy(sorted, x, n * sizeof *x);
    gsl_sort(sorted, 1, n);
    *location = gsl_stats_median_from_sorted_data(sorted, 1, n);
    double s = 0;
    if (n >= 2) {
        /* gsl_stats_mad scales by 1.4826; Qn is consistent for the normal
         * too, and keeps its efficiency where half the values are ties. */
        double mad = gsl_stats_mad(sorted, 1, n, w2);
        double qn = gsl_stats_Qn_from_sorted_data(sorted, 1, n, w2, iwork);
        s = qn > mad ? qn : mad;
    }
    *scale = s > floor && isfinite(s) ? s : floor;
}

spin_status stats_logistic_fit(const double *x, const double *y, const double *weight, size_t n,
                               size_t p, double lambda, double *w) {
    stats_init();
    size_t k = p + 1;
    size_t pos = 0, neg = 0;
    for (size_t i = 0; i < n; ++i)
        if (y[i] > 0.5)
            ++pos;
        else
            ++neg;
    if (!pos || !neg)
        return SPIN_EINVAL;
    gsl_matrix *h = gsl_matrix_alloc(k, k);
    gsl_vector *g = gsl_vector_alloc(k), *step = gsl_vector_alloc(k);
    spin_status st = h && g && step ? SPIN_OK : SPIN_ENOMEM;
    for (size_t j = 0; j < k; ++j)
        w[j] = 0;
    /* Newton steps on the penalised log-likelihood; it is strictly concave,
     * so 50 steps are far more than convergence needs. */
    for (int iter = 0; st == SPIN_OK && iter < 50; ++iter) {
        gsl_matrix_set_zero(h);
        gsl_vector_set_zero(g);
        for (size_t i = 0; i < n; ++i) {
            const double *row = x + i * p;
            double t = w[0];
            for (size_t j = 0; j < p; ++j)
                t += w[j + 1] * row[j];
            double mu = stats_sigmoid(t), wt = weight ? weight[i] : 1.0;
            double r = wt * (y[i] - mu), v = wt * mu * (1 - mu);
            for (size_t a = 0; a < k; ++a) {
                double xa = a ? row[a - 1] : 1.0;
                *gsl_vector_ptr(g, a) += r * xa;
                for (size_t b = 0; b <= a; ++b) {
                    double xb = b ? row[b - 1] : 1.0;
                    *gsl_matrix_ptr(h, a, b) += v * xa * xb;
                }
            }
        }
        for (size_t a = 1; a < k; ++a) {
            *gsl_vector_ptr(g, a) -= lambda * w[a];
            *gsl_matrix_ptr(h, a, a) += lambda;
        }
        *gsl_matrix_ptr(h, 0, 0) += 1e-9; /* keeps the intercept's row positive */
        for (size_t a = 0; a < k; ++a)
            for (size_t b = a + 1; b < k; ++b)
                gsl_matrix_set(h, a, b, gsl_matrix_get(h, b, a));
        if (gsl_linalg_cholesky_decomp1(h) != GSL_SUCCESS ||
            gsl_linalg_cholesky_solve(h, g, step) != GSL_SUCCESS) {
            st = SPIN_EINVAL;
            break;
        }
        double change = 0;
        for (size_t a = 0; a < k; ++a) {
            w[a] += gsl_vector_get(step, a);
            change += fabs(gsl_vector_get(step, a));
        }
        if (change < 1e-10)
            break;
    }
    gsl_matrix_free(h);
    gsl_vector_free(g);
    gsl_vector_free(step);
    return st;
}
