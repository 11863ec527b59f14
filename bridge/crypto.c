/*
 * bridge/crypto.c — the crypto natives, over OpenSSL 3's libcrypto (as
 * Node's crypto binding is): random bytes, message digests, HMAC, the key
 * derivations (PBKDF2, scrypt, HKDF) and a constant-time compare.
 *
 * Digest and HMAC contexts live in vm handles (vm_ret_handle): JS holds an
 * opaque object, the GC or a final digest frees the context. The key
 * derivations and async random fills run on libuv's pool when JS passes a
 * callback, on copies of their inputs (the guest may detach or rewrite its
 * buffers meanwhile), and deliver (err, bytes) from the loop.
 *
 * Nothing here touches the file system: OpenSSL is initialised without its
 * configuration file, and only the built-in default provider is used.
 */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include "internal.h"

bool br__ssl_ready(void)
{
    static int ok = -1;
    if (ok < 0)
        ok = OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_ADD_ALL_CIPHERS |
                                     OPENSSL_INIT_ADD_ALL_DIGESTS,
                                 NULL) == 1;
    return ok == 1;
}

/* OpenSSL's error e as Node reports it: the message "error:<hex>:<library>
 * ::<reason>" and the code ERR_OSSL_[<LIB>_]<REASON>, the library prefix for
 * the libraries Node names (so EVP's "not XOF or invalid length" is
 * ERR_OSSL_EVP_NOT_XOF_OR_INVALID_LENGTH, the provider's "wrong final block
 * length" ERR_OSSL_WRONG_FINAL_BLOCK_LENGTH). */
static const struct {
    int lib;
    const char *name;
} ssl_libs[] = {
    {ERR_LIB_SYS, "SYS"},       {ERR_LIB_BN, "BN"},
    {ERR_LIB_RSA, "RSA"},       {ERR_LIB_DH, "DH"},
    {ERR_LIB_EVP, "EVP"},       {ERR_LIB_BUF, "BUF"},
    {ERR_LIB_OBJ, "OBJ"},       {ERR_LIB_PEM, "PEM"},
    {ERR_LIB_DSA, "DSA"},       {ERR_LIB_X509, "X509"},
    {ERR_LIB_ASN1, "ASN1"},     {ERR_LIB_CONF, "CONF"},
    {ERR_LIB_CRYPTO, "CRYPTO"}, {ERR_LIB_EC, "EC"},
    {ERR_LIB_SSL, "SSL"},       {ERR_LIB_BIO, "BIO"},
    {ERR_LIB_PKCS7, "PKCS7"},   {ERR_LIB_X509V3, "X509V3"},
    {ERR_LIB_PKCS12, "PKCS12"}, {ERR_LIB_RAND, "RAND"},
    {ERR_LIB_DSO, "DSO"},       {ERR_LIB_ENGINE, "ENGINE"},
    {ERR_LIB_OCSP, "OCSP"},     {ERR_LIB_UI, "UI"},
    {ERR_LIB_COMP, "COMP"},     {ERR_LIB_ECDSA, "ECDSA"},
    {ERR_LIB_ECDH, "ECDH"},     {ERR_LIB_OSSL_STORE, "OSSL_STORE"},
    {ERR_LIB_FIPS, "FIPS"},     {ERR_LIB_CMS, "CMS"},
    {ERR_LIB_TS, "TS"},         {ERR_LIB_HMAC, "HMAC"},
    {ERR_LIB_CT, "CT"},         {ERR_LIB_ASYNC, "ASYNC"},
    {ERR_LIB_KDF, "KDF"},       {ERR_LIB_SM2, "SM2"},
    {ERR_LIB_USER, "USER"},
};

/* Takes the first queued error (the queue is cleared); false when none. */
bool br__ssl_take(br_ssl_err_t *out)
{
    unsigned long e = ERR_get_error();
    ERR_clear_error();
    if (!e)
        return false;
    ERR_error_string_n(e, out->message, sizeof out->message);
    const char *lib = "", *reason = ERR_reason_error_string(e);
    for (size_t i = 0; i < sizeof ssl_libs / sizeof ssl_libs[0]; i++)
        if (ssl_libs[i].lib == ERR_GET_LIB(e))
            lib = ssl_libs[i].name;
    int n = snprintf(out->code, sizeof out->code, "ERR_OSSL_%s%s", lib, *lib ? "_" : "");
    for (const char *r = reason ? reason : "UNKNOWN"; *r && n + 1 < (int)sizeof out->code; r++)
        out->code[n++] = *r == ' ' ? '_' : (char)(*r >= 'a' && *r <= 'z' ? *r - 32 : *r);
    out->code[n] = '\0';
    return true;
}

