/*
 * bridge/crypto_kex.c — the key-exchange and prime natives, over OpenSSL
 * 3's libcrypto as Node's crypto binding is: DiffieHellman and
 * DiffieHellmanGroup, ECDH (with convertKey), generatePrime and
 * checkPrime, the slow ones on libuv's pool when JS passes a callback.
 *
 * DiffieHellman and ECDH keep OpenSSL's DH and EC_KEY objects, as Node
 * does: their raw get/set of public and private values has no shorter
 * form in the EVP API, so the deprecated declarations are let through for
 * this file only. Each state lives in a vm handle, counted in the budget.
 * Sizes that cost CPU (a prime to make, a DH prime) are bounded by the
 * profile's crypto.max_prime_bits (br__crypto_cap); a checkPrime candidate
 * by OpenSSL's own limit, as in Node, its copy counted in the budget.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/dh.h>
#include <openssl/ec.h>
#include <openssl/ecdh.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>

#include "internal.h"

/* What a DH or ECDH state holds natively (the numbers, OpenSSL's
 * objects), with room for the allocator. */
#define KEX_STATE_BYTES 4096

/* ---- bignum helpers -------------------------------------------------------- */

/* b as big-endian bytes of its own length (BN_num_bytes), or of `pad`. */
static void ret_bn(vm_call_t *c, const BIGNUM *b, int pad)
{
    int n = pad > 0 ? pad : BN_num_bytes(b);
    uint8_t *out = malloc(n ? (size_t)n : 1);
    if (!out) {
        vm_throw_alloc_failed(c);
        return;
    }
    BN_bn2binpad(b, out, n);
    vm_ret_bytes_take(c, out, (size_t)n);
}

static BIGNUM *arg_bn(vm_call_t *c, int i)
{
    uint8_t *p;
    size_t len;
    if (vm_arg_bytes(c, i, &p, &len) < 0 || len > INT_MAX)
        return NULL;
    return BN_bin2bn(p, (int)len, NULL);
}

/* ---- Diffie-Hellman ---------------------------------------------------------- */

typedef struct {
    vm_t *vm;
    DH *dh;
    int verify_error;
} dh_t;

static void dh_free(void *p)
{
    dh_t *d = p;
    DH_free(d->dh);
    vm_release(d->vm, KEX_STATE_BYTES);
    free(d);
}

static const vm_handle_type_t dh_type = {"DiffieHellman", dh_free};

/* A zeroed state of `size` bytes counted as KEX_STATE_BYTES in the
 * budget, or NULL after throwing the allocation failure. */
static void *kex_state_new(vm_call_t *c, size_t size)
{
    vm_t *vm = vm_call_vm(c);
    if (!vm_reserve(vm, KEX_STATE_BYTES)) {
        vm_throw_alloc_failed(c);
        return NULL;
    }
    void *p = calloc(1, size);
    if (!p) {
        vm_release(vm, KEX_STATE_BYTES);
        vm_throw_alloc_failed(c);
    }
    return p;
}

/* Returns a handle owning dh (freed on failure). */
static void ret_dh_state(vm_call_t *c, DH *dh, int verify_error)
{
    dh_t *d = kex_state_new(c, sizeof *d);
    if (!d) {
        DH_free(dh);
        return;
    }
    *d = (dh_t){.vm = vm_call_vm(c), .dh = dh, .verify_error = verify_error};
    vm_ret_handle(c, &dh_type, d);
}

/* ret_dh_state with DH_check's findings as verifyError. */
static void ret_dh(vm_call_t *c, DH *dh)
{
    int codes = 0;
    if (!DH_check(dh, &codes)) {
        DH_free(dh);
        br__throw_ssl(c, "Initialization failed");
        return;
    }
    ret_dh_state(c, dh, codes);
}

static void throw_dh_reason(vm_call_t *c, int lib, int reason, const char *fallback)
{
    ERR_clear_error();
    ERR_raise(lib, reason);
    br__throw_ssl(c, fallback);
}

