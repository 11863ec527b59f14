/*
 * bridge/crypto_cipher.c — the cipher natives, over OpenSSL 3's libcrypto
 * as Node's crypto binding is: Cipheriv/Decipheriv contexts
 * (EVP_CIPHER_CTX), the cipher and curve lists, getCipherInfo; and the
 * crypto cost caps. Diffie-Hellman, ECDH and primes are in crypto_kex.c.
 *
 * Contexts live in vm handles: JS holds an opaque object and the GC (or a
 * cipher's final) frees the context; each is counted in the budget while
 * it lives. Cipher updates work on the guest's bytes in place (borrowed
 * for the call) and hand JS a buffer they allocated: no other copy.
 *
 * Cost caps: a guest must not pin a CPU inside one native call for longer
 * than its limits allow, so the profile's crypto.max_* keys bound the
 * sizes of prime generation, DH groups generated here, PBKDF2 iterations
 * and scrypt's N (br__crypto_cap; the KDFs in crypto.c ask it too).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>

#include "internal.h"

/* What a cipher context holds natively (OpenSSL's context and the key
 * schedule), with room for the allocator. */
#define CIPHER_STATE_BYTES 2048

/* ---- cost caps ---------------------------------------------------------- */

/* The run's caps, the defaults when it has no policy (no checks). */
static uint64_t cap_of(vm_call_t *c, int which)
{
    br_rt_t *rt = br__rt(c);
    const brk_settings_t *s = rt && rt->policy ? brk_settings(rt->policy) : NULL;
    switch (which) {
    case BR_CAP_SCRYPT_N:
        return s ? s->crypto_max_scrypt_n : BRK_DEFAULT_SCRYPT_N;
    case BR_CAP_PBKDF2_ITERATIONS:
        return s ? s->crypto_max_pbkdf2_iterations : BRK_DEFAULT_PBKDF2_ITERATIONS;
    case BR_CAP_PRIME_BITS:
        return s ? s->crypto_max_prime_bits : BRK_DEFAULT_PRIME_BITS;
    default:
        return 0;
    }
}

static const char *const cap_keys[] = {
    [BR_CAP_SCRYPT_N] = "crypto.max_scrypt_n",
    [BR_CAP_PBKDF2_ITERATIONS] = "crypto.max_pbkdf2_iterations",
    [BR_CAP_PRIME_BITS] = "crypto.max_prime_bits",
};

bool br__crypto_cap(vm_call_t *c, int which, const char *name, double value)
{
    uint64_t max = cap_of(c, which);
    if (!max || value <= (double)max)
        return true;
    vm_throwf(c, "RangeError", "ERR_OUT_OF_RANGE",
              "The value of \"%s\" is out of range. It must be <= %llu (the sandbox profile's "
              "%s). Received %.0f",
              name, (unsigned long long)max, cap_keys[which], value);
    return false;
}

/* cryptoLimits() -> [max scrypt N, max PBKDF2 iterations, max prime bits]
 * (0: no cap), for JS to name the limit in Node's own error shape. */
static void c_limits(vm_call_t *c)
{
    double v[3] = {(double)cap_of(c, BR_CAP_SCRYPT_N), (double)cap_of(c, BR_CAP_PBKDF2_ITERATIONS),
                   (double)cap_of(c, BR_CAP_PRIME_BITS)};
    vm_ret_f64(c, v, 3);
}

/* ---- ciphers ------------------------------------------------------------- */

/* Node's authenticated modes: GCM, CCM, OCB and ChaCha20-Poly1305. */
static bool aead_cipher(const EVP_CIPHER *ci)
{
    switch (EVP_CIPHER_get_mode(ci)) {
    case EVP_CIPH_CCM_MODE:
    case EVP_CIPH_GCM_MODE:
    case EVP_CIPH_OCB_MODE:
        return true;
    case EVP_CIPH_STREAM_CIPHER:
        return EVP_CIPHER_get_nid(ci) == NID_chacha20_poly1305;
    default:
        return false;
    }
}

static bool gcm_tag_len_ok(unsigned n)
{
    return n == 4 || n == 8 || (n >= 12 && n <= 16);
}

enum { TAG_UNKNOWN, TAG_KNOWN, TAG_PASSED };

typedef struct {
    vm_t *vm;
    EVP_CIPHER_CTX *ctx; /* NULL once final */
    bool decrypt;
    bool aead;
    int mode;
    int tag_len; /* -1: not known yet */
    int tag_state;
    uint8_t tag[16];
    int64_t max_message; /* CCM: what the nonce length allows */
    bool pending_auth_failed;
} cipher_t;

