/*
 * bridge/zlib.c — the zlib natives: deflate/inflate (zlib, gzip, raw,
 * auto-detected) over the system's zlib and brotli over libbrotli, as
 * Node's zlib binding does, plus crc32.
 *
 * A stream's state lives in a vm handle. One call runs the library once
 * over the input with a flush mode and an output room, as Node's
 * writeSync(): it answers the bytes produced and how much input is left,
 * and JS loops (node/zlib.js) exactly as Node's does, so output chunks fall
 * where Node's fall. With a callback the step runs on libuv's pool on
 * copies of the input; the state is marked busy meanwhile, and a close
 * then only marks it, the completion frees it.
 *
 * Memory is the run's budget (vm_reserve): the libraries' own state comes
 * from counting allocators, a step's output room and its input copy are
 * reserved before they are made; past the budget a step throws Node's
 * "Array buffer allocation failed", a state fails as zlib's out of memory.
 *
 * Errors follow Node: zlib's message (or "unexpected end of file",
 * "Missing dictionary", "Bad dictionary", "Zlib error") with errno and the
 * Z_* code; brotli's "Decompression failed" with ERR_<brotli error name>.
 */
#include <brotli/decode.h>
#include <brotli/encode.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "internal.h"

/* Node's node_zlib_mode */
enum {
    M_NONE,
    M_DEFLATE,
    M_INFLATE,
    M_GZIP,
    M_GUNZIP,
    M_DEFLATERAW,
    M_INFLATERAW,
    M_UNZIP,
    M_BROTLI_DECODE,
    M_BROTLI_ENCODE
};

#define MAX_BROTLI_PARAMS 16

typedef struct {
    vm_t *vm; /* whose budget the libraries' state is counted in */
    int mode;
    bool busy;     /* a pool step is running on it */
    bool orphaned; /* released while busy: the step's completion frees it */
    /* zlib */
    z_stream z;
    bool z_ready;
    int level, wbits, memlevel, strategy;
    uint8_t *dict;
    size_t dict_len;
    int gzip_id_read; /* UNZIP: gzip magic bytes seen so far */
    /* brotli */
    BrotliEncoderState *be;
    BrotliDecoderState *bd;
    int brotli_result; /* the last BrotliDecoderResult, or encoder success */
    bool over_budget;  /* the encoder was given memory past the budget (enc_alloc) */
    /* the last step */
    int err; /* zlib's return */
    int flush;
} zs_t;

static void zs_really_free(zs_t *s)
{
    if (s->z_ready) {
        if (s->mode == M_DEFLATE || s->mode == M_GZIP || s->mode == M_DEFLATERAW)
            deflateEnd(&s->z);
        else
            inflateEnd(&s->z);
    }
    if (s->be)
        BrotliEncoderDestroyInstance(s->be);
    if (s->bd)
        BrotliDecoderDestroyInstance(s->bd);
    free(s->dict);
    vm_release(s->vm, s->dict_len);
    free(s);
}

static void zs_free(void *p)
{
    zs_t *s = p;
    if (s->busy)
        s->orphaned = true;
    else
        zs_really_free(s);
}

static const vm_handle_type_t zs_type = {"Zlib", zs_free};

static bool is_deflate(int mode)
{
    return mode == M_DEFLATE || mode == M_GZIP || mode == M_DEFLATERAW;
}

/* The libraries' allocations, counted in the budget: each block carries
 * its size before it (zlib and brotli free without one). */
typedef union {
    size_t n;
    max_align_t align;
} block_t;

static void *budget_alloc(void *opaque, size_t n)
{
    zs_t *s = opaque;
    if (n > SIZE_MAX - sizeof(block_t) || !vm_reserve(s->vm, n + sizeof(block_t)))
        return NULL;
    block_t *b = malloc(n + sizeof(block_t));
    if (!b) {
        vm_release(s->vm, n + sizeof(block_t));
        return NULL;
    }
    b->n = n + sizeof(block_t);
    return b + 1;
}