/* dhNew(primeLength or prime bytes, generator number or bytes) -> handle */
static void c_dh_new(vm_call_t *c)
{
    if (!br__ssl_ready()) {
        br__throw_ssl(c, "Initialization failed");
        return;
    }
    bool g_num = vm_arg_type(c, 1) == VM_T_NUMBER;
    int64_t g = g_num ? vm_arg_int(c, 1) : 0;
    if (vm_arg_type(c, 0) == VM_T_NUMBER) {
        int64_t bits = vm_arg_int(c, 0);
        if (bits < 2) {
            throw_dh_reason(c, ERR_LIB_DH, DH_R_MODULUS_TOO_SMALL, "Invalid prime length");
            return;
        }
        if (!g_num) {
            vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "Second argument must be an int32");
            return;
        }
        if (g < 2) {
            throw_dh_reason(c, ERR_LIB_DH, DH_R_BAD_GENERATOR, "Invalid generator");
            return;
        }
        if (!br__crypto_cap(c, BR_CAP_PRIME_BITS, "primeLength", (double)bits))
            return;
        DH *dh = DH_new();
        if (!dh || !DH_generate_parameters_ex(dh, (int)bits, (int)g, NULL)) {
            DH_free(dh);
            br__throw_ssl(c, "Initialization failed");
            return;
        }
        ret_dh(c, dh);
        return;
    }
    uint8_t *pp;
    size_t plen;
    if (vm_arg_bytes(c, 0, &pp, &plen) < 0 || plen > INT_MAX) {
        vm_throwf(c, "RangeError", "ERR_OUT_OF_RANGE", "prime is too big");
        return;
    }
    if (g_num && g < 2) {
        throw_dh_reason(c, ERR_LIB_DH, DH_R_BAD_GENERATOR, "Invalid generator");
        return;
    }
    if (!br__crypto_cap(c, BR_CAP_PRIME_BITS, "prime bits", (double)plen * 8))
        return;
    if (plen == 0) { /* Node 22.14's words for an empty prime */
        vm_throwf(c, NULL, "ERR_CRYPTO_INVALID_STATE", "p is null");
        return;
    }
    BIGNUM *bg = NULL;
    if (g_num) {
        bg = BN_new();
        if (bg && !BN_set_word(bg, (BN_ULONG)g)) {
            BN_free(bg);
            bg = NULL;
        }
    } else {
        uint8_t *gp;
        size_t glen;
        if (vm_arg_bytes(c, 1, &gp, &glen) < 0 || glen > INT_MAX) {
            vm_throwf(c, "RangeError", "ERR_OUT_OF_RANGE", "generator is too big");
            return;
        }
        bg = glen ? BN_bin2bn(gp, (int)glen, NULL) : NULL;
        if (!glen || (bg && (BN_is_zero(bg) || BN_is_one(bg)))) {
            BN_free(bg);
            throw_dh_reason(c, ERR_LIB_DH, DH_R_BAD_GENERATOR, "Initialization failed");
            return;
        }
    }
    BIGNUM *bp = BN_bin2bn(pp, (int)plen, NULL);
    DH *dh = DH_new();
    if (!bp || !bg || !dh || !DH_set0_pqg(dh, bp, NULL, bg)) {
        BN_free(bp);
        BN_free(bg);
        DH_free(dh);
        br__throw_ssl(c, "Initialization failed");
        return;
    }
    ret_dh(c, dh);
}

