/*
 * target.c - the CPUs generated code can be built for, and the
 * micro-kernel variants each one calls.
 *
 * Sinter compiles ahead of time, so the variant is chosen here, when the
 * C is generated, and the call names it: a file generated for avx512
 * calls snt_f32_gemm_8x48__avx512f and needs a CPU with AVX-512F.  The
 * variants and their tiles come from the runtime's one list,
 * sinter_variants.def; a target is the ISA suffix it picks from there.
 */
#include "ir/ir.h"

#include <string.h>

static const Target targets[] = {
    {"generic", "scalar", "any CPU (portable C kernels)"},
    {"avx2", "avx2_fma", "x86-64 with AVX2 and FMA"},
    {"avx512", "avx512f", "x86-64 with AVX-512F"},
    {"neon", "neon", "AArch64 (NEON)"},
};
enum { N_TARGETS = sizeof targets / sizeof targets[0] };

static const Variant variants[] = {
#define SNT_F32_GEMM(tile, isa, mr, nr) {FAMILY_F32_GEMM, "snt_f32_gemm_" #tile "__" #isa, mr, nr},
#define SNT_F32_GEMV(tile, isa, mr, nr) {FAMILY_F32_GEMV, "snt_f32_gemv_" #tile "__" #isa, mr, nr},
#define SNT_F32_DWCONV(tile, isa, mr, nr) \
    {FAMILY_F32_DWCONV, "snt_f32_dwconv_" #tile "__" #isa, mr, nr},
#define SNT_F32_CONV_THIN(tile, isa, mr, nr) \
    {FAMILY_F32_CONV_THIN, "snt_f32_conv_thin_" #tile "__" #isa, mr, nr},
#define SNT_X32_TRANSPOSE(tile, isa, mr, nr) \
    {FAMILY_X32_TRANSPOSE, "snt_x32_transpose_" #tile "__" #isa, mr, nr},
#include "sinter_variants.def"
};
enum { N_VARIANTS = sizeof variants / sizeof variants[0] };

/* The best target the CPU running this program can execute. */
static const Target *host_target(void)
{
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f"))
        return target_find("avx512");
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return target_find("avx2");
#elif defined(__aarch64__)
    return target_find("neon");
#endif
    return target_find("generic");
}

const Target *target_find(const char *name)
{
    if (strcmp(name, "host") == 0)
        return host_target();
    for (int i = 0; i < N_TARGETS; i++)
        if (strcmp(targets[i].name, name) == 0)
            return &targets[i];
    return NULL;
}

const char *target_names(void)
{
    return "host, generic, avx2, avx512, neon";
}

/* The variant name ends in "__" ISA. */
static bool variant_has_isa(const char *name, const char *isa)
{
    const char *sep = strstr(name, "__");
    return sep && strcmp(sep + 2, isa) == 0;
}

/* The variant of `family` for ISA `isa`, or NULL. */
static const Variant *isa_variant(const char *isa, Family family)
{
    for (int i = 0; i < N_VARIANTS; i++)
        if (variants[i].family == family && variant_has_isa(variants[i].name, isa))
            return &variants[i];
    return NULL;
}

const Variant *target_variant(const Target *t, Family family)
{
    return isa_variant(t ? t->isa : "scalar", family);
}

const Variant *variant_of_same_isa(const Variant *v, Family family)
{
    const char *sep = strstr(v->name, "__");
    return sep ? isa_variant(sep + 2, family) : NULL;
}

const Variant *variant_find(const char *name)
{
    for (int i = 0; i < N_VARIANTS; i++)
        if (strcmp(variants[i].name, name) == 0)
            return &variants[i];
    return NULL;
}
