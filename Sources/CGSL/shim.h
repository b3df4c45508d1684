#ifndef ADVERIFY_CGSL_SHIM_H
#define ADVERIFY_CGSL_SHIM_H
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_deriv.h>
#include <gsl/gsl_version.h>

/* The run-time library version (gsl_version is a mutable global in C; read it through a function). */
static inline const char *adverify_gsl_version(void) { return gsl_version; }
#endif