/* dhGroup(name) -> handle: the RFC 2409 and 3526 MODP groups Node names */
static void c_dh_group(vm_call_t *c)
{
    static const struct {
        const char *name;
        BIGNUM *(*prime)(BIGNUM *);
    } groups[] = {
        {"modp1", BN_get_rfc2409_prime_768},   {"modp2", BN_get_rfc2409_prime_1024},
        {"modp5", BN_get_rfc3526_prime_1536},  {"modp14", BN_get_rfc3526_prime_2048},
        {"modp15", BN_get_rfc3526_prime_3072}, {"modp16", BN_get_rfc3526_prime_4096},
        {"modp17", BN_get_rfc3526_prime_6144}, {"modp18", BN_get_rfc3526_prime_8192},
    };
    char *name = br__ssl_ready() ? vm_arg_str(c, 0, NULL) : NULL;
    BIGNUM *(*prime)(BIGNUM *) = NULL;
    for (size_t i = 0; name && i < sizeof groups / sizeof groups[0]; i++)
        if (!strcmp(name, groups[i].name))
            prime = groups[i].prime;
    free(name);
    if (!prime) {
        vm_throwf(c, NULL, "ERR_CRYPTO_UNKNOWN_DH_GROUP", "Unknown DH group");
        return;
    }
    BIGNUM *p = prime(NULL), *g = BN_new();
    DH *dh = DH_new();
    if (!p || !g || !BN_set_word(g, 2) || !dh || !DH_set0_pqg(dh, p, NULL, g)) {
        BN_free(p);
        BN_free(g);
        DH_free(dh);
        vm_throw_alloc_failed(c);
        return;
    }
    ret_dh_state(c, dh, 0); /* well-known safe primes */
}

static dh_t *dh_arg(vm_call_t *c)
{
    dh_t *d = vm_arg_handle(c, 0, &dh_type);
    if (!d)
        vm_throwf(c, "TypeError", "ERR_INVALID_THIS",
                  "Value of \"this\" must be of type DiffieHellman");
    return d;
}

static void c_dh_verify_error(vm_call_t *c)
{
    dh_t *d = dh_arg(c);
    if (d)
        vm_ret_num(c, d->verify_error);
}

/* dhGenerateKeys(handle) -> the public key */
static void c_dh_generate_keys(vm_call_t *c)
{
    dh_t *d = dh_arg(c);
    if (!d)
        return;
    if (!DH_generate_key(d->dh)) {
        br__throw_ssl(c, "Key generation failed");
        return;
    }
    ret_bn(c, DH_get0_pub_key(d->dh), 0);
}

/* dhGet(handle, 0 prime | 1 generator | 2 public | 3 private) -> bytes */
static void c_dh_get(vm_call_t *c)
{
    dh_t *d = dh_arg(c);
    if (!d)
        return;
    const BIGNUM *b;
    const char *missing = NULL;
    switch (vm_arg_int(c, 1)) {
    case 0:
        b = DH_get0_p(d->dh);
        break;
    case 1:
        b = DH_get0_g(d->dh);
        break;
    case 2:
        b = DH_get0_pub_key(d->dh);
        missing = "No public key - did you forget to generate one?";
        break;
    default:
        b = DH_get0_priv_key(d->dh);
        missing = "No private key - did you forget to generate one?";
        break;
    }
    if (!b) {
        vm_throw(c, &(vm_error_t){.code = "ERR_CRYPTO_INVALID_STATE",
                                  .message = missing ? missing : "no value"});
        return;
    }
    ret_bn(c, b, 0);
}

/* dhSet(handle, 2 public | 3 private, bytes) */
static void c_dh_set(vm_call_t *c)
{
    dh_t *d = dh_arg(c);
    if (!d)
        return;
    bool pub = vm_arg_int(c, 1) == 2;
    BIGNUM *b = arg_bn(c, 2);
    if (!b) {
        vm_throw(c, &(vm_error_t){.message = "Failed to convert Buffer to BN"});
        return;
    }
    if (!DH_set0_key(d->dh, pub ? b : NULL, pub ? NULL : b)) {
        BN_free(b);
        vm_throw(c, &(vm_error_t){.message = pub ? "Failed to set public key"
                                                 : "Failed to set private key"});
    }
}