static void cipher_free(void *p)
{
    cipher_t *ci = p;
    EVP_CIPHER_CTX_free(ci->ctx);
    vm_release(ci->vm, CIPHER_STATE_BYTES);
    OPENSSL_cleanse(ci->tag, sizeof ci->tag);
    free(ci);
}

static const vm_handle_type_t cipher_type = {"Cipher", cipher_free};

static void throw_invalid_iv(vm_call_t *c)
{
    vm_throwf(c, "TypeError", "ERR_CRYPTO_INVALID_IV", "Invalid initialization vector");
}

/* The authenticated mode's IV and tag lengths, as Node's InitAuthenticated. */
static bool cipher_init_aead(vm_call_t *c, cipher_t *ci, const char *name, int iv_len,
                             int64_t tag_len)
{
    if (!EVP_CIPHER_CTX_ctrl(ci->ctx, EVP_CTRL_AEAD_SET_IVLEN, iv_len, NULL)) {
        ERR_clear_error();
        throw_invalid_iv(c);
        return false;
    }
    if (ci->mode == EVP_CIPH_GCM_MODE) {
        if (tag_len >= 0) {
            if (!gcm_tag_len_ok((unsigned)tag_len)) {
                vm_throwf(c, "TypeError", "ERR_CRYPTO_INVALID_AUTH_TAG",
                          "Invalid authentication tag length: %u", (unsigned)tag_len);
                return false;
            }
            ci->tag_len = (int)tag_len;
        }
        return true;
    }
    if (tag_len < 0) {
        if (EVP_CIPHER_CTX_get_nid(ci->ctx) != NID_chacha20_poly1305) {
            vm_throwf(c, "TypeError", "ERR_CRYPTO_INVALID_AUTH_TAG",
                      "authTagLength required for %s", name);
            return false;
        }
        tag_len = 16;
    }
    if (tag_len > 16 || !EVP_CIPHER_CTX_ctrl(ci->ctx, EVP_CTRL_AEAD_SET_TAG, (int)tag_len, NULL)) {
        ERR_clear_error();
        vm_throwf(c, "TypeError", "ERR_CRYPTO_INVALID_AUTH_TAG",
                  "Invalid authentication tag length: %u", (unsigned)tag_len);
        return false;
    }
    ci->tag_len = (int)tag_len;
    if (ci->mode == EVP_CIPH_CCM_MODE)
        ci->max_message = iv_len == 13 ? 65535 : iv_len == 12 ? 16777215 : INT_MAX;
    return true;
}

