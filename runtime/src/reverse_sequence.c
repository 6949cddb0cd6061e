/*
 * reverse_sequence.c - ReverseSequence: reverses the first lens[b] time
 * steps of every batch entry, any element type.
 */
#include <string.h>

#include "internal.h"

void snt_reverse_sequence(size_t batch, size_t time, size_t inner, int time_major,
                          size_t elem_size, const int64_t *lens, const void *x, void *y)
{
    const char *src = x;
    char *dst = y;
    size_t row = inner * elem_size, b, t;
    for (b = 0; b < batch; b++) {
        /* A length outside [0, time] is invalid; clamping keeps reads inside x. */
        size_t len = lens[b] < 0 ? 0 : lens[b] > (int64_t)time ? time : (size_t)lens[b];
        for (t = 0; t < time; t++) {
            size_t from = t < len ? len - 1 - t : t;
            size_t out = time_major ? t * batch + b : b * time + t;
            size_t in = time_major ? from * batch + b : b * time + from;
            memcpy(dst + out * row, src + in * row, row);
        }
    }
}