/* dhCompute(handle, bytes) -> the secret, zero-padded to the prime's size */
static void c_dh_compute(vm_call_t *c)
{
    dh_t *d = dh_arg(c);
    if (!d)
        return;
    uint8_t *p;
    size_t len;
    if (vm_arg_bytes(c, 1, &p, &len) < 0 || len > INT_MAX) {
        vm_throwf(c, "RangeError", "ERR_OUT_OF_RANGE", "secret is too big");
        return;
    }
    /* Node 22.14 names a key too small, and any other failed check (one
     * too large among them) as unspecified. */
    BIGNUM *key = BN_bin2bn(p, (int)len, NULL);
    int check = 0;
    bool checked = key && DH_check_pub_key(d->dh, key, &check);
    ERR_clear_error();
    if (checked && (check & DH_CHECK_PUBKEY_TOO_SMALL)) {
        BN_free(key);
        vm_throwf(c, "RangeError", "ERR_CRYPTO_INVALID_KEYLEN", "Supplied key is too small");
        return;
    }
    if (!checked || check) {
        BN_free(key);
        vm_throwf(c, "RangeError", "ERR_CRYPTO_INVALID_KEYTYPE", "Unspecified validation error");
        return;
    }
    int size = DH_size(d->dh);
    uint8_t *out = size > 0 ? malloc((size_t)size) : NULL;
    int n = out ? DH_compute_key(out, key, d->dh) : -1;
    BN_free(key);
    if (n < 0) {
        free(out);
        br__throw_ssl(c, "Failed to compute DH key");
        return;
    }
    if (n < size) { /* left-pad with zeros to the prime's length */
        memmove(out + (size - n), out, (size_t)n);
        memset(out, 0, (size_t)(size - n));
    }
    vm_ret_bytes_take(c, out, (size_t)size);
}

/* ---- ECDH ------------------------------------------------------------------------ */

typedef struct {
    vm_t *vm;
    EC_KEY *key;
} ecdh_t;

static void ecdh_free(void *p)
{
    ecdh_t *e = p;
    EC_KEY_free(e->key);
    vm_release(e->vm, KEX_STATE_BYTES);
    free(e);
}

static const vm_handle_type_t ecdh_type = {"ECDH", ecdh_free};

static void throw_op_failed(vm_call_t *c, const char *message)
{
    ERR_clear_error();
    vm_throwf(c, NULL, "ERR_CRYPTO_OPERATION_FAILED", "%s", message);
}

static int curve_nid(vm_call_t *c, int i)
{
    char *name = br__ssl_ready() ? vm_arg_str(c, i, NULL) : NULL;
    int nid = name ? OBJ_sn2nid(name) : NID_undef;
    free(name);
    if (nid == NID_undef)
        vm_throwf(c, "TypeError", "ERR_CRYPTO_INVALID_CURVE", "Invalid EC curve name");
    return nid;
}

/* ecdhNew(curve) -> handle */
static void c_ecdh_new(vm_call_t *c)
{
    int nid = curve_nid(c, 0);
    if (nid == NID_undef)
        return;
    EC_KEY *key = EC_KEY_new_by_curve_name(nid);
    if (!key) {
        throw_op_failed(c, "Failed to create key using named curve");
        return;
    }
    ecdh_t *e = kex_state_new(c, sizeof *e);
    if (!e) {
        EC_KEY_free(key);
        return;
    }
    *e = (ecdh_t){.vm = vm_call_vm(c), .key = key};
    vm_ret_handle(c, &ecdh_type, e);
}

static ecdh_t *ecdh_arg(vm_call_t *c)
{
    ecdh_t *e = vm_arg_handle(c, 0, &ecdh_type);
    if (!e)
        vm_throwf(c, "TypeError", "ERR_INVALID_THIS", "Value of \"this\" must be of type ECDH");
    return e;
}

static EC_POINT *bytes_to_point(vm_call_t *c, const EC_GROUP *group, int i)
{
    uint8_t *p;
    size_t len;
    if (vm_arg_bytes(c, i, &p, &len) < 0 || len > INT_MAX)
        return NULL;
    EC_POINT *pt = EC_POINT_new(group);
    if (pt && EC_POINT_oct2point(group, pt, p, len, NULL) != 1) {
        EC_POINT_free(pt);
        pt = NULL;
    }
    ERR_clear_error();
    return pt;
}

