/* fuzz_bzip2.c - bzip2 input (see zinput.h). */
#define ZCODEC Z_BZIP2
#include "zinput.h"