/* Throws OpenSSL's last error, or `fallback` when the queue is empty. */
void br__throw_ssl(vm_call_t *c, const char *fallback)
{
    br_ssl_err_t e;
    if (br__ssl_take(&e))
        vm_throw(c, &(vm_error_t){.message = e.message, .code = e.code});
    else
        vm_throw(c, &(vm_error_t){.message = fallback ? fallback : "OpenSSL error"});
}

/* The provider's implementation of a legacy algorithm object (what
 * EVP_get_digestbyname or EVP_get_cipherbyname gives): OpenSSL 3 fetches
 * one at every init given the legacy one (a third of a small createHash's
 * time), so each is fetched once and kept for the run, as Node keeps them.
 * One cache for digests and ciphers, locked: workers' loops share it. */
const void *br__ssl_fetched(const void *legacy, bool cipher)
{
    static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    static struct {
        const void *legacy;
        void *fetched; /* NULL: none (the legacy one is used) */
    } cache[128];
    static size_t n;
    const void *found = NULL;
    pthread_mutex_lock(&mu);
    for (size_t i = 0; i < n && !found; i++)
        if (cache[i].legacy == legacy)
            found = cache[i].fetched ? cache[i].fetched : legacy;
    if (!found) {
        void *f = cipher ? (void *)EVP_CIPHER_fetch(NULL, EVP_CIPHER_get0_name(legacy), NULL)
                         : (void *)EVP_MD_fetch(NULL, EVP_MD_get0_name(legacy), NULL);
        ERR_clear_error();
        if (n < sizeof cache / sizeof cache[0]) {
            cache[n].legacy = legacy;
            cache[n].fetched = f;
            n++;
            found = f ? f : legacy;
        } else {
            if (cipher)
                EVP_CIPHER_free(f);
            else
                EVP_MD_free(f);
            found = legacy;
        }
    }
    pthread_mutex_unlock(&mu);
    return found;
}

/* The digest `name` names (OpenSSL's names and aliases), or NULL. */
const EVP_MD *br__digest_named(vm_call_t *c, int i)
{
    if (!br__ssl_ready())
        return NULL;
    char *name = vm_arg_str(c, i, NULL);
    const EVP_MD *md = name ? EVP_get_digestbyname(name) : NULL;
    free(name);
    ERR_clear_error();
    return md ? br__ssl_fetched(md, false) : NULL;
}

/* digest_named, or NULL after throwing Node's "Invalid digest: <name>". */
const EVP_MD *br__digest_or_throw(vm_call_t *c, int i)
{
    const EVP_MD *md = br__digest_named(c, i);
    if (!md) {
        char *name = vm_arg_str(c, i, NULL);
        vm_throwf(c, "TypeError", "ERR_CRYPTO_INVALID_DIGEST", "Invalid digest: %s",
                  name ? name : "");
        free(name);
    }
    return md;
}

/* Delivers a pool job that ended: its callback *cb gets an error (e when
 * it failed, or "cancelled") or the malloc'd bytes *out (taken). The job is
 * freed first (its copies and reservations end before the callback), and
 * without a call when the runtime is going away. */
void br__ssl_job_done(br_rt_t *rt, vm_ref_t *cb, const br_ssl_err_t *e, bool cancelled,
                      uint8_t **out, size_t len, void (*free_job)(void *), void *job)
{
    rt->pending_reqs--;
    if (rt->closing || vm_limit(rt->vm) != VM_LIMIT_NONE) {
        free_job(job);
        return;
    }
    vm_ref_t err = 0, res = 0;
    if (e || cancelled) {
        err = vm_new_error(rt->vm, &(vm_error_t){.message = e ? e->message : "cancelled",
                                                 .code = e && e->code[0] ? e->code : NULL});
    } else {
        res = vm_new_bytes_take(rt->vm, *out, len);
        *out = NULL;
    }
    vm_ref_t fn = *cb;
    *cb = 0;
    free_job(job);
    br__complete(rt, fn, err, res);
}

/* ---- random ---------------------------------------------------------------- */

static int fill_random(uint8_t *p, size_t len)
{
    if (!br__ssl_ready())
        return -1;
    while (len) {
        int n = len > INT_MAX ? INT_MAX : (int)len;
        if (RAND_bytes(p, n) != 1)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* randomFill(view): fills the whole view (JS narrows it to offset/size). */
static void c_random_fill(vm_call_t *c)
{
    uint8_t *p;
    size_t len;
    if (vm_arg_bytes(c, 0, &p, &len) < 0) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "randomFill needs an ArrayBufferView");
        return;
    }
    if (len && fill_random(p, len) < 0)
        br__throw_ssl(c, NULL);
}

