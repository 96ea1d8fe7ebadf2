/* model.c - opening and freeing models: the public entry points that pick a
 * reader for the input and hand it to the format's loader. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lm/arpa.h"
#include "lm/binfmt.h"
#include "util/diag.h"
#include "lm/lm.h"
#include "util/mem.h"
#include "text/reader.h"

void spin_load_options_init(spin_load_options *opts) {
    memset(opts, 0, sizeof *opts);
    opts->unk_logprob = -100.0f;
}

void spin_write_options_init(spin_write_options *opts) {
    memset(opts, 0, sizeof *opts);
    opts->layout = SPIN_LAYOUT_PROBING;
}

/* Reads an ARPA model from 'r' (which it frees); with 'record', keeps the
 * words of every n-gram for the compact layout (lm.h). */
static spin_status load(reader *r, const spin_load_options *opts, bool record, spin_model **out,
                        spin_diag *d) {
    spin_load_options defaults;
    if (!opts) {
        spin_load_options_init(&defaults);
        opts = &defaults;
    }
    spin_model *m = mem_calloc(1, sizeof *m);
    if (m && record && !(m->record = mem_calloc(1, sizeof *m->record))) {
        mem_free(m);
        m = NULL;
    }
    if (!m) {
        diag_set(d, SPIN_ENOMEM, reader_name(r), 0, 0, NULL);
        reader_free(r);
        return SPIN_ENOMEM;
    }
    spin_status st = arpa_load(r, opts, m, d);
    reader_free(r);
    if (st != SPIN_OK) {
        spin_model_free(m);
        return st;
    }
    *out = m;
    return SPIN_OK;
}

static const char kenlm_message[] =
    "this is a KenLM binary model (build_binary output), which spinscan does not read; "
    "use its ARPA file, or compile that with 'spinscan compile'";

/* Looks at the first bytes of 'path': a spinscan binary is mapped (*done set),
 * a KenLM binary rejected; anything else is left to the ARPA reader. */
static spin_status open_binary(const char *path, const spin_load_options *opts, bool *done,
                               spin_model **out, spin_diag *d) {
    *done = false;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return SPIN_OK; /* the reader reports the error in its words */
    unsigned char head[BINFMT_SNIFF];
    ssize_t got = pread(fd, head, sizeof head, 0);
    binfmt_kind kind = got > 0 ? binfmt_sniff(head, (size_t)got) : BINFMT_OTHER;
    if (kind == BINFMT_OTHER) {
        close(fd);
        return SPIN_OK;
    }
    *done = true;
    if (kind == BINFMT_KENLM) {
        close(fd);
        return diag_set(d, SPIN_EFORMAT, path, 0, 0, "%s", kenlm_message);
    }
    spin_load_options defaults;
    if (!opts) {
        spin_load_options_init(&defaults);
        opts = &defaults;
    }
    spin_model *m = mem_calloc(1, sizeof *m);
    if (!m) {
        close(fd);
        return diag_set(d, SPIN_ENOMEM, path, 0, 0, NULL);
    }
    spin_status st = binfmt_open_fd(fd, path, opts, m, d);
    if (st != SPIN_OK) {
        spin_model_free(m);
        return st;
    }
    *out = m;
    return SPIN_OK;
}

spin_status spin_model_open(const char *path, const spin_load_options *opts, spin_model **out,
                            spin_diag *d) {
    reader *r;
    *out = NULL;
    if (!path)
        return diag_set(d, SPIN_EINVAL, "", 0, 0, "no model path given");
    bool done;
    spin_status st = open_binary(path, opts, &done, out, d);
    if (done)
        return st;
    st = reader_open_path(path, &r, d);
    if (st != SPIN_OK)
        return st;
    return load(r, opts, false, out, d);
}