static void budget_free(void *opaque, void *p)
{
    if (!p)
        return;
    zs_t *s = opaque;
    block_t *b = (block_t *)p - 1;
    vm_release(s->vm, b->n);
    free(b);
}

/* Brotli's encoder (libbrotli 1.0) ends the process when its allocator
 * answers NULL, so past the budget its blocks are charged anyway and the
 * stream marked: the step (or the creation) fails with "Array buffer
 * allocation failed" as soon as the encoder returns, and the encoder is
 * freed then (enc_drop). Only a failed malloc is fatal, as in the isolate. */
static void *enc_alloc(void *opaque, size_t n)
{
    zs_t *s = opaque;
    void *p = budget_alloc(s, n);
    if (p)
        return p;
    block_t *b = n <= SIZE_MAX - sizeof(block_t) ? malloc(n + sizeof(block_t)) : NULL;
    if (!b) {
        fprintf(stderr, "secure-exec-launch: out of memory (the brotli encoder asked %zu bytes)\n",
                n);
        fflush(stderr);
        _exit(BR_EXIT_MEMORY);
    }
    vm_charge(s->vm, n + sizeof(block_t));
    s->over_budget = true;
    b->n = n + sizeof(block_t);
    return b + 1;
}

/* Frees an encoder that was given memory past the budget: true when it was
 * (s->over_budget stays set: the step's error). */
static bool enc_drop(zs_t *s)
{
    if (!s->over_budget)
        return false;
    if (s->be)
        BrotliEncoderDestroyInstance(s->be);
    s->be = NULL;
    s->brotli_result = 0;
    return true;
}

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
    return budget_alloc(opaque, (size_t)items * size);
}

/* (Re)initialises zlib's side from the saved parameters: 0 or a Z_* error. */
static int zs_init_zlib(zs_t *s)
{
    int wbits = s->wbits;
    if (s->mode == M_GZIP || s->mode == M_GUNZIP)
        wbits += 16;
    else if (s->mode == M_UNZIP)
        wbits += 32;
    else if (s->mode == M_DEFLATERAW || s->mode == M_INFLATERAW)
        wbits = -wbits;
    memset(&s->z, 0, sizeof s->z);
    s->z.zalloc = z_alloc;
    s->z.zfree = budget_free;
    s->z.opaque = s;
    int r = is_deflate(s->mode)
                ? deflateInit2(&s->z, s->level, Z_DEFLATED, wbits, s->memlevel, s->strategy)
                : inflateInit2(&s->z, wbits);
    if (r != Z_OK)
        return r;
    s->z_ready = true;
    if (s->dict_len) {
        if (s->mode == M_DEFLATE || s->mode == M_DEFLATERAW)
            r = deflateSetDictionary(&s->z, s->dict, (uInt)s->dict_len);
        else if (s->mode == M_INFLATERAW)
            r = inflateSetDictionary(&s->z, s->dict, (uInt)s->dict_len);
    }
    return r;
}

/* A fresh state, or NULL after throwing Node's initialisation error. */
static zs_t *zs_new(vm_call_t *c, int mode)
{
    zs_t *s = calloc(1, sizeof *s);
    if (!s) {
        vm_throwf(c, "Error", "ERR_ZLIB_INITIALIZATION_FAILED", "Initialization failed");
        return NULL;
    }
    s->vm = vm_call_vm(c);
    s->mode = mode;
    return s;
}

/* init(mode, windowBits, level, memLevel, strategy, dictionary?) -> handle;
 * throws ERR_ZLIB_INITIALIZATION_FAILED when zlib refuses. */
