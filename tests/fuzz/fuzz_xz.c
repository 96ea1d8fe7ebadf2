/* fuzz_xz.c - xz input (see zinput.h). */
#define ZCODEC Z_XZ
#include "zinput.h"