/* cipherNew(name, key, iv or null, decrypt, authTagLength or -1) -> handle */
static void c_cipher_new(vm_call_t *c)
{
    char *name = br__ssl_ready() ? vm_arg_str(c, 0, NULL) : NULL;
    const EVP_CIPHER *legacy = name ? EVP_get_cipherbyname(name) : NULL;
    ERR_clear_error();
    if (!legacy) {
        free(name);
        vm_throwf(c, NULL, "ERR_CRYPTO_UNKNOWN_CIPHER", "Unknown cipher");
        return;
    }
    const EVP_CIPHER *type = br__ssl_fetched(legacy, true);
    uint8_t *key, *iv = NULL;
    size_t klen, ivlen = 0;
    if (vm_arg_bytes(c, 1, &key, &klen) < 0 ||
        (vm_arg_type(c, 2) != VM_T_NULL && vm_arg_bytes(c, 2, &iv, &ivlen) < 0) || klen > INT_MAX ||
        ivlen > INT_MAX) {
        free(name);
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "key and iv must be bytes");
        return;
    }
    bool decrypt = vm_arg_bool(c, 3);
    int64_t tag_len = vm_arg_type(c, 4) == VM_T_NUMBER ? vm_arg_int(c, 4) : -1;
    int want_iv = EVP_CIPHER_get_iv_length(type);
    bool aead = aead_cipher(type);
    if ((!ivlen && want_iv != 0) || (!aead && ivlen && (int)ivlen != want_iv) ||
        (EVP_CIPHER_get_nid(type) == NID_chacha20_poly1305 && ivlen > 12)) {
        free(name);
        throw_invalid_iv(c);
        return;
    }
    vm_t *vm = vm_call_vm(c);
    if (!vm_reserve(vm, CIPHER_STATE_BYTES)) {
        free(name);
        vm_throw_alloc_failed(c);
        return;
    }
    cipher_t *ci = calloc(1, sizeof *ci);
    if (ci) {
        ci->vm = vm;
        ci->ctx = EVP_CIPHER_CTX_new();
    }
    if (!ci || !ci->ctx) {
        free(name);
        if (ci)
            cipher_free(ci);
        else
            vm_release(vm, CIPHER_STATE_BYTES);
        vm_throw_alloc_failed(c);
        return;
    }
    ci->decrypt = decrypt;
    ci->aead = aead;
    ci->mode = EVP_CIPHER_get_mode(type);
    ci->tag_len = -1;
    ci->max_message = INT_MAX;
    bool ok = false;
    if (EVP_CipherInit_ex(ci->ctx, type, NULL, NULL, NULL, !decrypt) != 1) {
        br__throw_ssl(c, "Failed to initialize cipher");
    } else {
        if (ci->mode == EVP_CIPH_WRAP_MODE)
            EVP_CIPHER_CTX_set_flags(ci->ctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
        if (aead && !cipher_init_aead(c, ci, name, (int)ivlen, tag_len)) {
            /* thrown */
        } else if (EVP_CIPHER_CTX_set_key_length(ci->ctx, (int)klen) != 1) {
            ERR_clear_error();
            vm_throwf(c, "RangeError", "ERR_CRYPTO_INVALID_KEYLEN", "Invalid key length");
        } else if (EVP_CipherInit_ex(ci->ctx, NULL, NULL, key, iv, !decrypt) != 1) {
            br__throw_ssl(c, "Failed to initialize cipher");
        } else {
            ok = true;
        }
    }
    free(name);
    if (!ok) {
        cipher_free(ci);
        return;
    }
    vm_ret_handle(c, &cipher_type, ci);
}

static bool pass_tag(cipher_t *ci)
{
    if (ci->tag_state != TAG_KNOWN)
        return true;
    if (!EVP_CIPHER_CTX_ctrl(ci->ctx, EVP_CTRL_AEAD_SET_TAG, ci->tag_len, ci->tag))
        return false;
    ci->tag_state = TAG_PASSED;
    return true;
}

static bool ccm_len_ok(vm_call_t *c, cipher_t *ci, int64_t len)
{
    if (len <= ci->max_message)
        return true;
    vm_throwf(c, "RangeError", "ERR_CRYPTO_INVALID_MESSAGELEN", "Invalid message length");
    return false;
}

/* cipherUpdate(handle, bytes) -> bytes. The output is made here and taken
 * by JS as it is (one allocation, no copy); it is reserved in the budget
 * before OpenSSL writes it. */
static void c_cipher_update(vm_call_t *c)
{
    cipher_t *ci = vm_arg_handle(c, 0, &cipher_type);
    uint8_t *in;
    size_t len;
    if (vm_arg_bytes(c, 1, &in, &len) < 0) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "data must be bytes");
        return;
    }
    if (len > INT_MAX - 64) {
        vm_throwf(c, "RangeError", "ERR_OUT_OF_RANGE", "data is too long");
        return;
    }
    /* an empty update still runs (CCM encrypts then), and OpenSSL takes a
     * NULL input as the final call */
    static const uint8_t empty[1];
    if (!len)
        in = (uint8_t *)empty;
    if (!ci || !ci->ctx) {
        vm_throw(c, &(vm_error_t){.message = "Trying to add data in unsupported state"});
        return;
    }
    if (ci->mode == EVP_CIPH_CCM_MODE && !ccm_len_ok(c, ci, (int64_t)len))
        return;
    if (ci->decrypt && ci->aead && !pass_tag(ci)) {
        br__throw_ssl(c, "Trying to add data in unsupported state");
        return;
    }
    /* a block more than the input, but a stream mode (block size 1: GCM,
     * CTR, ChaCha20...) gives exactly the input's length */
    int block = EVP_CIPHER_CTX_get_block_size(ci->ctx);
    int out_len = (int)len + (block > 1 ? block : 0);
    if (!ci->decrypt && ci->mode == EVP_CIPH_WRAP_MODE &&
        EVP_CipherUpdate(ci->ctx, NULL, &out_len, in, (int)len) != 1) {
        br__throw_ssl(c, "Trying to add data in unsupported state");
        return;
    }
    /* written straight into the result's store (no copy of a large update) */
    uint8_t *out = vm_ret_bytes_room(c, (size_t)out_len);
    if (!out)
        return;
    int r = EVP_CipherUpdate(ci->ctx, out, &out_len, in, (int)len);
    if (r != 1 && ci->decrypt && ci->mode == EVP_CIPH_CCM_MODE) {
        /* a wrong CCM tag fails the update: final() reports it */
        ERR_clear_error();
        ci->pending_auth_failed = true;
        r = 1;
        out_len = 0;
    }
    if (r != 1) {
        br__throw_ssl(c, "Trying to add data in unsupported state");
        return;
    }
    vm_ret_bytes_commit(c, (size_t)out_len);
}