static void c_init(vm_call_t *c)
{
    int mode = (int)vm_arg_int(c, 0);
    if (mode < M_DEFLATE || mode > M_UNZIP) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_VALUE", "bad zlib mode %d", mode);
        return;
    }
    zs_t *s = zs_new(c, mode);
    if (!s)
        return;
    s->wbits = (int)vm_arg_int(c, 1);
    s->level = (int)vm_arg_int(c, 2);
    s->memlevel = (int)vm_arg_int(c, 3);
    s->strategy = (int)vm_arg_int(c, 4);
    uint8_t *d;
    size_t dlen;
    if (vm_arg_bytes(c, 5, &d, &dlen) == 0 && dlen) {
        /* the copy lives as long as the stream: counted until then */
        bool counted = dlen <= UINT_MAX && vm_reserve(s->vm, dlen);
        s->dict = counted ? malloc(dlen) : NULL;
        if (!s->dict) {
            if (counted)
                vm_release(s->vm, dlen);
            zs_really_free(s);
            if (dlen <= UINT_MAX && !counted)
                vm_throw_alloc_failed(c);
            else
                vm_throwf(c, "Error", "ERR_ZLIB_INITIALIZATION_FAILED", "Initialization failed");
            return;
        }
        memcpy(s->dict, d, dlen);
        s->dict_len = dlen;
    }
    int r = zs_init_zlib(s);
    if (r != Z_OK) {
        bool dict_failed = s->z_ready;
        zs_really_free(s);
        if (dict_failed)
            vm_throwf(c, "Error", "ERR_ZLIB_INITIALIZATION_FAILED", "Failed to set dictionary");
        else
            vm_throwf(c, "Error", "ERR_ZLIB_INITIALIZATION_FAILED", "Initialization failed");
        return;
    }
    vm_ret_handle(c, &zs_type, s);
}

/* initBrotli(mode, params Int32Array: -1 = unset) -> handle */
static void c_init_brotli(vm_call_t *c)
{
    int mode = (int)vm_arg_int(c, 0);
    uint8_t *pb;
    size_t plen;
    if ((mode != M_BROTLI_ENCODE && mode != M_BROTLI_DECODE) ||
        vm_arg_bytes(c, 1, &pb, &plen) < 0 || plen % sizeof(int32_t)) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_VALUE", "bad brotli mode or parameters");
        return;
    }
    zs_t *s = zs_new(c, mode);
    if (!s)
        return;
    bool ok;
    if (mode == M_BROTLI_ENCODE) {
        s->be = BrotliEncoderCreateInstance(enc_alloc, budget_free, s);
        ok = s->be != NULL;
        if (enc_drop(s)) {
            zs_really_free(s);
            vm_throw_alloc_failed(c);
            return;
        }
    } else {
        s->bd = BrotliDecoderCreateInstance(budget_alloc, budget_free, s);
        ok = s->bd != NULL;
    }
    size_t n = plen / sizeof(int32_t);
    for (size_t i = 0; ok && i < n; i++) {
        int32_t v;
        memcpy(&v, pb + i * sizeof v, sizeof v);
        if (v == -1)
            continue;
        ok = mode == M_BROTLI_ENCODE
                 ? BrotliEncoderSetParameter(s->be, (BrotliEncoderParameter)i, (uint32_t)v)
                 : BrotliDecoderSetParameter(s->bd, (BrotliDecoderParameter)i, (uint32_t)v);
    }
    s->brotli_result = mode == M_BROTLI_ENCODE ? 1 : BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT;
    if (!ok) {
        zs_really_free(s);
        vm_throwf(c, "Error", "ERR_ZLIB_INITIALIZATION_FAILED", "Initialization failed");
        return;
    }
    vm_ret_handle(c, &zs_type, s);
}

/* ---- one step ------------------------------------------------------------------ */

typedef struct {
    const uint8_t *in;
    size_t in_len, in_left;
    uint8_t *out;
    size_t out_len, out_left;
} step_t;

