/*
 * ukernel.h - what the micro-kernel families' SIMD variants share
 * (f32-dwconv/, f32-conv-thin/): keeping a register tile in registers.
 */
#ifndef SNT_UKERNEL_H
#define SNT_UKERNEL_H

#include "sinter_rt.h"

/*
 * The SIMD micro-kernels hold their accumulators in small arrays indexed by
 * constant-trip loops.  gcc keeps such an array in registers only if it
 * has unrolled every loop over it by the time it replaces aggregates by
 * scalars, and its early unroller gives up on bodies this size; and a
 * strip function called with a constant vector count must be inlined for
 * that count to be a constant.  Otherwise the accumulators live in
 * memory, and every FMA loads and stores one.
 */
#if defined(__GNUC__)
#define SNT__UK_INLINE static inline __attribute__((always_inline))
#define SNT__UK_UNROLL _Pragma("GCC unroll 32")
#else
#define SNT__UK_INLINE static inline
#define SNT__UK_UNROLL
#endif

/* snt_f32_hard_act on one value, in the selects of act.c's epilogue
 * (which the SIMD variants' max and min compute too). */
static inline float snt__hard_act(const snt_f32_hard_act *act, float v)
{
    float h = act->alpha * v + act->beta;
    h = h < 0 ? 0.0f : h;
    h = h > 1 ? 1.0f : h;
    return act->times_v ? v * h : h;
}

#endif /* SNT_UKERNEL_H */
