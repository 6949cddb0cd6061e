/*
 * random.h - numpy's legacy random generator (np.random.seed, random_sample),
 * for ops whose result ONNX leaves to "a random generator".
 *
 * ONNX does not say which generator training-mode Dropout uses; its node
 * tests draw the mask with numpy's legacy RandomState.  Sinter makes the
 * same choice, so a mask is a pure function of (seed, ratio, shape): it is
 * computed at compile time and matches numpy bit for bit.
 */
#ifndef SINTER_RANDOM_H
#define SINTER_RANDOM_H

#include <stdint.h>

/* Mersenne Twister MT19937 state: 624 words and the next one to temper. */
#define MT19937_WORDS 624

typedef struct {
    uint32_t word[MT19937_WORDS];
    int next;
} Mt19937;

/* Seeds like numpy's RandomState(seed) for an integer seed (the reference
 * generator's init_genrand). */
void mt19937_seed(Mt19937 *mt, uint32_t seed);
/* The next 32-bit output. */
uint32_t mt19937_next_u32(Mt19937 *mt);
/* The next double in [0, 1), with 53 random bits taken from two outputs
 * as numpy's random_sample (and uniform(0, 1)) does. */
double mt19937_next_double(Mt19937 *mt);

#endif /* SINTER_RANDOM_H */