/* cipherFinal(handle) -> bytes; the context ends either way. */
static void c_cipher_final(vm_call_t *c)
{
    cipher_t *ci = vm_arg_handle(c, 0, &cipher_type);
    if (!ci || !ci->ctx) {
        vm_throwf(c, NULL, "ERR_CRYPTO_INVALID_STATE", "Invalid state");
        return;
    }
    uint8_t out[64];
    int out_len = 0;
    bool ok;
    if (ci->decrypt && ci->aead)
        pass_tag(ci);
    if (ci->decrypt && ci->aead && ci->tag_state != TAG_PASSED) {
        /* no tag given: nothing is authenticated (Node checks this itself) */
        ok = false;
    } else if (ci->decrypt && ci->mode == EVP_CIPH_CCM_MODE) {
        ok = !ci->pending_auth_failed;
    } else {
        ok = EVP_CipherFinal_ex(ci->ctx, out, &out_len) == 1;
        if (ok && !ci->decrypt && ci->aead) {
            if (ci->tag_len < 0)
                ci->tag_len = 16;
            ok = EVP_CIPHER_CTX_ctrl(ci->ctx, EVP_CTRL_AEAD_GET_TAG, ci->tag_len, ci->tag) == 1;
        }
    }
    EVP_CIPHER_CTX_free(ci->ctx);
    ci->ctx = NULL;
    if (!ok) {
        br__throw_ssl(c, ci->aead ? "Unsupported state or unable to authenticate data"
                                  : "Unsupported state");
        return;
    }
    vm_ret_bytes(c, out, (size_t)out_len);
}

/* cipherSetAutoPadding(handle, on) -> false once final */
static void c_cipher_set_auto_padding(vm_call_t *c)
{
    cipher_t *ci = vm_arg_handle(c, 0, &cipher_type);
    vm_ret_bool(c, ci && ci->ctx && EVP_CIPHER_CTX_set_padding(ci->ctx, vm_arg_bool(c, 1)) == 1);
}

/* cipherSetAAD(handle, bytes, plaintextLength or -1) -> false when the
 * state does not take it */
static void c_cipher_set_aad(vm_call_t *c)
{
    cipher_t *ci = vm_arg_handle(c, 0, &cipher_type);
    uint8_t *aad;
    size_t len;
    int64_t plain = vm_arg_type(c, 2) == VM_T_NUMBER ? vm_arg_int(c, 2) : -1;
    if (vm_arg_bytes(c, 1, &aad, &len) < 0 || len > INT_MAX || !ci || !ci->ctx || !ci->aead) {
        vm_ret_bool(c, false);
        return;
    }
    int outl;
    if (ci->mode == EVP_CIPH_CCM_MODE) {
        if (plain < 0) {
            vm_throwf(c, "TypeError", "ERR_MISSING_ARGS",
                      "options.plaintextLength required for CCM mode with AAD");
            return;
        }
        if (!ccm_len_ok(c, ci, plain))
            return;
        if ((ci->decrypt && !pass_tag(ci)) ||
            EVP_CipherUpdate(ci->ctx, NULL, &outl, NULL, (int)plain) != 1) {
            ERR_clear_error();
            vm_ret_bool(c, false);
            return;
        }
    }
    static const uint8_t empty[1]; /* NULL would set CCM's length instead */
    bool ok = EVP_CipherUpdate(ci->ctx, NULL, &outl, len ? aad : empty, (int)len) == 1;
    ERR_clear_error();
    vm_ret_bool(c, ok);
}

/* cipherGetAuthTag(handle) -> bytes, undefined before final or when
 * decrypting */
static void c_cipher_get_auth_tag(vm_call_t *c)
{
    cipher_t *ci = vm_arg_handle(c, 0, &cipher_type);
    if (!ci || ci->ctx || ci->decrypt || ci->tag_len < 0) {
        vm_ret_undefined(c);
        return;
    }
    vm_ret_bytes(c, ci->tag, (size_t)ci->tag_len);
}