/* timingSafeEqual(a, b): lengths are checked in JS, again here. */
static void c_timing_safe_equal(vm_call_t *c)
{
    uint8_t *a, *b;
    size_t na, nb;
    if (vm_arg_bytes(c, 0, &a, &na) < 0 || vm_arg_bytes(c, 1, &b, &nb) < 0 || na != nb) {
        vm_throwf(c, "RangeError", "ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH",
                  "Input buffers must have the same byte length");
        return;
    }
    vm_ret_bool(c, na == 0 || CRYPTO_memcmp(a, b, na) == 0);
}

/* ---- digests ---------------------------------------------------------------- */

/* What a digest or HMAC context holds natively, counted in the budget while
 * it lives: OpenSSL's context and the algorithm's state (at most ~2 KiB as
 * measured with OpenSSL 3.0: 512 bytes for SHA-3/SHAKE, 1.8 KiB for HMAC
 * over SHA3-512), with room for the allocator's headers. */
#define HASH_STATE_BYTES 1024
#define HMAC_STATE_BYTES 4096

typedef struct {
    vm_t *vm;        /* whose budget counts what it holds */
    EVP_MD_CTX *ctx; /* NULL once finalised */
    size_t out_len;  /* the digest's size, or the XOF length asked */
    uint8_t *md;     /* the digest once computed: later digests answer it */
    size_t reserved; /* in the budget: HASH_STATE_BYTES and md's out_len */
} hash_t;

static void hash_free(void *p)
{
    hash_t *h = p;
    EVP_MD_CTX_free(h->ctx);
    free(h->md);
    vm_release(h->vm, h->reserved);
    free(h);
}

static const vm_handle_type_t hash_type = {"Hash", hash_free};

/* A context for md, or a copy of `from`; NULL with *oom set when the budget
 * cannot take its state, NULL with OpenSSL's error queued otherwise. */
static hash_t *hash_new(vm_t *vm, const EVP_MD *md, const EVP_MD_CTX *from, int64_t xof_len,
                        bool *oom)
{
    *oom = false;
    if (!vm_reserve(vm, HASH_STATE_BYTES)) {
        *oom = true;
        return NULL;
    }
    hash_t *h = calloc(1, sizeof *h);
    if (!h) {
        vm_release(vm, HASH_STATE_BYTES);
        *oom = true;
        return NULL;
    }
    h->vm = vm;
    h->reserved = HASH_STATE_BYTES;
    h->ctx = EVP_MD_CTX_new();
    bool ok = h->ctx && (from ? EVP_MD_CTX_copy_ex(h->ctx, from) == 1
                              : EVP_DigestInit_ex(h->ctx, md, NULL) == 1);
    if (!ok) {
        hash_free(h);
        return NULL;
    }
    if (!md)
        md = EVP_MD_CTX_get0_md(h->ctx);
    h->out_len = (size_t)EVP_MD_get_size(md);
    if (xof_len >= 0) {
        /* Only an extendable-output function may change its length. */
        if (!(EVP_MD_get_flags(md) & EVP_MD_FLAG_XOF) && (size_t)xof_len != h->out_len) {
            ERR_raise(ERR_LIB_EVP, EVP_R_NOT_XOF_OR_INVALID_LENGTH);
            hash_free(h);
            return NULL;
        }
        h->out_len = (size_t)xof_len;
    }
    return h;
}

/* hashNew(algorithm, xofLen or -1) -> handle */
static void c_hash_new(vm_call_t *c)
{
    const EVP_MD *md = br__digest_named(c, 0);
    int64_t xof = vm_arg_type(c, 1) == VM_T_NUMBER ? vm_arg_int(c, 1) : -1;
    bool oom = false;
    hash_t *h = md ? hash_new(vm_call_vm(c), md, NULL, xof, &oom) : NULL;
    if (!h) {
        if (oom)
            vm_throw_alloc_failed(c);
        else if (md)
            br__throw_ssl(c, "Digest method not supported");
        else
            vm_throw(c, &(vm_error_t){.message = "Digest method not supported"});
        return;
    }
    vm_ret_handle(c, &hash_type, h);
}

/* hashCopy(handle, xofLen or -1) -> handle */
static void c_hash_copy(vm_call_t *c)
{
    hash_t *from = vm_arg_handle(c, 0, &hash_type);
    int64_t xof = vm_arg_type(c, 1) == VM_T_NUMBER ? vm_arg_int(c, 1) : -1;
    bool oom = false;
    hash_t *h = from && from->ctx ? hash_new(vm_call_vm(c), NULL, from->ctx, xof, &oom) : NULL;
    if (!h) {
        if (oom)
            vm_throw_alloc_failed(c);
        else if (from && from->ctx)
            br__throw_ssl(c, NULL);
        else
            vm_throw(c, &(vm_error_t){.code = "ERR_CRYPTO_HASH_FINALIZED",
                                      .message = "Digest already called"});
        return;
    }
    vm_ret_handle(c, &hash_type, h);
}

