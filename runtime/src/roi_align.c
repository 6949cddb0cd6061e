/*
 * roi_align.c - ONNX RoiAlign (opsets 10 and 16): each region of
 * interest is divided into oh x ow bins, each bin is sampled on a regular
 * grid of points, every point is bilinearly interpolated from the input,
 * and the bin's output is the average (or the maximum) of its points.
 *
 * The arithmetic is onnxruntime's, in float, which the ONNX reference
 * data comes from: the sampling grid has sampling_ratio points per bin
 * and axis, or ceil(roi extent / bins) when it is 0; a point more than
 * one pixel outside the input contributes zero, one within a pixel of it
 * is clamped to the edge.  In max mode a point's value is the largest of
 * its four weighted neighbours (not their sum), as onnxruntime and the
 * ONNX reference compute it.
 */
#include <math.h>

#include "internal.h"

/* One sampling point: four input offsets and their bilinear weights
 * (all zero for a point outside the input). */
typedef struct {
    size_t pos[4];
    float w[4];
} sample_point;

/* The interpolation of the point at row y, column x of an h x w plane. */
static sample_point locate(size_t h, size_t w, float y, float x)
{
    sample_point s = {{0, 0, 0, 0}, {0.0f, 0.0f, 0.0f, 0.0f}};
    size_t y0, x0, y1, x1;
    float ly, lx;
    if (!(y >= -1.0f && y <= (float)h && x >= -1.0f && x <= (float)w))
        return s;
    y = fmaxf(y, 0.0f);
    x = fmaxf(x, 0.0f);
    y0 = (size_t)y;
    x0 = (size_t)x;
    /* On or past the last row (column) both neighbours are the last one. */
    if (y0 >= h - 1) {
        y0 = y1 = h - 1;
        y = (float)y0;
    } else {
        y1 = y0 + 1;
    }
    if (x0 >= w - 1) {
        x0 = x1 = w - 1;
        x = (float)x0;
    } else {
        x1 = x0 + 1;
    }
    ly = y - (float)y0;
    lx = x - (float)x0;
    s.pos[0] = y0 * w + x0;
    s.pos[1] = y0 * w + x1;
    s.pos[2] = y1 * w + x0;
    s.pos[3] = y1 * w + x1;
    s.w[0] = (1.0f - ly) * (1.0f - lx);
    s.w[1] = (1.0f - ly) * lx;
    s.w[2] = ly * (1.0f - lx);
    s.w[3] = ly * lx;
    return s;
}

/* Sampling points per bin along an axis whose roi extent is `extent`. */
static size_t samples_per_bin(const snt_roi_align_params *p, float extent, size_t bins)
{
    float adaptive;
    if (p->sampling_ratio > 0)
        return p->sampling_ratio;
    adaptive = ceilf(extent / (float)bins);
    if (!(adaptive > 0.0f))
        return 0; /* an empty or inverted roi, or NaN: no points */
    /* The cap also keeps the conversion to size_t defined. */
    if (adaptive >= (float)SNT_ROI_ALIGN_MAX_SAMPLES)
        return SNT_ROI_ALIGN_MAX_SAMPLES;
    return (size_t)adaptive;
}

/* The geometry of one roi in input pixels. */
typedef struct {
    float y0, x0;           /* top left corner */
    float bin_h, bin_w;     /* bin extents */
    size_t grid_h, grid_w;  /* sampling points per bin and axis */
} roi_geometry;

static roi_geometry roi_geometry_of(const snt_roi_align_params *p, const float *roi)
{
    /* half_pixel moves the roi so that pixel centers are at .5. */
    float offset = p->half_pixel ? 0.5f : 0.0f;
    float x0 = roi[0] * p->spatial_scale - offset, y0 = roi[1] * p->spatial_scale - offset;
    float x1 = roi[2] * p->spatial_scale - offset, y1 = roi[3] * p->spatial_scale - offset;
    float roi_w = x1 - x0, roi_h = y1 - y0;
    roi_geometry g;
    if (!p->half_pixel) {
        /* The legacy mode forces a roi at least one pixel wide. */
        roi_w = fmaxf(roi_w, 1.0f);
        roi_h = fmaxf(roi_h, 1.0f);
    }
    g.y0 = y0;
    g.x0 = x0;
    g.bin_h = roi_h / (float)p->oh;
    g.bin_w = roi_w / (float)p->ow;
    g.grid_h = samples_per_bin(p, roi_h, p->oh);
    g.grid_w = samples_per_bin(p, roi_w, p->ow);
    return g;
}

/* The pooled value of bin (ph, pw) of roi g over one input plane. */
static float pool_bin(const snt_roi_align_params *p, const roi_geometry *g, const float *plane,
                      size_t ph, size_t pw)
{
    size_t iy, ix, k, count = g->grid_h * g->grid_w;
    float sum = 0.0f, max = 0.0f;
    int have_max = 0;
    for (iy = 0; iy < g->grid_h; iy++) {
        float y = g->y0 + (float)ph * g->bin_h + ((float)iy + 0.5f) * g->bin_h / (float)g->grid_h;
        for (ix = 0; ix < g->grid_w; ix++) {
            float x = g->x0 + (float)pw * g->bin_w +
                      ((float)ix + 0.5f) * g->bin_w / (float)g->grid_w;
            sample_point s = locate(p->h, p->w, y, x);
            float v = s.w[0] * plane[s.pos[0]];
            if (!p->max_mode) {
                for (k = 1; k < 4; k++)
                    v += s.w[k] * plane[s.pos[k]];
                sum += v;
                continue;
            }
            for (k = 1; k < 4; k++)
                v = fmaxf(v, s.w[k] * plane[s.pos[k]]);
            max = have_max ? fmaxf(max, v) : v;
            have_max = 1;
        }
    }
    if (p->max_mode)
        return max;
    return count ? sum / (float)count : sum;
}

void snt_roi_align_f32(const snt_roi_align_params *p, const float *x, const float *rois,
                       const int64_t *batch_indices, float *y)
{
    size_t r, c, ph, pw, plane = p->h * p->w, bins = p->oh * p->ow;
    for (r = 0; r < p->rois; r++) {
        int64_t b = batch_indices[r];
        roi_geometry g = roi_geometry_of(p, rois + 4 * r);
        for (c = 0; c < p->c; c++) {
            float *out = y + (r * p->c + c) * bins;
            /* A batch index outside the input has nothing to pool. */
            int valid = b >= 0 && (uint64_t)b < (uint64_t)p->n && plane > 0;
            const float *in = valid ? x + ((size_t)b * p->c + c) * plane : NULL;
            for (ph = 0; ph < p->oh; ph++)
                for (pw = 0; pw < p->ow; pw++)
                    out[ph * p->ow + pw] = valid ? pool_bin(p, &g, in, ph, pw) : 0.0f;
        }
    }
}