spin_status spin_compile(const char *arpa_path, const char *out_path,
                         const spin_load_options *load_opts, const spin_write_options *write_opts,
                         spin_diag *d) {
    spin_write_options wdefaults;
    if (!write_opts) {
        spin_write_options_init(&wdefaults);
        write_opts = &wdefaults;
    }
    if (!arpa_path || !out_path)
        return diag_set(d, SPIN_EINVAL, "", 0, 0, "no model path given");
    if (write_opts->layout != SPIN_LAYOUT_PROBING && write_opts->layout != SPIN_LAYOUT_COMPACT)
        return diag_set(d, SPIN_EINVAL, out_path, 0, 0, "unknown layout %d",
                        (int)write_opts->layout);
    bool compact = write_opts->layout == SPIN_LAYOUT_COMPACT;
    if ((write_opts->prob_bits || write_opts->backoff_bits) && !compact)
        return diag_set(d, SPIN_EINVAL, out_path, 0, 0, "quantization needs the compact layout");
    if ((write_opts->prob_bits && (write_opts->prob_bits < 2 || write_opts->prob_bits > 16)) ||
        (write_opts->backoff_bits &&
         (write_opts->backoff_bits < 2 || write_opts->backoff_bits > 16)))
        return diag_set(d, SPIN_EINVAL, out_path, 0, 0,
                        "quantization takes 2 to 16 bits (0 = exact)");
    int fd = open(arpa_path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        unsigned char head[BINFMT_SNIFF];
        ssize_t got = pread(fd, head, sizeof head, 0);
        close(fd);
        binfmt_kind kind = got > 0 ? binfmt_sniff(head, (size_t)got) : BINFMT_OTHER;
        if (kind == BINFMT_KENLM)
            return diag_set(d, SPIN_EFORMAT, arpa_path, 0, 0, "%s", kenlm_message);
        if (kind == BINFMT_SPIN)
            return diag_set(d, SPIN_EFORMAT, arpa_path, 0, 0,
                            "this is already a spinscan binary model; compile its ARPA file");
    }
    /* The model is written beside 'out_path' and renamed over it: over a
     * device or FIFO (compile -o /dev/full, as root) that would replace the
     * device node with a regular file.  A binary model must be a file that
     * can be mapped anyway. */
    struct stat out_st;
    if (stat(out_path, &out_st) == 0 && !S_ISREG(out_st.st_mode))
        return diag_set(d, SPIN_EIO, out_path, 0, 0,
                        "not a regular file: a binary model must be written to a file");
    reader *r;
    spin_model *m;
    spin_status st = reader_open_path(arpa_path, &r, d);
    if (st == SPIN_OK)
        st = load(r, load_opts, compact, &m, d);
    if (st != SPIN_OK)
        return st;
    st = binfmt_write(m, out_path, write_opts, d);
    spin_model_free(m);
    return st;
}

spin_status spin_model_open_memory(const void *data, size_t size, const char *name,
                                   const spin_load_options *opts, spin_model **out, spin_diag *d) {
    reader *r;
    *out = NULL;
    if (!data && size)
        return diag_set(d, SPIN_EINVAL, name, 0, 0, "no model data given");
    if (binfmt_sniff(data ? data : "", size) != BINFMT_OTHER) {
        const char *label = name ? name : "<memory>";
        if (binfmt_sniff(data, size) == BINFMT_KENLM)
            return diag_set(d, SPIN_EFORMAT, label, 0, 0, "%s", kenlm_message);
        spin_load_options defaults;
        if (!opts) {
            spin_load_options_init(&defaults);
            opts = &defaults;
        }
        spin_model *m = mem_calloc(1, sizeof *m);
        if (!m)
            return diag_set(d, SPIN_ENOMEM, label, 0, 0, NULL);
        spin_status st = binfmt_open_memory(data, size, label, opts, m, d);
        if (st != SPIN_OK) {
            spin_model_free(m);
            return st;
        }
        *out = m;
        return SPIN_OK;
    }
    spin_status st = reader_open_memory(data ? data : "", size, name, &r, d);
    if (st != SPIN_OK)
        return st;
    return load(r, opts, false, out, d);
}

void spin_model_free(spin_model *m) {
    if (!m)
        return;
    lm_release(m);
    mem_free(m);
}