/* The bytes of argument 1 fed to `update` with the context behind argument
 * 0; false when that is not a live context of the type, or not bytes. */
static bool update_with(vm_call_t *c, const vm_handle_type_t *type,
                        int (*update)(void *ctx, const uint8_t *p, size_t len))
{
    void *ctx = vm_arg_handle(c, 0, type);
    uint8_t *p;
    size_t len;
    return ctx && vm_arg_bytes(c, 1, &p, &len) == 0 && update(ctx, p, len) == 1;
}

static int hash_update(void *p, const uint8_t *data, size_t len)
{
    hash_t *h = p;
    return h->ctx ? EVP_DigestUpdate(h->ctx, data, len) : 0;
}

/* hashUpdate(handle, bytes) -> true, false if the context is gone */
static void c_hash_update(vm_call_t *c)
{
    vm_ret_bool(c, update_with(c, &hash_type, hash_update));
}

/* hashDigest(handle) -> bytes. The context is freed and the value kept: a
 * second call answers the same bytes, as Node's binding does (the stream
 * form digests in _flush, and digest() may still be called after). */
static void c_hash_digest(vm_call_t *c)
{
    hash_t *h = vm_arg_handle(c, 0, &hash_type);
    if (!h) {
        vm_throw(c, &(vm_error_t){.code = "ERR_CRYPTO_HASH_FINALIZED",
                                  .message = "Digest already called"});
        return;
    }
    if (!h->md) {
        /* The output lives as long as the hash (a later digest answers it):
         * it is counted until then. Refused, the context stays as it was. */
        if (!vm_reserve(h->vm, h->out_len)) {
            vm_throw_alloc_failed(c);
            return;
        }
        h->reserved += h->out_len;
        uint8_t *out = malloc(h->out_len ? h->out_len : 1);
        int ok = 0;
        if (out) {
            const EVP_MD *md = EVP_MD_CTX_get0_md(h->ctx);
            if (EVP_MD_get_flags(md) & EVP_MD_FLAG_XOF)
                ok = h->out_len == 0 || EVP_DigestFinalXOF(h->ctx, out, h->out_len) == 1;
            else
                ok = EVP_DigestFinal_ex(h->ctx, out, NULL) == 1;
        }
        EVP_MD_CTX_free(h->ctx);
        h->ctx = NULL;
        if (!ok) {
            free(out);
            vm_handle_release(c, 0, &hash_type);
            br__throw_ssl(c, NULL);
            return;
        }
        h->md = out;
    }
    vm_ret_bytes(c, h->md, h->out_len);
}

/* ---- HMAC --------------------------------------------------------------------- */

typedef struct {
    vm_t *vm; /* whose budget counts HMAC_STATE_BYTES for it */
    EVP_MAC_CTX *ctx;
} hmac_t;

static void hmac_free(void *p)
{
    hmac_t *h = p;
    EVP_MAC_CTX_free(h->ctx);
    vm_release(h->vm, HMAC_STATE_BYTES);
    free(h);
}

static const vm_handle_type_t hmac_type = {"Hmac", hmac_free};

/* hmacNew(digest, keyBytes) -> handle */
static void c_hmac_new(vm_call_t *c)
{
    const EVP_MD *md = br__digest_or_throw(c, 0);
    uint8_t *key;
    size_t klen;
    if (!md)
        return;
    if (vm_arg_bytes(c, 1, &key, &klen) < 0) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "hmac key must be bytes");
        return;
    }
    vm_t *vm = vm_call_vm(c);
    if (!vm_reserve(vm, HMAC_STATE_BYTES)) {
        vm_throw_alloc_failed(c);
        return;
    }
    hmac_t *h = calloc(1, sizeof *h);
    EVP_MAC *mac = h ? EVP_MAC_fetch(NULL, "HMAC", NULL) : NULL;
    EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
    EVP_MAC_free(mac);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)EVP_MD_get0_name(md), 0),
        OSSL_PARAM_construct_end(),
    };
    static const uint8_t empty[1];
    if (!ctx || EVP_MAC_init(ctx, klen ? key : empty, klen, params) != 1) {
        EVP_MAC_CTX_free(ctx);
        free(h);
        vm_release(vm, HMAC_STATE_BYTES);
        br__throw_ssl(c, NULL);
        return;
    }
    *h = (hmac_t){.vm = vm, .ctx = ctx};
    vm_ret_handle(c, &hmac_type, h);
}

