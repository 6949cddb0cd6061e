/*
 * half.c - conversions between float32/float64 and the two 16-bit
 * floating point types, float16 (IEEE binary16: 1 sign, 5 exponent, 10
 * fraction bits) and bfloat16 (1 sign, 8 exponent, 7 fraction bits: a
 * float32 without its low 16 bits).  Both travel as uint16_t bit
 * patterns (see sinter_rt.h).
 *
 * Widening is exact and works on the bits.  Narrowing to float16 works
 * on the value with frexp/ldexp/nearbyint, which are exact here and round
 * in the default mode (to nearest, ties to even), so every case - ties,
 * subnormals, the carry into the next binade, overflow - follows from one
 * rounding of the exact double.
 */
#include <math.h>
#include <string.h>

#include "sinter_rt.h"

static float float_from_bits(uint32_t bits)
{
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static uint32_t bits_from_float(float f)
{
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    return bits;
}

float snt_half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1f, frac = h & 0x3ff;
    float mag;
    if (exp == 0x1f)                    /* infinity or NaN, payload kept */
        return float_from_bits(sign | 0x7f800000u | frac << 13);
    if (exp == 0) {                     /* zero or subnormal: frac * 2^-24 */
        mag = ldexpf((float)frac, -24);
        return sign ? -mag : mag;
    }
    /* Normal: rebias the exponent from 15 to 127. */
    return float_from_bits(sign | (exp + 112) << 23 | frac << 13);
}

uint16_t snt_half_from_double(double v)
{
    uint16_t sign = signbit(v) ? 0x8000 : 0;
    double a = fabs(v), q;
    int e;
    if (isnan(v))
        return (uint16_t)(sign | 0x7e00);
    /* 65520 lies halfway between the largest float16, 65504, and 2^16;
     * it and everything above round to infinity. */
    if (a >= 65520.0)
        return (uint16_t)(sign | 0x7c00);
    /* Below 2^-14 the spacing is 2^-24: the bits are the multiple itself.
     * A multiple of 1024 is the smallest normal, whose bits it also is. */
    if (a < 0x1p-14)
        return (uint16_t)(sign | (uint16_t)nearbyint(ldexp(a, 24)));
    a = frexp(a, &e);                   /* v = a * 2^e, a in [0.5, 1) */
    q = nearbyint(ldexp(a, 11));        /* 11 significant bits */
    if (q == 2048.0) {                  /* rounded up into the next binade */
        q = 1024.0;
        e++;
    }
    return (uint16_t)(sign | (uint16_t)(e + 14) << 10 | (uint16_t)(q - 1024.0));
}

float snt_bfloat16_to_float(uint16_t b)
{
    return float_from_bits((uint32_t)b << 16);
}

uint16_t snt_bfloat16_from_float(float f)
{
    uint16_t upper = (uint16_t)(bits_from_float(f) >> 16);
    /* A NaN whose payload sits in the low bits alone would truncate to
     * infinity; keep it a (quiet) NaN. */
    if (isnan(f))
        upper |= 0x0040;
    return upper;
}
