// CBLAS from the system's OpenBLAS (Debian libopenblas-dev; pkg-config openblas gives the include path).
#include <cblas.h>