static void ret_point(vm_call_t *c, const EC_GROUP *group, const EC_POINT *pt, int64_t form)
{
    point_conversion_form_t f = (point_conversion_form_t)form;
    size_t n = EC_POINT_point2oct(group, pt, f, NULL, 0, NULL);
    uint8_t *out = n ? malloc(n) : NULL;
    if (!out || EC_POINT_point2oct(group, pt, f, out, n, NULL) != n) {
        free(out);
        throw_op_failed(c, "Failed to get public key length");
        return;
    }
    vm_ret_bytes_take(c, out, n);
}

static void c_ecdh_generate_keys(vm_call_t *c)
{
    ecdh_t *e = ecdh_arg(c);
    if (e && !EC_KEY_generate_key(e->key))
        throw_op_failed(c, "Failed to generate key");
}

/* ecdhCompute(handle, bytes) -> the secret, or the string
 * "ERR_CRYPTO_ECDH_INVALID_PUBLIC_KEY" for a point not on the curve */
static void c_ecdh_compute(vm_call_t *c)
{
    ecdh_t *e = ecdh_arg(c);
    if (!e)
        return;
    if (EC_KEY_check_key(e->key) != 1) {
        ERR_clear_error();
        vm_throwf(c, "RangeError", "ERR_CRYPTO_INVALID_KEYPAIR", "Invalid key pair");
        return;
    }
    const EC_GROUP *group = EC_KEY_get0_group(e->key);
    EC_POINT *pub = bytes_to_point(c, group, 1);
    if (!pub) {
        static const char code[] = "ERR_CRYPTO_ECDH_INVALID_PUBLIC_KEY";
        vm_ret_str(c, code, sizeof code - 1);
        return;
    }
    size_t n = ((size_t)EC_GROUP_get_degree(group) + 7) / 8;
    uint8_t *out = malloc(n ? n : 1);
    bool ok = out && ECDH_compute_key(out, n, pub, e->key, NULL) > 0;
    EC_POINT_free(pub);
    if (!ok) {
        free(out);
        throw_op_failed(c, "Failed to compute ECDH key");
        return;
    }
    vm_ret_bytes_take(c, out, n);
}

/* ecdhGetPublic(handle, form) -> the point in that form */
static void c_ecdh_get_public(vm_call_t *c)
{
    ecdh_t *e = ecdh_arg(c);
    if (!e)
        return;
    const EC_POINT *pub = EC_KEY_get0_public_key(e->key);
    if (!pub) {
        throw_op_failed(c, "Failed to get ECDH public key");
        return;
    }
    ret_point(c, EC_KEY_get0_group(e->key), pub, vm_arg_int(c, 1));
}

static void c_ecdh_get_private(vm_call_t *c)
{
    ecdh_t *e = ecdh_arg(c);
    if (!e)
        return;
    const BIGNUM *b = EC_KEY_get0_private_key(e->key);
    if (!b) {
        throw_op_failed(c, "Failed to get ECDH private key");
        return;
    }
    ret_bn(c, b, 0);
}

