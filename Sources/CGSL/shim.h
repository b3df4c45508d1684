#ifndef ADVERIFY_CGSL_SHIM_H
#define ADVERIFY_CGSL_SHIM_H
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_deriv.h>
#include <gsl/gsl_version.h>
#endif
