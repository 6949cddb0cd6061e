/*
 * elementwise_loops.h - the loop and naming macros that the elementwise
 * kernels (elementwise.c, elementwise_dtypes.c, act.c, actx.c) share, so
 * that one macro body per operation instantiates a kernel per element
 * type.  Internal to the runtime.
 */
#ifndef SINTER_RT_ELEMENTWISE_LOOPS_H
#define SINTER_RT_ELEMENTWISE_LOOPS_H

#include <stddef.h>

/*
 * y[i] = EXPR for i < n, with v = x[i]: x holds TX, y holds TY (x and y
 * may be void pointers).  One plain loop per call site, which the
 * compiler vectorises for the cheap expressions; the caller switches on
 * its op once per call, never per element.
 */
#define SNT__MAP(TX, TY, EXPR) \
    do { \
        const TX *x_ = (const TX *)(x); \
        TY *y_ = (TY *)(y); \
        size_t i_; \
        for (i_ = 0; i_ < n; i_++) { \
            TX v = x_[i_]; \
            y_[i_] = (TY)(EXPR); \
        } \
    } while (0)

/* The libm function of an element type, for macro bodies that take the
 * naming as a parameter: SNT__F32(exp) is expf, SNT__F64(exp) is exp. */
#define SNT__F32(fn) fn##f
#define SNT__F64(fn) fn

#endif /* SINTER_RT_ELEMENTWISE_LOOPS_H */
