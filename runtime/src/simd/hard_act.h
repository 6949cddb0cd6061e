/*
 * hard_act.h - snt_f32_hard_act on a vector, in the vocabulary of
 * simd/avx512f.h (included first): what the direct-convolution families
 * (f32-dwconv/strip.h, f32-conv-thin/tile.h) apply to their sums before
 * they store them.
 */
#ifndef SNT_SIMD_HARD_ACT_H
#define SNT_SIMD_HARD_ACT_H

/* snt__hard_act on a vector: max(0, h) and min(1, h) with h second,
 * which keeps a NaN h as the selects do. */
SNT__UK_INLINE simd_vec simd_hard_act(const snt_f32_hard_act *act, simd_vec v)
{
    simd_vec h = SIMD_FMA(SIMD_SET1(act->beta), SIMD_SET1(act->alpha), v);
    h = SIMD_MIN(SIMD_SET1(1.0f), SIMD_MAX(SIMD_SET1(0.0f), h));
    return act->times_v ? SIMD_MUL(v, h) : h;
}

#endif /* SNT_SIMD_HARD_ACT_H */