static int hmac_update(void *p, const uint8_t *data, size_t len)
{
    hmac_t *h = p;
    return EVP_MAC_update(h->ctx, data, len);
}

static void c_hmac_update(vm_call_t *c)
{
    vm_ret_bool(c, update_with(c, &hmac_type, hmac_update));
}

/* hmacDigest(handle) -> bytes (empty once finalised, as Node's) */
static void c_hmac_digest(vm_call_t *c)
{
    hmac_t *h = vm_arg_handle(c, 0, &hmac_type);
    uint8_t out[EVP_MAX_MD_SIZE];
    size_t len = 0;
    if (h && EVP_MAC_final(h->ctx, out, &len, sizeof out) != 1) {
        vm_handle_release(c, 0, &hmac_type);
        br__throw_ssl(c, NULL);
        return;
    }
    vm_handle_release(c, 0, &hmac_type);
    vm_ret_bytes(c, out, len);
}

/* hashes() -> "\0"-separated digest names, as crypto.getHashes() lists them:
 * every name and alias OpenSSL knows whose algorithm the provider has. */
static void add_hash_name(const EVP_MD *md, const char *from, const char *to, void *arg)
{
    char **list = arg;
    if (!*list || !from)
        return;
    /* An alias is listed when its algorithm can be fetched, by its real
     * name (fetching does not take OpenSSL's legacy aliases). */
    const EVP_MD *real = EVP_get_digestbyname(from);
    const char *real_name = real ? EVP_MD_get0_name(real) : NULL;
    EVP_MD *fetched = real_name ? EVP_MD_fetch(NULL, real_name, NULL) : NULL;
    ERR_clear_error();
    if (!fetched)
        return;
    EVP_MD_free(fetched);
    size_t have = strlen(*list), n = strlen(from);
    char *p = realloc(*list, have + n + 2);
    if (!p) {
        free(*list);
        *list = NULL;
        return;
    }
    memcpy(p + have, from, n);
    p[have + n] = '\n';
    p[have + n + 1] = '\0';
    *list = p;
}

static void c_hashes(vm_call_t *c)
{
    char *list = br__ssl_ready() ? calloc(1, 1) : NULL;
    EVP_MD_do_all_sorted(add_hash_name, &list);
    if (!list) {
        br__throw_ssl(c, "out of memory");
        return;
    }
    vm_ret_str(c, list, strlen(list));
    free(list);
}

/* ---- key derivation -------------------------------------------------------- */

enum { KDF_PBKDF2, KDF_SCRYPT, KDF_HKDF, KDF_RANDOM, KDF_DIGEST };

typedef struct {
    uv_work_t work;
    br_rt_t *rt;
    vm_ref_t cb;
    int kind;
    const EVP_MD *md;
    uint8_t *a, *b, *info; /* password/key, salt, HKDF info: copies */
    size_t alen, blen, infolen;
    uint64_t n, r, p, maxmem; /* iterations (n) or scrypt's N, r, p */
    uint8_t *out;
    size_t outlen;
    size_t reserved; /* in the budget: the input copies, the output, scrypt's work area */
    int cb_index;    /* the argument that may hold the callback */
    bool async;      /* it does: the job runs on the pool, on copies it owns */
    bool failed;
    br_ssl_err_t err;
} kdf_job_t;

static void job_free(kdf_job_t *j)
{
    if (j->cb)
        vm_ref_free(j->rt->vm, j->cb);
    if (j->async) {
        OPENSSL_clear_free(j->a, j->alen);
        OPENSSL_clear_free(j->b, j->blen);
        OPENSSL_clear_free(j->info, j->infolen);
    }
    vm_release(j->rt->vm, j->reserved);
    free(j->out);
    free(j);
}

/* HKDF (RFC 5869). OpenSSL's provider refuses an empty key, which HKDF
 * allows: then the extract step is done here (PRK = HMAC(salt, "") with a
 * salt of hash-length zeros when none is given) and only the expand step
 * is asked of OpenSSL, as Node does. */
static bool hkdf_run(kdf_job_t *j)
{
    static uint8_t empty[1];
    const char *digest = EVP_MD_get0_name(j->md);
    uint8_t prk[EVP_MAX_MD_SIZE];
    size_t prk_len = 0;
    const uint8_t *key = j->alen ? j->a : empty;
    size_t key_len = j->alen;
    char *mode = j->alen ? "EXTRACT_AND_EXPAND" : "EXPAND_ONLY";
    if (!j->alen) {
        uint8_t zeros[EVP_MAX_MD_SIZE] = {0};
        const uint8_t *salt = j->blen ? j->b : zeros;
        size_t salt_len = j->blen ? j->blen : (size_t)EVP_MD_get_size(j->md);
        if (!EVP_Q_mac(NULL, "HMAC", NULL, digest, NULL, salt, salt_len, empty, 0, prk, sizeof prk,
                       &prk_len))
            return false;
        key = prk;
        key_len = prk_len;
    }
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *kctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    EVP_KDF_free(kdf);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest, 0),
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MODE, mode, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, key_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, j->blen ? j->b : empty, j->blen),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, j->infolen ? j->info : empty,
                                          j->infolen),
        OSSL_PARAM_construct_end(),
    };
    bool ok = kctx && EVP_KDF_derive(kctx, j->out, j->outlen, params) == 1;
    EVP_KDF_CTX_free(kctx);
    OPENSSL_cleanse(prk, sizeof prk);
    return ok;
}

