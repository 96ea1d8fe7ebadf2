/* stats.h - the statistics spinscan needs, on top of GSL: robust location and
 * scale of small samples, and logistic regression.
 *
 * GSL's default error handler aborts the process; stats_init() (called by
 * every function here, once per process) switches it off, and every GSL
 * return value is checked instead.
 */
#ifndef SPIN_STATS_H
#define SPIN_STATS_H

#include <stddef.h>

#include "spinscan.h"

void stats_init(void);

/* Robust location and scale of x[0..n): the median, and the larger of Qn
 * (Rousseeuw & Croux, consistent for the normal) and 1.4826 * MAD, never
 * below 'floor'.  'work' needs room for 4 n doubles and 'iwork' for 5 n ints.
 * x is not modified.  With n == 0 both are 0 and 'floor'. */
void stats_robust(const double *x, size_t n, double floor, double *work, int *iwork,
                  double *location, double *scale);

/* Logistic regression with a ridge penalty, fitted by iteratively reweighted
 * least squares (Newton's method; each step solved by Cholesky).
 * x: n rows of p features (row-major), y: 0/1 labels, weight: per-row weights
 * (NULL = 1).  lambda penalises the weights, not the intercept.
 * On success w[0] is the intercept and w[1..p] the weights.
 * SPIN_EINVAL if there is no row of one of the labels; SPIN_ENOMEM. */
spin_status stats_logistic_fit(const double *x, const double *y, const double *weight, size_t n,
                               size_t p, double lambda, double *w);

/* 1 / (1 + exp(-t)), without overflow. */
double stats_sigmoid(double t);

#endif