/* Runs the library once, as Node's DoThreadPoolWork. */
static void zs_step(zs_t *s, step_t *t, int flush)
{
    s->flush = flush;
    if (s->mode == M_BROTLI_ENCODE || s->mode == M_BROTLI_DECODE) {
        const uint8_t *next_in = t->in;
        uint8_t *next_out = t->out;
        t->in_left = t->in_len;
        t->out_left = t->out_len;
        if (s->mode == M_BROTLI_ENCODE) {
            /* after a failure past the budget the stream has no encoder */
            s->brotli_result = s->be && BrotliEncoderCompressStream(
                                            s->be, (BrotliEncoderOperation)flush, &t->in_left,
                                            &next_in, &t->out_left, &next_out, NULL);
            enc_drop(s);
        } else
            s->brotli_result = BrotliDecoderDecompressStream(s->bd, &t->in_left, &next_in,
                                                             &t->out_left, &next_out, NULL);
        return;
    }
    z_stream *z = &s->z;
    z->next_in = (Bytef *)(uintptr_t)t->in;
    z->avail_in = (uInt)t->in_len;
    z->next_out = t->out;
    z->avail_out = (uInt)t->out_len;
    if (is_deflate(s->mode)) {
        s->err = deflate(z, flush);
    } else {
        if (s->mode == M_UNZIP && z->avail_in > 0) {
            /* gzip's magic decides; anything else is zlib's format */
            const Bytef *p = z->next_in;
            if (s->gzip_id_read == 0) {
                if (*p == 0x1f) {
                    s->gzip_id_read = 1;
                    p++;
                } else {
                    s->mode = M_INFLATE;
                }
            }
            if (s->mode == M_UNZIP && s->gzip_id_read == 1 && p < z->next_in + z->avail_in)
                s->mode = *p == 0x8b ? M_GUNZIP : M_INFLATE;
        }
        s->err = inflate(z, flush);
        if (s->mode != M_INFLATERAW && s->err == Z_NEED_DICT && s->dict_len) {
            s->err = inflateSetDictionary(z, s->dict, (uInt)s->dict_len);
            if (s->err == Z_OK)
                s->err = inflate(z, flush);
            else if (s->err == Z_DATA_ERROR)
                s->err = Z_NEED_DICT; /* a bad dictionary, not bad input */
        }
        /* more gzip members after the first (trailing zero bytes are padding) */
        while (z->avail_in > 0 && s->mode == M_GUNZIP && s->err == Z_STREAM_END &&
               z->next_in[0] != 0) {
            inflateReset(z);
            s->err = inflate(z, flush);
        }
    }
    t->in_left = z->avail_in;
    t->out_left = z->avail_out;
}

typedef struct {
    const char *type; /* NULL: Error */
    const char *message, *code;
    int errnum;
    char buf[96];
} zerr_t;

static const char *z_code(int err)
{
    switch (err) {
    case Z_OK:
        return "Z_OK";
    case Z_STREAM_END:
        return "Z_STREAM_END";
    case Z_NEED_DICT:
        return "Z_NEED_DICT";
    case Z_ERRNO:
        return "Z_ERRNO";
    case Z_STREAM_ERROR:
        return "Z_STREAM_ERROR";
    case Z_DATA_ERROR:
        return "Z_DATA_ERROR";
    case Z_MEM_ERROR:
        return "Z_MEM_ERROR";
    case Z_BUF_ERROR:
        return "Z_BUF_ERROR";
    case Z_VERSION_ERROR:
        return "Z_VERSION_ERROR";
    default:
        return "Z_UNKNOWN_ERROR";
    }
}

/* A decoder error's name as Node reports it: brotli's list entry with its
 * prefix ("_ERROR_FORMAT_PADDING_1"); libbrotli 1.0's own string drops the
 * prefix. */
#define BR_NAME_CASE(PREFIX, NAME, CODE) \
    case CODE:                           \
        return #PREFIX #NAME;
#define BR_NO_SEPARATOR
static const char *brotli_error_name(int code)
{
    switch (code) {
        BROTLI_DECODER_ERROR_CODES_LIST(BR_NAME_CASE, BR_NO_SEPARATOR)
    default:
        return "_ERROR_UNKNOWN";
    }
}