/* cipherSetAuthTag(handle, bytes) -> 0 when the state refuses a tag, 1
 * taken, 2 taken and shorter than 16 bytes for GCM with no authTagLength
 * given (Node's DEP0182 under --pending-deprecation) */
static void c_cipher_set_auth_tag(vm_call_t *c)
{
    cipher_t *ci = vm_arg_handle(c, 0, &cipher_type);
    uint8_t *tag;
    size_t len;
    if (vm_arg_bytes(c, 1, &tag, &len) < 0 || !ci || !ci->ctx || !ci->aead || !ci->decrypt ||
        ci->tag_state != TAG_UNKNOWN) {
        vm_ret_num(c, 0);
        return;
    }
    bool valid = ci->mode == EVP_CIPH_GCM_MODE ? (ci->tag_len < 0 || (size_t)ci->tag_len == len) &&
                                                     gcm_tag_len_ok((unsigned)len)
                                               : (size_t)ci->tag_len == len;
    if (!valid || len > sizeof ci->tag) {
        vm_throwf(c, "TypeError", "ERR_CRYPTO_INVALID_AUTH_TAG",
                  "Invalid authentication tag length: %zu", len);
        return;
    }
    bool short_gcm = ci->mode == EVP_CIPH_GCM_MODE && ci->tag_len < 0 && len != 16;
    ci->tag_len = (int)len;
    ci->tag_state = TAG_KNOWN;
    memcpy(ci->tag, tag, len);
    vm_ret_num(c, short_gcm ? 2 : 1);
}

/* ---- lists and cipher info ------------------------------------------------ */

typedef struct {
    char *p;
    size_t len;
    bool failed;
} list_t;

static void list_add(list_t *l, const char *s)
{
    size_t n = strlen(s);
    if (l->failed || l->len + n + 2 > (1u << 20))
        return;
    char *p = realloc(l->p, l->len + n + 2);
    if (!p) {
        l->failed = true;
        return;
    }
    memcpy(p + l->len, s, n);
    p[l->len + n] = '\n';
    p[l->len + n + 1] = '\0';
    l->p = p;
    l->len += n + 1;
}

static void ret_list(vm_call_t *c, list_t *l)
{
    if (l->failed) {
        free(l->p);
        vm_throw_alloc_failed(c);
        return;
    }
    vm_ret_str(c, l->p ? l->p : "", l->len);
    free(l->p);
}

/* Lists a cipher name when its algorithm can be fetched (OpenSSL also
 * names ciphers only its internals use), as Node's getCiphers does. */
static void add_cipher_name(const EVP_CIPHER *ci, const char *from, const char *to, void *arg)
{
    (void)ci;
    (void)to;
    if (!from)
        return;
    const EVP_CIPHER *real = EVP_get_cipherbyname(from);
    const char *real_name = real ? EVP_CIPHER_get0_name(real) : NULL;
    EVP_CIPHER *f = real_name ? EVP_CIPHER_fetch(NULL, real_name, NULL) : NULL;
    ERR_clear_error();
    if (!f)
        return;
    EVP_CIPHER_free(f);
    list_add(arg, from);
}

static void c_ciphers(vm_call_t *c)
{
    list_t l = {0};
    if (br__ssl_ready())
        EVP_CIPHER_do_all_sorted(add_cipher_name, &l);
    ret_list(c, &l);
}

static void c_curves(vm_call_t *c)
{
    list_t l = {0};
    size_t n = br__ssl_ready() ? EC_get_builtin_curves(NULL, 0) : 0;
    EC_builtin_curve *curves = n ? calloc(n, sizeof *curves) : NULL;
    if (curves && EC_get_builtin_curves(curves, n) == n)
        for (size_t i = 0; i < n; i++)
            list_add(&l, OBJ_nid2sn(curves[i].nid));
    free(curves);
    ret_list(c, &l);
}

/* cipherInfo(nameOrNid, keyLength or undefined, ivLength or undefined) ->
 * "mode\nname\nnid\nblockSize\nivLength\nkeyLength" (mode "" when none,
 * blockSize -1 for a stream cipher), or undefined for an unknown cipher or
 * lengths it does not take. */
