/* fuzz_zstd.c - zstd input (see zinput.h). */
#define ZCODEC Z_ZSTD
#include "zinput.h"