/* The error of the last step, as Node's GetErrorInfo; false when none. */
static bool zs_error(zs_t *s, const step_t *t, zerr_t *e)
{
    e->type = NULL;
    if (s->mode == M_BROTLI_ENCODE) {
        if (s->over_budget) {
            *e = (zerr_t){.type = "RangeError", .message = "Array buffer allocation failed"};
            return true;
        }
        if (s->brotli_result)
            return false;
        *e = (zerr_t){
            .message = "Compression failed", .code = "ERR_BROTLI_COMPRESSION_FAILED", .errnum = -1};
        return true;
    }
    if (s->mode == M_BROTLI_DECODE) {
        if (s->brotli_result == BROTLI_DECODER_RESULT_ERROR) {
            BrotliDecoderErrorCode code = BrotliDecoderGetErrorCode(s->bd);
            e->message = "Decompression failed";
            snprintf(e->buf, sizeof e->buf, "ERR_%s", brotli_error_name((int)code));
            e->code = e->buf;
            e->errnum = (int)code;
            return true;
        }
        if (s->flush == BROTLI_OPERATION_FINISH &&
            s->brotli_result == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT) {
            *e = (zerr_t){
                .message = "unexpected end of file", .code = "Z_BUF_ERROR", .errnum = Z_BUF_ERROR};
            return true;
        }
        return false;
    }
    const char *msg;
    switch (s->err) {
    case Z_OK:
    case Z_BUF_ERROR:
        if (t->out_left != 0 && s->flush == Z_FINISH) {
            msg = "unexpected end of file";
            break;
        }
        return false;
    case Z_STREAM_END:
        return false;
    case Z_NEED_DICT:
        msg = s->dict_len ? "Bad dictionary" : "Missing dictionary";
        break;
    default:
        msg = "Zlib error";
        break;
    }
    e->message = s->z.msg ? s->z.msg : msg;
    e->code = z_code(s->err);
    e->errnum = s->err;
    return true;
}

static void throw_zerr(vm_call_t *c, const zerr_t *e)
{
    vm_throw(c, &(vm_error_t){
                    .type = e->type, .message = e->message, .code = e->code, .errnum = e->errnum});
}

/* The result of a step as JS takes it: [output bytes, input bytes left]. */
static vm_ref_t step_result(vm_t *vm, step_t *t)
{
    size_t have = t->out_len - t->out_left;
    vm_ref_t out = vm_new_bytes_take(vm, t->out, have);
    t->out = NULL;
    vm_val_t items[2] = {VM_REF(out), VM_NUM(t->in_left)};
    vm_ref_t arr = vm_new_array(vm, items, 2);
    vm_ref_free(vm, out);
    return arr;
}

typedef struct {
    uv_work_t work;
    br_rt_t *rt;
    zs_t *s;
    vm_ref_t keep; /* the handle object: alive while the pool works */
    vm_ref_t cb;
    uint8_t *in_copy;
    size_t reserved; /* the output room and the input copy, in the budget */
    step_t t;
} zjob_t;

static void zjob_free(zjob_t *j)
{
    vm_ref_free(j->rt->vm, j->keep);
    vm_ref_free(j->rt->vm, j->cb);
    vm_release(j->rt->vm, j->reserved);
    free(j->in_copy);
    free(j->t.out);
    free(j);
}

static void zjob_work(uv_work_t *w)
{
    zjob_t *j = w->data;
    zs_step(j->s, &j->t, j->s->flush);
}

static void zjob_done(uv_work_t *w, int status)
{
    zjob_t *j = w->data;
    br_rt_t *rt = j->rt;
    zs_t *s = j->s;
    rt->pending_reqs--;
    s->busy = false;
    if (s->orphaned) {
        zs_really_free(s);
        zjob_free(j);
        return;
    }
    if (rt->closing || vm_limit(rt->vm) != VM_LIMIT_NONE) {
        zjob_free(j);
        return;
    }
    zerr_t e;
    vm_ref_t err = 0, res = 0;
    if (status < 0)
        err = vm_new_error(rt->vm, &(vm_error_t){.message = "zlib step cancelled"});
    else if (zs_error(s, &j->t, &e))
        err = vm_new_error(
            rt->vm, &(vm_error_t){
                        .type = e.type, .message = e.message, .code = e.code, .errnum = e.errnum});
    else
        res = step_result(rt->vm, &j->t);
    vm_ref_t cb = j->cb;
    j->cb = 0;
    /* the step is over: its input copy and reservation end before the
     * callback (the output array is counted by the engine from here) */
    vm_release(rt->vm, j->reserved);
    j->reserved = 0;
    free(j->in_copy);
    j->in_copy = NULL;
    free(j->t.out);
    j->t.out = NULL;
    br__complete(rt, cb, err, res);
    zjob_free(j);
}

