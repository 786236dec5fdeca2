/*
 * Every kernel body, for one instruction set: kernels.c defines SFX, ATTR and the per-ISA
 * primitives (LOADB, MASK64, POPC8, POPC16, COMBINE16, FLOOR8, PACK8, FLOOR16, PACK16, MADD16), includes this
 * file, and
 * the macros are undefined again at its end.
 */
#include "gemm_body.h"
#include "gather_body.h"
#include "pool_body.h"
#include "dotmask_body.h"
#include "dot16_body.h"
#undef SFX
#undef ATTR
#undef POPC8
#undef FLOOR8
#undef PACK8
#undef FLOOR16
#undef PACK16
#undef POPC16
#undef COMBINE16
#undef LOADB
#undef MASK64
#undef MADD16