/* ecdhSetPrivate(handle, bytes): the public key follows from it */
static void c_ecdh_set_private(vm_call_t *c)
{
    ecdh_t *e = ecdh_arg(c);
    if (!e)
        return;
    BIGNUM *priv = arg_bn(c, 1);
    if (!priv) {
        throw_op_failed(c, "Failed to convert Buffer to BN");
        return;
    }
    const EC_GROUP *group = EC_KEY_get0_group(e->key);
    BIGNUM *order = BN_new();
    bool valid = order && BN_cmp(priv, BN_value_one()) >= 0 &&
                 EC_GROUP_get_order(group, order, NULL) && BN_cmp(priv, order) < 0;
    BN_free(order);
    if (!valid) {
        BN_clear_free(priv);
        ERR_clear_error();
        vm_throwf(c, "RangeError", "ERR_CRYPTO_INVALID_KEYTYPE",
                  "Private key is not valid for specified curve.");
        return;
    }
    EC_KEY *key = EC_KEY_dup(e->key);
    EC_POINT *pub = EC_POINT_new(group);
    const char *failed = NULL;
    if (!key || !pub || !EC_KEY_set_private_key(key, priv))
        failed = "Failed to convert BN to a private key";
    else if (!EC_POINT_mul(group, pub, priv, NULL, NULL, NULL))
        failed = "Failed to generate ECDH public key";
    else if (!EC_KEY_set_public_key(key, pub))
        failed = "Failed to set generated public key";
    BN_clear_free(priv);
    EC_POINT_free(pub);
    if (failed) {
        EC_KEY_free(key);
        throw_op_failed(c, failed);
        return;
    }
    EC_KEY_free(e->key);
    e->key = key;
}

static void c_ecdh_set_public(vm_call_t *c)
{
    ecdh_t *e = ecdh_arg(c);
    if (!e)
        return;
    EC_POINT *pub = bytes_to_point(c, EC_KEY_get0_group(e->key), 1);
    if (!pub) {
        throw_op_failed(c, "Failed to convert Buffer to EC_POINT");
        return;
    }
    int r = EC_KEY_set_public_key(e->key, pub);
    EC_POINT_free(pub);
    if (!r)
        throw_op_failed(c, "Failed to set EC_POINT as the public key");
}

/* ecdhConvert(bytes, curve, form) -> bytes ("" for empty bytes, as Node) */
static void c_ecdh_convert(vm_call_t *c)
{
    uint8_t *p;
    size_t len;
    if (vm_arg_bytes(c, 0, &p, &len) < 0 || len > INT_MAX) {
        vm_throwf(c, "RangeError", "ERR_OUT_OF_RANGE", "key is too big");
        return;
    }
    if (!len) {
        vm_ret_str(c, "", 0);
        return;
    }
    int nid = curve_nid(c, 1);
    if (nid == NID_undef)
        return;
    EC_GROUP *group = EC_GROUP_new_by_curve_name(nid);
    if (!group) {
        throw_op_failed(c, "Failed to get EC_GROUP");
        return;
    }
    EC_POINT *pt = bytes_to_point(c, group, 0);
    if (!pt)
        throw_op_failed(c, "Failed to convert Buffer to EC_POINT");
    else
        ret_point(c, group, pt, vm_arg_int(c, 2));
    EC_POINT_free(pt);
    EC_GROUP_free(group);
}

/* ---- primes ------------------------------------------------------------------- */

typedef struct {
    uv_work_t work;
    br_rt_t *rt;
    vm_ref_t cb;
    bool check; /* checkPrime, else generatePrime */
    BIGNUM *n;  /* the candidate, or the prime made */
    BIGNUM *add, *rem;
    int bits, checks;
    bool safe;
    int result;       /* checkPrime: 1 prime, 0 not, < 0 failed; generate: 1 ok */
    br_ssl_err_t err; /* OpenSSL's reason when it failed ("" none) */
    size_t reserved;  /* in the budget: the candidate's copy */
} prime_job_t;

static void prime_job_free(prime_job_t *j)
{
    if (j->cb)
        vm_ref_free(j->rt->vm, j->cb);
    BN_clear_free(j->n);
    BN_free(j->add);
    BN_free(j->rem);
    vm_release(j->rt->vm, j->reserved);
    free(j);
}

static void prime_run(prime_job_t *j)
{
    if (j->check) {
        BN_CTX *ctx = BN_CTX_new();
        j->result = ctx ? BN_is_prime_ex(j->n, j->checks, ctx, NULL) : -1;
        BN_CTX_free(ctx);
    } else {
        j->result = BN_generate_prime_ex(j->n, j->bits, j->safe, j->add, j->rem, NULL) ? 1 : -1;
    }
    if (j->result < 0 && br__ssl_take(&j->err))
        return;
    ERR_clear_error();
}