static void job_run(kdf_job_t *j)
{
    int ok = 0;
    switch (j->kind) {
    case KDF_PBKDF2:
        ok =
            j->outlen > 0 && PKCS5_PBKDF2_HMAC((const char *)j->a, (int)j->alen, j->b, (int)j->blen,
                                               (int)j->n, j->md, (int)j->outlen, j->out);
        break;
    case KDF_SCRYPT:
        ok = EVP_PBE_scrypt((const char *)j->a, j->alen, j->b, j->blen, j->n, j->r, j->p, j->maxmem,
                            j->out, j->outlen);
        break;
    case KDF_HKDF:
        ok = j->outlen > 0 && hkdf_run(j);
        break;
    case KDF_RANDOM:
        ok = fill_random(j->out, j->outlen) == 0;
        break;
    case KDF_DIGEST: {
        unsigned int n = 0;
        ok = EVP_Digest(j->a, j->alen, j->out, &n, j->md, NULL) == 1 && n == j->outlen;
        break;
    }
    default:
        break;
    }
    if (!ok) {
        j->failed = true;
        /* Node 22 names no OpenSSL error for a failed PBKDF2 or HKDF (an
         * empty key among them): one plain message */
        if (j->kind == KDF_PBKDF2 || j->kind == KDF_HKDF) {
            ERR_clear_error();
            memset(&j->err, 0, sizeof j->err);
            snprintf(j->err.message, sizeof j->err.message, "Deriving bits failed");
        } else if (!br__ssl_take(&j->err))
            snprintf(j->err.message, sizeof j->err.message, "%s failed",
                     j->kind == KDF_DIGEST ? "digest" : "key derivation");
    }
}

static void job_work(uv_work_t *w)
{
    job_run(w->data);
}

static void job_free_cb(void *j)
{
    job_free(j);
}

static void job_done(uv_work_t *w, int status)
{
    kdf_job_t *j = w->data;
    br__ssl_job_done(j->rt, &j->cb, status >= 0 && j->failed ? &j->err : NULL, status < 0, &j->out,
                     j->outlen, job_free_cb, j);
}

/* Input i of job j: the guest's bytes, borrowed for a job run inside the
 * call, copied for one on the pool (the guest may detach or rewrite its
 * buffer meanwhile); the copy is counted in the budget while the job lives.
 * NULL with *bad set when it is not bytes, *oom when the budget refused. */
static uint8_t *job_arg(vm_call_t *c, kdf_job_t *j, int i, size_t *len, bool *bad, bool *oom)
{
    uint8_t *p;
    if (vm_arg_bytes(c, i, &p, len) < 0) {
        *bad = true;
        return NULL;
    }
    if (!j->async)
        return p;
    if (!vm_reserve(j->rt->vm, *len)) {
        *oom = true;
        return NULL;
    }
    j->reserved += *len;
    uint8_t *out = malloc(*len ? *len : 1);
    if (!out) {
        *oom = true;
        return NULL;
    }
    if (*len)
        memcpy(out, p, *len);
    return out;
}

/* Runs the job now (returning the bytes) or, with a callback, on the
 * pool. Takes the job. */
static void job_dispatch(vm_call_t *c, kdf_job_t *j)
{
    /* what scrypt allocates (128·r·(N + p + 2) bytes), at most maxmem */
    double work =
        j->kind == KDF_SCRYPT ? 128.0 * (double)j->r * ((double)j->n + (double)j->p + 2) : 0;
    if (work > (double)j->maxmem)
        work = (double)j->maxmem;
    if (!vm_reserve(j->rt->vm, j->outlen + (size_t)work)) {
        job_free(j);
        vm_throw_alloc_failed(c);
        return;
    }
    j->reserved += j->outlen + (size_t)work;
    j->out = malloc(j->outlen ? j->outlen : 1);
    if (!j->out) {
        job_free(j);
        vm_throwf(c, "RangeError", "ERR_OUT_OF_RANGE", "cannot allocate the output");
        return;
    }
    if (j->async) {
        j->cb = vm_arg_ref(c, j->cb_index);
        j->work.data = j;
        if (uv_queue_work(j->rt->loop, &j->work, job_work, job_done) == 0) {
            j->rt->pending_reqs++;
            return;
        }
        vm_ref_free(j->rt->vm, j->cb);
        j->cb = 0;
    }
    job_run(j); /* inline, also when the pool refused it: the copies are the job's */
    if (j->failed) {
        vm_throw(c, &(vm_error_t){.message = j->err.message,
                                  .code = j->err.code[0] ? j->err.code : NULL});
    } else {
        vm_ret_bytes_take(c, j->out, j->outlen);
        j->out = NULL;
    }
    job_free(j);
}

