/*
 * variants.h - the micro-kernel variants a kernel test can run: those
 * this runtime was built with (-DSNT_HAVE_<ISA>, from runtime/meson.build)
 * and this CPU executes.  A test lists a family from the runtime's one
 * list, e.g. for f32-gemm:
 *
 *   #define SNT_F32_GEMM(tile, isa, mr, nr) VARIANT_ENTRY(f32_gemm, tile, isa)
 *   static const gemm_variant all[] = {
 *   #include "sinter_variants.def"
 *   };
 *
 * and asks isa_runs() before running one whose ISA may be missing here.
 */
#ifndef SINTER_TEST_VARIANTS_H
#define SINTER_TEST_VARIANTS_H

#include <stdio.h>
#include <string.h>

#include "sinter_rt.h"

/* VARIANT_<isa>(entry) is the entry when the runtime holds that ISA's
 * variants, else nothing. */
#define VARIANT_scalar(...) __VA_ARGS__,
#ifdef SNT_HAVE_AVX2_FMA
#define VARIANT_avx2_fma(...) __VA_ARGS__,
#else
#define VARIANT_avx2_fma(...)
#endif
#ifdef SNT_HAVE_AVX512F
#define VARIANT_avx512f(...) __VA_ARGS__,
#else
#define VARIANT_avx512f(...)
#endif
#ifdef SNT_HAVE_NEON
#define VARIANT_neon(...) __VA_ARGS__,
#else
#define VARIANT_neon(...)
#endif

/* A variant as a test table lists it: its name, "TILE ISA" ("8x48
 * avx512f"), and its micro-kernel, one type per family. */
#define VARIANT_TYPE(type, ukernel) \
    typedef struct { \
        const char *name; \
        const ukernel *uk; \
    } type
VARIANT_TYPE(gemm_variant, snt_f32_gemm_ukernel);
VARIANT_TYPE(gemv_variant, snt_f32_gemv_ukernel);
VARIANT_TYPE(dwconv_variant, snt_f32_dwconv_ukernel);
VARIANT_TYPE(thin_variant, snt_f32_conv_thin_ukernel);
VARIANT_TYPE(transpose_variant, snt_x32_transpose_ukernel);
#undef VARIANT_TYPE

/* The table entry of variant TILE ISA of family snt_FAMILY_ (f32_gemm,
 * f32_dwconv ...), for a family's X-macro:
 *   #define SNT_F32_GEMM(tile, isa, mr, nr) VARIANT_ENTRY(f32_gemm, tile, isa) */
#define VARIANT_ENTRY(family, tile, isa) \
    VARIANT_##isa({#tile " " #isa, &snt_##family##_##tile##__##isa})

/* True when this CPU executes the variants of `isa` (named as in the
 * variant names: "scalar", "avx2_fma", "avx512f", "neon"). */
static inline int isa_runs(const char *isa)
{
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
    __builtin_cpu_init();
    if (strcmp(isa, "avx2_fma") == 0)
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (strcmp(isa, "avx512f") == 0)
        return __builtin_cpu_supports("avx512f");
#endif
#if defined(__aarch64__)
    if (strcmp(isa, "neon") == 0)
        return 1;
#endif
    return strcmp(isa, "scalar") == 0;
}

/* True when this CPU executes the variant a test table names "TILE ISA"
 * ("8x48 avx512f"). */
static inline int variant_runs(const char *name)
{
    return isa_runs(strchr(name, ' ') + 1);
}

/* Prints which variants of a test table run here. */
#define PRINT_VARIANTS(table, count) \
    for (int v_ = 0; v_ < (count); v_++) \
        printf("variant %s: %s\n", (table)[v_].name, \
               variant_runs((table)[v_].name) ? "tested" : "not run on this CPU")

#endif /* SINTER_TEST_VARIANTS_H */