static vm_ref_t prime_error(vm_t *vm, prime_job_t *j)
{
    if (j->err.message[0])
        return vm_new_error(vm, &(vm_error_t){.message = j->err.message, .code = j->err.code});
    return vm_new_error(
        vm, &(vm_error_t){.message = j->check ? "Check prime failed" : "Deriving bits failed"});
}

static void prime_work(uv_work_t *w)
{
    prime_run(w->data);
}

/* The result as JS takes it: checkPrime's a Float64Array [1 or 0], or
 * the prime's bytes. */
static vm_ref_t prime_value(vm_t *vm, prime_job_t *j)
{
    if (j->check) {
        double v = j->result == 1;
        return vm_new_f64(vm, &v, 1);
    }
    size_t n = (size_t)BN_num_bytes(j->n);
    uint8_t *out = malloc(n ? n : 1);
    if (!out)
        return 0;
    BN_bn2binpad(j->n, out, (int)n);
    return vm_new_bytes_take(vm, out, n);
}

static void prime_done(uv_work_t *w, int status)
{
    prime_job_t *j = w->data;
    br_rt_t *rt = j->rt;
    rt->pending_reqs--;
    if (rt->closing || vm_limit(rt->vm) != VM_LIMIT_NONE) {
        prime_job_free(j);
        return;
    }
    vm_ref_t err = 0, res = 0;
    if (status < 0 || j->result < 0 || !(res = prime_value(rt->vm, j)))
        err = prime_error(rt->vm, j);
    vm_ref_t cb = j->cb;
    j->cb = 0;
    prime_job_free(j);
    br__complete(rt, cb, err, res);
}

/* Runs the job now (returning its value) or, given a callback at
 * argument cb_index, on the pool. Takes the job. */
static void prime_dispatch(vm_call_t *c, prime_job_t *j, int cb_index)
{
    if (vm_arg_type(c, cb_index) == VM_T_FUNCTION) {
        j->cb = vm_arg_ref(c, cb_index);
        j->work.data = j;
        if (uv_queue_work(j->rt->loop, &j->work, prime_work, prime_done) == 0) {
            j->rt->pending_reqs++;
            return;
        }
        vm_ref_free(j->rt->vm, j->cb);
        j->cb = 0;
    }
    prime_run(j);
    vm_t *vm = vm_call_vm(c);
    vm_ref_t v = j->result < 0 ? 0 : prime_value(vm, j);
    if (!v) {
        vm_ref_t err = prime_error(vm, j);
        vm_throw_ref(c, err);
        vm_ref_free(vm, err);
    } else {
        vm_ret_ref(c, v);
        vm_ref_free(vm, v);
    }
    prime_job_free(j);
}

static prime_job_t *prime_job_new(vm_call_t *c, bool check)
{
    prime_job_t *j = br__ssl_ready() ? calloc(1, sizeof *j) : NULL;
    if (!j) {
        vm_throw_alloc_failed(c);
        return NULL;
    }
    j->rt = br__rt(c);
    j->check = check;
    return j;
}

/* generatePrime(bits, safe, add bytes or undefined, rem bytes or
 * undefined[, cb]) -> the prime's bytes */