/* A job of kind; asynchronous when argument cb_index is a function. */
static kdf_job_t *job_new(vm_call_t *c, int kind, size_t outlen, int cb_index)
{
    kdf_job_t *j = calloc(1, sizeof *j);
    if (!j) {
        vm_throwf(c, "RangeError", "ERR_OUT_OF_RANGE", "cannot allocate the job");
        return NULL;
    }
    j->kind = kind;
    j->outlen = outlen;
    j->rt = br__rt(c);
    j->cb_index = cb_index;
    j->async = vm_arg_type(c, cb_index) == VM_T_FUNCTION;
    return j;
}

/* The job's inputs a, b and info from arguments ia, ib, iinfo (-1: none);
 * on a bad one the job is freed and `what` thrown. */
static bool job_inputs(vm_call_t *c, kdf_job_t *j, int ia, int ib, int iinfo, const char *what)
{
    bool bad = false, oom = false;
    j->a = job_arg(c, j, ia, &j->alen, &bad, &oom);
    if (!bad && !oom && ib >= 0)
        j->b = job_arg(c, j, ib, &j->blen, &bad, &oom);
    if (!bad && !oom && iinfo >= 0)
        j->info = job_arg(c, j, iinfo, &j->infolen, &bad, &oom);
    if (oom) {
        job_free(j);
        vm_throw_alloc_failed(c);
        return false;
    }
    if (bad || j->alen > INT_MAX || j->blen > INT_MAX) {
        job_free(j);
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "%s", what);
        return false;
    }
    return true;
}

static bool out_len_ok(vm_call_t *c, int i, size_t *out)
{
    double v = vm_arg_num(c, i);
    if (!(v >= 0 && v <= INT_MAX) || v != (double)(int64_t)v) {
        vm_throwf(c, "RangeError", "ERR_OUT_OF_RANGE", "invalid output length");
        return false;
    }
    *out = (size_t)v;
    return true;
}

/* pbkdf2(password, salt, iterations, keylen, digest[, cb]) */
static void c_pbkdf2(vm_call_t *c)
{
    size_t outlen;
    const EVP_MD *md = br__digest_or_throw(c, 4);
    if (!md)
        return;
    double iter = vm_arg_num(c, 2);
    if (!(iter >= 1 && iter <= INT_MAX) || !out_len_ok(c, 3, &outlen)) {
        if (!(iter >= 1 && iter <= INT_MAX))
            vm_throwf(c, "RangeError", "ERR_OUT_OF_RANGE", "invalid iteration count");
        return;
    }
    if (!br__crypto_cap(c, BR_CAP_PBKDF2_ITERATIONS, "iterations", iter))
        return;
    kdf_job_t *j = job_new(c, KDF_PBKDF2, outlen, 5);
    if (!j || !job_inputs(c, j, 0, 1, -1, "key material must be bytes"))
        return;
    j->md = md;
    j->n = (uint64_t)iter;
    job_dispatch(c, j);
}

/* scryptCheck(N, r, p, maxmem) -> "" when OpenSSL accepts the parameters,
 * else its error message, or true when it refused without one. */
static void c_scrypt_check(vm_call_t *c)
{
    uint64_t v[4];
    for (int i = 0; i < 4; i++) {
        double d = vm_arg_num(c, i);
        if (!(d >= 0 && d <= 9007199254740991.0)) {
            vm_ret_bool(c, true);
            return;
        }
        v[i] = (uint64_t)d;
    }
    ERR_clear_error();
    if (br__ssl_ready() && EVP_PBE_scrypt(NULL, 0, NULL, 0, v[0], v[1], v[2], v[3], NULL, 0) == 1) {
        vm_ret_str(c, "", 0);
        return;
    }
    br_ssl_err_t e;
    if (br__ssl_take(&e))
        vm_ret_str(c, e.message, strlen(e.message));
    else
        vm_ret_bool(c, true);
}