static void c_cipher_info(vm_call_t *c)
{
    const EVP_CIPHER *ci = NULL;
    if (!br__ssl_ready()) {
        vm_ret_undefined(c);
        return;
    }
    if (vm_arg_type(c, 0) == VM_T_STRING) {
        char *name = vm_arg_str(c, 0, NULL);
        ci = name ? EVP_get_cipherbyname(name) : NULL;
        free(name);
    } else {
        ci = EVP_get_cipherbynid((int)vm_arg_int(c, 0));
    }
    ERR_clear_error();
    if (!ci) {
        vm_ret_undefined(c);
        return;
    }
    int iv_len = EVP_CIPHER_get_iv_length(ci), key_len = EVP_CIPHER_get_key_length(ci);
    int block = EVP_CIPHER_get_block_size(ci), mode = EVP_CIPHER_get_mode(ci);
    static const struct {
        int mode;
        const char *label;
    } modes[] = {{EVP_CIPH_CCM_MODE, "ccm"},         {EVP_CIPH_CFB_MODE, "cfb"},
                 {EVP_CIPH_CBC_MODE, "cbc"},         {EVP_CIPH_CTR_MODE, "ctr"},
                 {EVP_CIPH_ECB_MODE, "ecb"},         {EVP_CIPH_GCM_MODE, "gcm"},
                 {EVP_CIPH_OCB_MODE, "ocb"},         {EVP_CIPH_OFB_MODE, "ofb"},
                 {EVP_CIPH_STREAM_CIPHER, "stream"}, {EVP_CIPH_WRAP_MODE, "wrap"},
                 {EVP_CIPH_XTS_MODE, "xts"}};
    const char *label = "";
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        if (modes[i].mode == mode)
            label = modes[i].label;
    bool want_key = vm_arg_type(c, 1) == VM_T_NUMBER, want_iv = vm_arg_type(c, 2) == VM_T_NUMBER;
    if (want_key || want_iv) {
        EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
        bool ok = ctx && EVP_CipherInit_ex(ctx, ci, NULL, NULL, NULL, 1) == 1;
        if (ok && want_key) {
            int k = (int)vm_arg_int(c, 1);
            ok = EVP_CIPHER_CTX_set_key_length(ctx, k) == 1;
            key_len = k;
        }
        if (ok && want_iv) {
            int v = (int)vm_arg_int(c, 2);
            if (mode == EVP_CIPH_CCM_MODE)
                ok = v >= 7 && v <= 13;
            else if (mode == EVP_CIPH_GCM_MODE || mode == EVP_CIPH_OCB_MODE)
                ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, v, NULL) == 1;
            else
                ok = v == iv_len;
            iv_len = v;
        }
        EVP_CIPHER_CTX_free(ctx);
        ERR_clear_error();
        if (!ok) {
            vm_ret_undefined(c);
            return;
        }
    }
    char out[256];
    int n = snprintf(out, sizeof out, "%s\n%s\n%d\n%d\n%d\n%d", label,
                     OBJ_nid2sn(EVP_CIPHER_get_nid(ci)), EVP_CIPHER_get_nid(ci),
                     mode == EVP_CIPH_STREAM_CIPHER || !*label ? -1 : block, iv_len, key_len);
    vm_ret_str(c, out, n > 0 && (size_t)n < sizeof out ? (size_t)n : 0);
}

static const vm_native_t natives[] = {
    {"limits", c_limits, 0, VM_NATIVE_PURE},
    {"cipherNew", c_cipher_new, 5, VM_NATIVE_PURE},
    {"cipherUpdate", c_cipher_update, 2, VM_NATIVE_PURE},
    {"cipherFinal", c_cipher_final, 1, VM_NATIVE_PURE},
    {"cipherSetAutoPadding", c_cipher_set_auto_padding, 2, VM_NATIVE_PURE},
    {"cipherSetAAD", c_cipher_set_aad, 3, VM_NATIVE_PURE},
    {"cipherGetAuthTag", c_cipher_get_auth_tag, 1, VM_NATIVE_PURE},
    {"cipherSetAuthTag", c_cipher_set_auth_tag, 2, VM_NATIVE_PURE},
    {"ciphers", c_ciphers, 0, VM_NATIVE_PURE},
    {"curves", c_curves, 0, VM_NATIVE_PURE},
    {"cipherInfo", c_cipher_info, 3, VM_NATIVE_PURE},
};
const vm_table_t br__crypto_cipher_table = {"cryptoCipher", natives,
                                            sizeof natives / sizeof natives[0]};
