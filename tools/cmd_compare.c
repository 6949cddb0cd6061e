/*
 * cmd_compare.c - `sinter compare OUT.npy REF.npy [--tol T]`: the error
 * of a result against a reference, as the tests and acceptance judge it:
 * max|out - ref| <= T * max|ref| (T = 2e-4 by default).
 */
#include "frontend/frontend.h"
#include "tools/tools.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char compare_help[] =
    "usage: sinter compare OUT.npy REF.npy [--tol T]\n"
    "Passes when max|out - ref| <= T * max|ref| (T defaults to 2e-4).\n";

int cmd_compare(int argc, char **argv)
{
    double tol = 2e-4;
    const char *files[2] = {NULL, NULL}, *v;
    int n_files = 0;
    for (int i = 1; i < argc; i++) {
        int status = option_value("--tol", argc, argv, &i, &v);
        if (status == OPTION_NO_VALUE)
            return refuse_missing_value("compare", argv[i], compare_help);
        if (status == OPTION_TAKEN) {
            char *end;
            tol = strtod(v, &end);
            if (end == v || *end || !(tol >= 0)) {
                fprintf(stderr, "sinter compare: --tol takes a number >= 0, not '%s'\n", v);
                return 2;
            }
        } else if (argv[i][0] != '-' && n_files < 2)
            files[n_files++] = argv[i];
        else {
            bool help = strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0;
            return print_usage(compare_help, help);
        }
    }
    if (n_files != 2)
        return print_usage(compare_help, false);
    Diag d = {0};
    Tensor *out = tensor_read_file(files[0], &d), *ref = out ? tensor_read_file(files[1], &d) : NULL;
    if (!out || !ref) {
        tensor_free(out);
        return report_errors(&d);
    }
    char s1[128], s2[128];
    int status = 0;
    if (!shape_equal(&out->shape, &ref->shape)) {
        fprintf(stderr, "sinter compare: shapes differ: %s vs %s\n",
                shape_str(&out->shape, s1, sizeof s1), shape_str(&ref->shape, s2, sizeof s2));
        status = 1;
    } else {
        double max_err = 0, max_ref = 0;
        size_t n = (size_t)tensor_numel(out);
        for (size_t i = 0; i < n; i++) {
            double a = dtype_get_f64(out->dtype, out->data, i);
            double b = dtype_get_f64(ref->dtype, ref->data, i);
            double err = isnan(a) != isnan(b) ? INFINITY : isnan(a) ? 0 : fabs(a - b);
            max_err = err > max_err ? err : max_err;
            max_ref = fabs(b) > max_ref ? fabs(b) : max_ref;
        }
        double ratio = max_ref > 0 ? max_err / max_ref : max_err;
        bool pass = max_err <= tol * max_ref;
        printf("max_abs_err %.3g  max_abs_ref %.3g  ratio %.3g  (tolerance %.3g)  %s\n", max_err,
               max_ref, ratio, tol, pass ? "PASS" : "FAIL");
        status = pass ? 0 : 1;
    }
    tensor_free(out);
    tensor_free(ref);
    return status;
}