static void c_generate_prime(vm_call_t *c)
{
    int64_t bits = vm_arg_int(c, 0);
    if (bits < 1 || bits > INT_MAX) {
        vm_throwf(c, "RangeError", "ERR_OUT_OF_RANGE", "invalid size");
        return;
    }
    if (!br__crypto_cap(c, BR_CAP_PRIME_BITS, "size", (double)bits))
        return;
    prime_job_t *j = prime_job_new(c, false);
    if (!j)
        return;
    j->bits = (int)bits;
    j->safe = vm_arg_bool(c, 1);
    if (vm_arg_type(c, 2) != VM_T_UNDEFINED && !(j->add = arg_bn(c, 2))) {
        prime_job_free(j);
        throw_op_failed(c, "could not generate prime");
        return;
    }
    if (vm_arg_type(c, 3) != VM_T_UNDEFINED && !(j->rem = arg_bn(c, 3))) {
        prime_job_free(j);
        throw_op_failed(c, "could not generate prime");
        return;
    }
    const char *bad = NULL;
    if (j->add && BN_num_bits(j->add) > j->bits)
        bad = "invalid options.add";
    else if (j->add && j->rem && BN_cmp(j->add, j->rem) != 1)
        bad = "invalid options.rem";
    if (bad) {
        prime_job_free(j);
        vm_throwf(c, "RangeError", "ERR_OUT_OF_RANGE", "%s", bad);
        return;
    }
    if (!(j->n = BN_new())) {
        prime_job_free(j);
        vm_throw_alloc_failed(c);
        return;
    }
    prime_dispatch(c, j, 4);
}

/* checkPrime(bytes, checks[, cb]) -> boolean */
static void c_check_prime(vm_call_t *c)
{
    uint8_t *p;
    size_t len;
    if (vm_arg_bytes(c, 0, &p, &len) < 0 || len > INT_MAX) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "candidate must be bytes");
        return;
    }
    prime_job_t *j = prime_job_new(c, true);
    if (!j)
        return;
    j->checks = (int)vm_arg_int(c, 1);
    /* past OpenSSL's largest number (INT_MAX / 4 bits) it refuses the
     * candidate before copying it: so does this, with its error */
    if ((len + 7) / 8 > INT_MAX / (4 * 64)) {
        prime_job_free(j);
        ERR_raise(ERR_LIB_BN, BN_R_BIGNUM_TOO_LONG);
        br__throw_ssl(c, "Error loading candidate");
        return;
    }
    if (!vm_reserve(j->rt->vm, len)) {
        prime_job_free(j);
        vm_throw_alloc_failed(c);
        return;
    }
    j->reserved = len;
    if (!(j->n = BN_bin2bn(p, (int)len, NULL))) {
        prime_job_free(j);
        br__throw_ssl(c, "Error loading candidate");
        return;
    }
    prime_dispatch(c, j, 2);
}

static const vm_native_t natives[] = {
    {"dhNew", c_dh_new, 2, VM_NATIVE_PURE},
    {"dhGroup", c_dh_group, 1, VM_NATIVE_PURE},
    {"dhVerifyError", c_dh_verify_error, 1, VM_NATIVE_PURE},
    {"dhGenerateKeys", c_dh_generate_keys, 1, VM_NATIVE_PURE},
    {"dhGet", c_dh_get, 2, VM_NATIVE_PURE},
    {"dhSet", c_dh_set, 3, VM_NATIVE_PURE},
    {"dhCompute", c_dh_compute, 2, VM_NATIVE_PURE},
    {"ecdhNew", c_ecdh_new, 1, VM_NATIVE_PURE},
    {"ecdhGenerateKeys", c_ecdh_generate_keys, 1, VM_NATIVE_PURE},
    {"ecdhCompute", c_ecdh_compute, 2, VM_NATIVE_PURE},
    {"ecdhGetPublic", c_ecdh_get_public, 2, VM_NATIVE_PURE},
    {"ecdhGetPrivate", c_ecdh_get_private, 1, VM_NATIVE_PURE},
    {"ecdhSetPrivate", c_ecdh_set_private, 2, VM_NATIVE_PURE},
    {"ecdhSetPublic", c_ecdh_set_public, 2, VM_NATIVE_PURE},
    {"ecdhConvert", c_ecdh_convert, 3, VM_NATIVE_PURE},
    {"generatePrime", c_generate_prime, 5, VM_NATIVE_PURE},
    {"checkPrime", c_check_prime, 3, VM_NATIVE_PURE},
};
const vm_table_t br__crypto_kex_table = {"cryptoKex", natives, sizeof natives / sizeof natives[0]};