/* scrypt(password, salt, keylen, N, r, p, maxmem[, cb]) */
static void c_scrypt(vm_call_t *c)
{
    size_t outlen;
    if (!out_len_ok(c, 2, &outlen) || !br__crypto_cap(c, BR_CAP_SCRYPT_N, "N", vm_arg_num(c, 3)))
        return;
    kdf_job_t *j = job_new(c, KDF_SCRYPT, outlen, 7);
    if (!j || !job_inputs(c, j, 0, 1, -1, "key material must be bytes"))
        return;
    j->n = (uint64_t)vm_arg_num(c, 3);
    j->r = (uint64_t)vm_arg_num(c, 4);
    j->p = (uint64_t)vm_arg_num(c, 5);
    j->maxmem = (uint64_t)vm_arg_num(c, 6);
    job_dispatch(c, j);
}

/* hkdf(digest, key, salt, info, keylen[, cb]) */
static void c_hkdf(vm_call_t *c)
{
    size_t outlen;
    const EVP_MD *md = br__digest_or_throw(c, 0);
    if (!md)
        return;
    if (!out_len_ok(c, 4, &outlen))
        return;
    kdf_job_t *j = job_new(c, KDF_HKDF, outlen, 5);
    if (!j || !job_inputs(c, j, 1, 2, 3, "key material must be bytes"))
        return;
    j->md = md;
    job_dispatch(c, j);
}

/* digestSize(name) -> the digest's output size, -1 when unknown */
static void c_digest_size(vm_call_t *c)
{
    const EVP_MD *md = br__digest_named(c, 0);
    vm_ret_num(c, md ? EVP_MD_get_size(md) : -1);
}

/* randomBytes(size, cb): fresh random bytes from the pool, delivered as
 * (err, Uint8Array); JS copies them into the guest's buffer. */
static void c_random_bytes_async(vm_call_t *c)
{
    size_t outlen;
    if (!out_len_ok(c, 0, &outlen))
        return;
    kdf_job_t *j = job_new(c, KDF_RANDOM, outlen, 1);
    if (j)
        job_dispatch(c, j);
}

/* digest(algorithm, bytes[, cb]) -> bytes: a one-shot digest (crypto.hash,
 * subtle.digest); with a callback, on the pool. */
static void c_digest(vm_call_t *c)
{
    const EVP_MD *md = br__digest_named(c, 0);
    if (!md || (EVP_MD_get_flags(md) & EVP_MD_FLAG_XOF)) {
        vm_throw(c, &(vm_error_t){.message = "Digest method not supported"});
        return;
    }
    kdf_job_t *j = job_new(c, KDF_DIGEST, (size_t)EVP_MD_get_size(md), 2);
    if (!j || !job_inputs(c, j, 1, -1, -1, "digest input must be bytes"))
        return;
    j->md = md;
    job_dispatch(c, j);
}

/* version() -> the linked libcrypto's version ("3.0.19"), for
 * process.versions.openssl */
static void c_version(vm_call_t *c)
{
    const char *v = OpenSSL_version(OPENSSL_VERSION_STRING);
    vm_ret_str(c, v, strlen(v));
}

static const vm_native_t natives[] = {
    {"version", c_version, 0, VM_NATIVE_PURE},
    {"digest", c_digest, 3, VM_NATIVE_PURE},
    {"randomFill", c_random_fill, 1, VM_NATIVE_PURE},
    {"randomBytes", c_random_bytes_async, 2, VM_NATIVE_PURE},
    {"timingSafeEqual", c_timing_safe_equal, 2, VM_NATIVE_PURE},
    {"hashNew", c_hash_new, 2, VM_NATIVE_PURE},
    {"hashCopy", c_hash_copy, 2, VM_NATIVE_PURE},
    {"hashUpdate", c_hash_update, 2, VM_NATIVE_PURE},
    {"hashDigest", c_hash_digest, 1, VM_NATIVE_PURE},
    {"hmacNew", c_hmac_new, 2, VM_NATIVE_PURE},
    {"hmacUpdate", c_hmac_update, 2, VM_NATIVE_PURE},
    {"hmacDigest", c_hmac_digest, 1, VM_NATIVE_PURE},
    {"hashes", c_hashes, 0, VM_NATIVE_PURE},
    {"digestSize", c_digest_size, 1, VM_NATIVE_PURE},
    {"pbkdf2", c_pbkdf2, 6, VM_NATIVE_PURE},
    {"scryptCheck", c_scrypt_check, 4, VM_NATIVE_PURE},
    {"scrypt", c_scrypt, 8, VM_NATIVE_PURE},
    {"hkdf", c_hkdf, 6, VM_NATIVE_PURE},
};
const vm_table_t br__crypto_table = {"crypto", natives, sizeof natives / sizeof natives[0]};