/* write(handle, flush, input, outLen[, cb]) -> [output, inputLeft]
 * (sync), or cb(err, [output, inputLeft]) from the pool. */
static void c_write(vm_call_t *c)
{
    zs_t *s = vm_arg_handle(c, 0, &zs_type);
    int flush = (int)vm_arg_int(c, 1);
    uint8_t *in;
    size_t in_len;
    double out_len = vm_arg_num(c, 3);
    if (!s || s->busy) {
        vm_throwf(c, "Error", "ERR_INVALID_STATE", "zlib binding closed or busy");
        return;
    }
    if (vm_arg_bytes(c, 2, &in, &in_len) < 0 || in_len > UINT_MAX || !(out_len >= 1) ||
        out_len > UINT_MAX || flush < 0 || flush > Z_TREES) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_VALUE", "bad zlib write arguments");
        return;
    }
    step_t t = {.in = in, .in_len = in_len, .out_len = (size_t)out_len};
    bool async = vm_arg_type(c, 4) == VM_T_FUNCTION;
    size_t reserved = t.out_len + (async ? in_len : 0);
    vm_t *vm = vm_call_vm(c);
    if (!vm_reserve(vm, reserved)) {
        vm_throw_alloc_failed(c);
        return;
    }
    t.out = malloc(t.out_len);
    if (!t.out) {
        vm_release(vm, reserved);
        vm_throwf(c, "RangeError", "ERR_BUFFER_TOO_LARGE", "cannot allocate %zu bytes", t.out_len);
        return;
    }
    if (async) {
        zjob_t *j = calloc(1, sizeof *j);
        uint8_t *copy = malloc(in_len ? in_len : 1);
        if (!j || !copy) {
            free(j);
            free(copy);
            free(t.out);
            vm_release(vm, reserved);
            vm_throwf(c, "RangeError", "ERR_BUFFER_TOO_LARGE", "cannot allocate the step");
            return;
        }
        if (in_len)
            memcpy(copy, in, in_len);
        t.in = copy;
        *j = (zjob_t){.rt = br__rt(c), .s = s, .in_copy = copy, .reserved = reserved, .t = t};
        j->keep = vm_arg_ref(c, 0);
        j->cb = vm_arg_ref(c, 4);
        j->work.data = j;
        s->flush = flush;
        s->busy = true;
        if (uv_queue_work(j->rt->loop, &j->work, zjob_work, zjob_done) == 0) {
            j->rt->pending_reqs++;
            return;
        }
        s->busy = false;
        zjob_free(j);
        vm_throwf(c, "Error", "ERR_INVALID_STATE", "cannot queue the zlib step");
        return;
    }
    zs_step(s, &t, flush);
    zerr_t e;
    if (zs_error(s, &t, &e)) {
        free(t.out);
        vm_release(vm, reserved);
        throw_zerr(c, &e);
        return;
    }
    vm_ref_t r = step_result(vm, &t);
    vm_release(vm, reserved); /* the output array is counted from here */
    vm_ret_ref(c, r);
    vm_ref_free(vm, r);
}

