/*
 * random.c - MT19937 as numpy's legacy RandomState runs it.
 *
 * The constants are those of Matsumoto and Nishimura's reference
 * implementation (mt19937ar.c), which numpy follows.
 */
#include "ir/random.h"

#define MT19937_SHIFT 397            /* the "middle word" distance M */
#define MT19937_MATRIX 0x9908b0dfu   /* the twist matrix's last row A */
#define MT19937_UPPER 0x80000000u    /* most significant bit of a word */
#define MT19937_LOWER 0x7fffffffu    /* the other 31 bits */

void mt19937_seed(Mt19937 *mt, uint32_t seed)
{
    mt->word[0] = seed;
    for (uint32_t i = 1; i < MT19937_WORDS; i++) {
        uint32_t prev = mt->word[i - 1];
        mt->word[i] = 1812433253u * (prev ^ (prev >> 30)) + i;
    }
    mt->next = MT19937_WORDS; /* the first draw twists the whole state */
}

/* Regenerates all 624 words at once (the "twist"). */
static void mt19937_twist(Mt19937 *mt)
{
    for (int i = 0; i < MT19937_WORDS; i++) {
        uint32_t y = (mt->word[i] & MT19937_UPPER) |
                     (mt->word[(i + 1) % MT19937_WORDS] & MT19937_LOWER);
        mt->word[i] = mt->word[(i + MT19937_SHIFT) % MT19937_WORDS] ^ (y >> 1) ^
                      ((y & 1u) ? MT19937_MATRIX : 0u);
    }
    mt->next = 0;
}

uint32_t mt19937_next_u32(Mt19937 *mt)
{
    if (mt->next >= MT19937_WORDS)
        mt19937_twist(mt);
    uint32_t y = mt->word[mt->next++];
    /* Tempering improves the equidistribution of the raw words. */
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

double mt19937_next_double(Mt19937 *mt)
{
    /* 27 high bits of one draw and 26 of the next: 53 bits, a double's
     * mantissa, scaled by 2^-53 (67108864 is 2^26). */
    uint32_t high = mt19937_next_u32(mt) >> 5;
    uint32_t low = mt19937_next_u32(mt) >> 6;
    return (high * 67108864.0 + low) / 9007199254740992.0;
}
