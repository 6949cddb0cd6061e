/*
 * write.c - the generated C of a compiled model, in memory and then in
 * files: NAME.c, NAME.h, and the weights blob and its .S as the weights
 * mode asks.
 */
#include "driver/driver.h"
#include "driver/files.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

bool write_file(const char *path, const void *data, size_t len, Diag *d)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return diag_error(d, "cannot write '%s': %s", path, strerror(errno));
    bool ok = fwrite(data, 1, len, f) == len;
    ok = fclose(f) == 0 && ok;
    return ok ? true : diag_error(d, "cannot write '%s': %s", path, strerror(errno));
}

void path_join(Str *out, const char *dir, const char *name_fmt, ...)
{
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/')
        len--;
    str_putn(out, dir, len);
    if (!(len == 1 && dir[0] == '/'))
        str_puts(out, "/");
    va_list ap;
    va_start(ap, name_fmt);
    str_vputf(out, name_fmt, ap);
    va_end(ap);
}

/*
 * WEIGHTS_AUTO generates the code with a weights blob first, to learn
 * the weights' size, and again embedded when they are at most
 * WEIGHTS_EMBED_MAX bytes: one .c is simplest for small models.
 */
bool generate_model_c(CompiledModel *m, const CompileOptions *o, Diag *d)
{
    /* The file's name, not its path, so the output does not depend on
     * where the model was read from. */
    const char *base = strrchr(o->model, '/');
    WeightsMode first = o->weights == WEIGHTS_AUTO ? WEIGHTS_INCBIN : o->weights;
    CodegenOptions co = {m->name, base ? base + 1 : o->model, first, o->profile};
    bool ok = codegen_c(m->graph, &co, &m->code, d);
    if (ok && o->weights == WEIGHTS_AUTO && m->code.weights.len <= WEIGHTS_EMBED_MAX) {
        codegen_output_free(&m->code);
        co.weights = WEIGHTS_EMBED;
        ok = codegen_c(m->graph, &co, &m->code, d);
    }
    m->weights = co.weights;
    return ok;
}

static bool make_dir(const char *dir, Diag *d)
{
    if (mkdir(dir, 0777) == 0 || errno == EEXIST)
        return true;
    return diag_error(d, "cannot create '%s': %s", dir, strerror(errno));
}

/* Writes s to DIR/NAME.EXT. */
static bool write_str(const char *dir, const char *name, const char *ext, const Str *s, Diag *d)
{
    Str path = {0};
    path_join(&path, dir, "%s%s", name, ext);
    bool ok = write_file(path.buf, s->buf ? s->buf : "", s->len, d);
    str_free(&path);
    return ok;
}

bool compiled_model_write(const CompiledModel *m, const char *dir, Diag *d)
{
    const CodegenOutput *c = &m->code;
    return make_dir(dir, d) && write_str(dir, m->name, ".c", &c->c, d) &&
           write_str(dir, m->name, ".h", &c->h, d) &&
           (m->weights == WEIGHTS_EMBED || write_str(dir, m->name, ".weights", &c->weights, d)) &&
           (m->weights != WEIGHTS_INCBIN || write_str(dir, m->name, "_weights.S", &c->incbin, d));
}