/* reset(handle): back to a fresh stream with the same parameters */
static void c_reset(vm_call_t *c)
{
    zs_t *s = vm_arg_handle(c, 0, &zs_type);
    if (!s || s->busy) {
        vm_throwf(c, "Error", "ERR_INVALID_STATE", "zlib binding closed or busy");
        return;
    }
    int r = Z_OK;
    if (s->mode == M_BROTLI_ENCODE || s->mode == M_BROTLI_DECODE) {
        /* brotli has no reset: a new instance with default parameters */
        if (s->mode == M_BROTLI_ENCODE) {
            if (s->be)
                BrotliEncoderDestroyInstance(s->be);
            s->over_budget = false;
            s->be = BrotliEncoderCreateInstance(enc_alloc, budget_free, s);
            if (enc_drop(s)) {
                vm_throw_alloc_failed(c);
                return;
            }
        } else {
            BrotliDecoderDestroyInstance(s->bd);
            s->bd = BrotliDecoderCreateInstance(budget_alloc, budget_free, s);
        }
        if (!s->be && !s->bd)
            r = Z_MEM_ERROR;
    } else {
        s->gzip_id_read = 0;
        r = is_deflate(s->mode) ? deflateReset(&s->z) : inflateReset(&s->z);
        if (r == Z_OK && s->dict_len && (s->mode == M_DEFLATE || s->mode == M_DEFLATERAW))
            r = deflateSetDictionary(&s->z, s->dict, (uInt)s->dict_len);
        else if (r == Z_OK && s->dict_len && s->mode == M_INFLATERAW)
            r = inflateSetDictionary(&s->z, s->dict, (uInt)s->dict_len);
    }
    if (r != Z_OK)
        vm_throw(
            c, &(vm_error_t){.message = "Failed to reset stream", .code = z_code(r), .errnum = r});
}

/* params(handle, level, strategy): deflate's and raw deflate's (as Node's;
 * other modes ignore it), after JS flushed */
static void c_params(vm_call_t *c)
{
    zs_t *s = vm_arg_handle(c, 0, &zs_type);
    if (!s || s->busy) {
        vm_throwf(c, "Error", "ERR_INVALID_STATE", "zlib binding closed or busy");
        return;
    }
    if (s->mode != M_DEFLATE && s->mode != M_DEFLATERAW)
        return;
    int r = deflateParams(&s->z, (int)vm_arg_int(c, 1), (int)vm_arg_int(c, 2));
    if (r != Z_OK && r != Z_BUF_ERROR)
        vm_throw(c, &(vm_error_t){
                        .message = "Failed to set parameters", .code = z_code(r), .errnum = r});
}

static void c_close(vm_call_t *c)
{
    vm_handle_release(c, 0, &zs_type);
}

/* crc32(bytes, value) -> the CRC-32 of bytes continuing from value */
static void c_crc32(vm_call_t *c)
{
    uint8_t *p;
    size_t len;
    if (vm_arg_bytes(c, 0, &p, &len) < 0) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "crc32 needs bytes");
        return;
    }
    uLong crc = (uLong)vm_arg_num(c, 1);
    while (len) {
        uInt n = len > UINT_MAX ? UINT_MAX : (uInt)len;
        crc = crc32(crc, p, n);
        p += n;
        len -= n;
    }
    vm_ret_num(c, (double)crc);
}

static void c_version(vm_call_t *c)
{
    vm_ret_num(c, ZLIB_VERNUM);
}

/* versions() -> "zlib\0brotli\0": the linked libraries' versions, for
 * process.versions */
static void c_versions(vm_call_t *c)
{
    char buf[64];
    uint32_t b = BrotliDecoderVersion(); /* 0xMMMmmmppp */
    int n = snprintf(buf, sizeof buf, "%s%c%u.%u.%u%c", zlibVersion(), '\0', b >> 24,
                     (b >> 12) & 0xfff, b & 0xfff, '\0');
    vm_ret_str(c, buf, n > 0 && (size_t)n < sizeof buf ? (size_t)n : 0);
}

static const vm_native_t natives[] = {
    {"init", c_init, 6, VM_NATIVE_PURE},         {"initBrotli", c_init_brotli, 2, VM_NATIVE_PURE},
    {"write", c_write, 5, VM_NATIVE_PURE},       {"reset", c_reset, 1, VM_NATIVE_PURE},
    {"params", c_params, 3, VM_NATIVE_PURE},     {"close", c_close, 1, VM_NATIVE_PURE},
    {"crc32", c_crc32, 2, VM_NATIVE_PURE},       {"vernum", c_version, 0, VM_NATIVE_PURE},
    {"versions", c_versions, 0, VM_NATIVE_PURE},
};
const vm_table_t br__zlib_table = {"zlib", natives, sizeof natives / sizeof natives[0]};
