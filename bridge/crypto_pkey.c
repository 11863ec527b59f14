/*
 * bridge/crypto_pkey.c — asymmetric keys over OpenSSL 3's EVP_PKEY: key
 * parsing and export (PEM, DER, JWK components), key pair generation,
 * signatures, RSA encryption, key agreement and X.509 certificates.
 *
 * A key is a vm handle ("KeyObjectHandle") owning one EVP_PKEY: JS holds
 * an opaque object and the key's material never becomes a JS value unless
 * the guest exports it. The handle counts an estimate of what OpenSSL keeps
 * for the key in the budget while it lives. Certificates are handles too.
 *
 * Key pair generation for RSA, DSA and DH can pin a CPU for minutes at a
 * large modulus: the profile key crypto.max_modulus_bits caps it (8192 by
 * default) before any work starts, and the async form runs on libuv's pool.
 * A generated pair crosses from the pool to the loop as an unencrypted
 * PKCS#8 DER buffer that JS parses at once and wipes.
 *
 * Nothing here reads files: OpenSSL is initialised without its configuration
 * (br__ssl_ready), and PEM passphrases come only from the caller.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/ec.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "broker.h"
#include "internal.h"

/* What OpenSSL holds for a key besides its numbers, and per modulus byte
 * (RSA keeps n, d, p, q, the CRT values and Montgomery contexts). */
#define PKEY_BASE_BYTES 4096
#define PKEY_PER_BYTE 16
#define X509_BYTES 8192

typedef struct {
    vm_t *vm;
    EVP_PKEY *pkey;
    bool priv; /* a private key (else only the public half is used) */
    size_t reserved;
} pkey_t;

static void pkey_free(void *p)
{
    pkey_t *k = p;
    EVP_PKEY_free(k->pkey);
    vm_release(k->vm, k->reserved);
    free(k);
}

static const vm_handle_type_t pkey_type = {"KeyObjectHandle", pkey_free};

/* Returns a handle taking pkey (freed on failure, with the budget's error
 * thrown). */
static void ret_pkey(vm_call_t *c, EVP_PKEY *pkey, bool priv)
{
    vm_t *vm = vm_call_vm(c);
    int bits = EVP_PKEY_get_bits(pkey);
    size_t need = PKEY_BASE_BYTES + (bits > 0 ? (size_t)bits / 8 * PKEY_PER_BYTE : 0);
    if (!vm_reserve(vm, need)) {
        EVP_PKEY_free(pkey);
        vm_throw_alloc_failed(c);
        return;
    }
    pkey_t *k = calloc(1, sizeof *k);
    if (!k) {
        vm_release(vm, need);
        EVP_PKEY_free(pkey);
        vm_throw_alloc_failed(c);
        return;
    }
    *k = (pkey_t){.vm = vm, .pkey = pkey, .priv = priv, .reserved = need};
    vm_ret_handle(c, &pkey_type, k);
}

static pkey_t *arg_pkey(vm_call_t *c, int i)
{
    pkey_t *k = vm_arg_handle(c, i, &pkey_type);
    if (!k)
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "not a key handle");
    return k;
}

/* A string argument copied (NULL when not a string). */
static char *arg_str(vm_call_t *c, int i)
{
    return vm_arg_type(c, i) == VM_T_STRING ? vm_arg_str(c, i, NULL) : NULL;
}

static void throw_msg(vm_call_t *c, const char *type, const char *code, const char *msg)
{
    vm_throw(c, &(vm_error_t){.type = type, .code = code, .message = msg});
}

/* A read-only BIO over len bytes (an empty view may have no pointer,
 * which OpenSSL refuses). len is at most INT_MAX. */
static BIO *mem_bio(const uint8_t *data, size_t len)
{
    static const uint8_t none[1];
    return BIO_new_mem_buf(len ? data : none, (int)len);
}

/* ---- parsing -------------------------------------------------------------- */

typedef struct {
    const uint8_t *p;
    size_t len;
    bool given;
    bool needed; /* the key was encrypted and no passphrase was given */
} pass_t;

static int pass_cb(char *buf, int size, int rwflag, void *u)
{
    pass_t *ps = u;
    if (!ps->given) {
        ps->needed = true;
        return -1;
    }
    if (ps->len > (size_t)size)
        return -1;
    memcpy(buf, ps->p, ps->len);
    return (int)ps->len;
}

/* The DER inside PEM block `name` of data, or NULL (errors dropped). */
static bool pem_block(const uint8_t *data, size_t len, const char *name, uint8_t **der,
                      long *der_len)
{
    BIO *b = mem_bio(data, len);
    char *nm = NULL, *hdr = NULL;
    bool ok = false;
    ERR_set_mark();
    while (b && PEM_read_bio(b, &nm, &hdr, der, der_len) == 1) {
        ok = !strcmp(nm, name);
        OPENSSL_free(nm);
        OPENSSL_free(hdr);
        if (ok)
            break;
        OPENSSL_free(*der);
        *der = NULL;
    }
    ERR_pop_to_mark();
    BIO_free(b);
    return ok;
}

static EVP_PKEY *public_pem(const uint8_t *data, size_t len, bool *found)
{
    uint8_t *der = NULL;
    long n = 0;
    EVP_PKEY *pkey = NULL;
    *found = true;
    if (pem_block(data, len, "PUBLIC KEY", &der, &n)) {
        const uint8_t *p = der;
        pkey = d2i_PUBKEY(NULL, &p, n);
    } else if (pem_block(data, len, "RSA PUBLIC KEY", &der, &n)) {
        const uint8_t *p = der;
        pkey = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, n);
    } else if (pem_block(data, len, "CERTIFICATE", &der, &n)) {
        const uint8_t *p = der;
        X509 *x = d2i_X509(NULL, &p, n);
        pkey = x ? X509_get_pubkey(x) : NULL;
        X509_free(x);
    } else {
        *found = false;
    }
    OPENSSL_free(der);
    return pkey;
}

/* Whether DER is a SEQUENCE whose first element is an INTEGER and which
 * has at least `min` elements (an RSAPrivateKey has 9, a public one 2). */
static bool der_seq_ints(const uint8_t *p, size_t len, int min)
{
    long n;
    int tag, cls;
    const uint8_t *q = p;
    if (len > LONG_MAX || ASN1_get_object(&q, &n, &tag, &cls, (long)len) & 0x80 ||
        tag != V_ASN1_SEQUENCE)
        return false;
    const uint8_t *end = q + n;
    int count = 0;
    while (q < end) {
        long m;
        const uint8_t *start = q;
        if (ASN1_get_object(&q, &m, &tag, &cls, end - q) & 0x80)
            return false;
        if (count == 0 && tag != V_ASN1_INTEGER)
            return false;
        q += m;
        (void)start;
        count++;
    }
    return count >= min;
}

static bool is_encrypted_pkcs8(const uint8_t *p, size_t len)
{
    const uint8_t *q = p;
    X509_SIG *s = d2i_X509_SIG(NULL, &q, (long)len);
    ERR_clear_error();
    X509_SIG_free(s);
    return s != NULL;
}

static EVP_PKEY *private_der(const uint8_t *data, size_t len, const char *type, pass_t *ps)
{
    const uint8_t *p = data;
    if (!strcmp(type, "pkcs1"))
        return d2i_PrivateKey(EVP_PKEY_RSA, NULL, &p, (long)len);
    if (!strcmp(type, "sec1"))
        return d2i_PrivateKey(EVP_PKEY_EC, NULL, &p, (long)len);
    if (is_encrypted_pkcs8(data, len)) {
        BIO *b = mem_bio(data, len);
        EVP_PKEY *pkey = b ? d2i_PKCS8PrivateKey_bio(b, NULL, pass_cb, ps) : NULL;
        BIO_free(b);
        return pkey;
    }
    BIO *b = mem_bio(data, len);
    PKCS8_PRIV_KEY_INFO *info = b ? d2i_PKCS8_PRIV_KEY_INFO_bio(b, NULL) : NULL;
    BIO_free(b);
    EVP_PKEY *pkey = info ? EVP_PKCS82PKEY(info) : NULL;
    PKCS8_PRIV_KEY_INFO_free(info);
    return pkey;
}

/* parse(data, format, type, passphrase, wantPublic) -> [handle, isPrivate]
 * as two calls: the handle; kind(handle) tells which. format 'pem' or
 * 'der'; type for DER: pkcs1, spki, pkcs8, sec1. wantPublic: a public key
 * is made (from a public key, a certificate, or a private key's public
 * half); else a private key. */
static void c_parse(vm_call_t *c)
{
    uint8_t *data;
    size_t len;
    if (!br__ssl_ready() || vm_arg_bytes(c, 0, &data, &len) < 0 || len > INT_MAX) {
        throw_msg(c, "TypeError", "ERR_INVALID_ARG_TYPE", "key data must be bytes");
        return;
    }
    if (!len)
        data = (uint8_t *)"";
    char *format = arg_str(c, 1), *type = arg_str(c, 2);
    pass_t ps = {0};
    if (vm_arg_bytes(c, 3, (uint8_t **)&ps.p, &ps.len) == 0)
        ps.given = true;
    bool want_public = vm_arg_bool(c, 4);
    bool pem = format && !strcmp(format, "pem");
    EVP_PKEY *pkey = NULL;
    bool priv = false;
    ERR_clear_error();
    if (want_public) {
        bool found = false;
        if (pem) {
            pkey = public_pem(data, len, &found);
        } else if (type && !strcmp(type, "spki")) {
            const uint8_t *p = data;
            pkey = d2i_PUBKEY(NULL, &p, (long)len);
            found = true;
        } else if (type && !strcmp(type, "pkcs1") && !der_seq_ints(data, len, 9)) {
            const uint8_t *p = data;
            pkey = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)len);
            found = true;
        }
        if (found && !pkey) {
            /* Node names no OpenSSL error here (its parse pops them) */
            free(format);
            free(type);
            ERR_clear_error();
            throw_msg(c, "Error", NULL, "Failed to read asymmetric key");
            return;
        }
    }
    if (!pkey) {
        ERR_clear_error();
        if (pem) {
            BIO *b = mem_bio(data, len);
            pkey = b ? PEM_read_bio_PrivateKey(b, NULL, pass_cb, &ps) : NULL;
            BIO_free(b);
        } else {
            pkey = private_der(data, len, type ? type : "", &ps);
        }
        priv = pkey != NULL;
    }
    free(format);
    free(type);
    if (!pkey) {
        unsigned long e = ERR_peek_error();
        if (ps.needed && pem) {
            /* OpenSSL 3's PEM reader queues "interrupted or cancelled"
             * after the refused passphrase: Node reports that one */
            ERR_clear_error();
            ERR_raise(ERR_LIB_CRYPTO, ERR_R_INTERRUPTED_OR_CANCELLED);
            br__throw_ssl(c, NULL);
        } else if (ps.needed && ERR_GET_LIB(e) == ERR_LIB_PEM &&
                   ERR_GET_REASON(e) == PEM_R_BAD_PASSWORD_READ) {
            ERR_clear_error();
            throw_msg(c, "TypeError", "ERR_MISSING_PASSPHRASE",
                      "Passphrase required for encrypted key");
        } else {
            br__throw_ssl(c, want_public ? "Failed to read asymmetric key"
                                         : "Failed to read private key");
        }
        return;
    }
    ERR_clear_error();
    ret_pkey(c, pkey, priv && !want_public);
}

/* kind(handle) -> 'private' | 'public' */
static void c_kind(vm_call_t *c)
{
    pkey_t *k = arg_pkey(c, 0);
    if (k)
        vm_ret_str(c, k->priv ? "private" : "public", k->priv ? 7 : 6);
}

/* toPublic(handle) -> a handle for the same key used as public */
static void c_to_public(vm_call_t *c)
{
    pkey_t *k = arg_pkey(c, 0);
    if (!k)
        return;
    if (!EVP_PKEY_up_ref(k->pkey)) {
        br__throw_ssl(c, NULL);
        return;
    }
    ret_pkey(c, k->pkey, false);
}

/* ---- export --------------------------------------------------------------- */

static void ret_bio(vm_call_t *c, BIO *b)
{
    char *p;
    long n = BIO_get_mem_data(b, &p);
    vm_ret_bytes(c, (const uint8_t *)p, n > 0 ? (size_t)n : 0);
}

/* export(handle, public, format, type, cipher, passphrase) -> bytes */
static void c_export(vm_call_t *c)
{
    pkey_t *k = arg_pkey(c, 0);
    if (!k)
        return;
    bool pub = vm_arg_bool(c, 1) || !k->priv;
    char *format = arg_str(c, 2), *type = arg_str(c, 3), *cipher_name = arg_str(c, 4);
    uint8_t *pass = NULL;
    size_t pass_len = 0;
    bool has_pass = vm_arg_bytes(c, 5, &pass, &pass_len) == 0;
    bool pem = format && !strcmp(format, "pem");
    const char *structure = "SubjectPublicKeyInfo";
    if (type && (!strcmp(type, "pkcs1") || !strcmp(type, "sec1")))
        structure = "type-specific";
    else if (!pub)
        structure = "PrivateKeyInfo";
    if (type && !strcmp(type, "pkcs1") && EVP_PKEY_get_base_id(k->pkey) != EVP_PKEY_RSA) {
        throw_msg(c, "Error", "ERR_CRYPTO_INCOMPATIBLE_KEY_OPTIONS",
                  "The selected key encoding pkcs1 can only be used for RSA keys.");
        goto out;
    }
    if (type && !strcmp(type, "sec1") && EVP_PKEY_get_base_id(k->pkey) != EVP_PKEY_EC) {
        throw_msg(c, "Error", "ERR_CRYPTO_INCOMPATIBLE_KEY_OPTIONS",
                  "The selected key encoding sec1 can only be used for EC keys.");
        goto out;
    }
    const EVP_CIPHER *cipher = NULL;
    if (cipher_name) {
        cipher = EVP_get_cipherbyname(cipher_name);
        if (!cipher) {
            throw_msg(c, "Error", "ERR_CRYPTO_UNKNOWN_CIPHER", "Unknown cipher");
            goto out;
        }
    }
    if (cipher && !pub) {
        /* encrypted: OpenSSL's PEM and PKCS#8 writers, as Node's */
        static char empty[1];
        char *kstr = has_pass && pass_len ? (char *)pass : empty;
        int klen = has_pass ? (int)pass_len : 0;
        BIO *eb = BIO_new(BIO_s_mem());
        int done = 0;
        ERR_clear_error();
        if (eb && !strcmp(structure, "PrivateKeyInfo"))
            done = pem ? PEM_write_bio_PKCS8PrivateKey(eb, k->pkey, cipher, kstr, klen, NULL, NULL)
                       : i2d_PKCS8PrivateKey_bio(eb, k->pkey, cipher, kstr, klen, NULL, NULL);
        else if (eb)
            done = PEM_write_bio_PrivateKey_traditional(eb, k->pkey, cipher, (unsigned char *)kstr,
                                                        klen, NULL, NULL);
        if (done == 1)
            ret_bio(c, eb);
        else
            br__throw_ssl(c, "Failed to encode key");
        BIO_free(eb);
        goto out;
    }
    if (!strcmp(structure, "SubjectPublicKeyInfo")) {
        /* OpenSSL's PUBKEY writers, as Node's: they keep an EC point's
         * form (a key imported compressed exports compressed) */
        BIO *pb = BIO_new(BIO_s_mem());
        ERR_clear_error();
        if (pb && (pem ? PEM_write_bio_PUBKEY(pb, k->pkey) : i2d_PUBKEY_bio(pb, k->pkey)) == 1)
            ret_bio(c, pb);
        else
            br__throw_ssl(c, "Failed to encode key");
        BIO_free(pb);
        goto out;
    }
    int selection =
        pub ? EVP_PKEY_PUBLIC_KEY | OSSL_KEYMGMT_SELECT_ALL_PARAMETERS : OSSL_KEYMGMT_SELECT_ALL;
    ERR_clear_error();
    OSSL_ENCODER_CTX *e =
        OSSL_ENCODER_CTX_new_for_pkey(k->pkey, selection, pem ? "PEM" : "DER", structure, NULL);
    BIO *b = BIO_new(BIO_s_mem());
    bool ok = e && b && OSSL_ENCODER_CTX_get_num_encoders(e) > 0;
    ok = ok && OSSL_ENCODER_to_bio(e, b) == 1;
    if (ok)
        ret_bio(c, b);
    else
        br__throw_ssl(c, "Failed to encode key");
    BIO_free(b);
    OSSL_ENCODER_CTX_free(e);
out:
    free(format);
    free(type);
    free(cipher_name);
}

/* ---- JWK and details ------------------------------------------------------- */

typedef struct {
    char *buf;
    size_t len, cap;
    bool oom;
} sbuf_t;

__attribute__((format(printf, 2, 3))) static void sb_add(sbuf_t *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || s->oom)
        return;
    if (s->len + (size_t)n + 1 > s->cap) {
        size_t cap = (s->len + (size_t)n + 1) * 2;
        char *p = realloc(s->buf, cap);
        if (!p) {
            s->oom = true;
            return;
        }
        s->buf = p;
        s->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(s->buf + s->len, s->cap - s->len, fmt, ap);
    va_end(ap);
    s->len += (size_t)n;
}

static void sb_hex(sbuf_t *s, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sb_add(s, "%02x", p[i]);
}

static void ret_sb(vm_call_t *c, sbuf_t *s)
{
    if (s->oom)
        vm_throw_alloc_failed(c);
    else
        vm_ret_str(c, s->buf ? s->buf : "", s->len);
    free(s->buf);
}

/* name=hex of a big number parameter, left-padded to pad bytes (0: none). */
static bool add_bn(sbuf_t *s, EVP_PKEY *pkey, const char *jname, const char *param, int pad)
{
    BIGNUM *bn = NULL;
    if (EVP_PKEY_get_bn_param(pkey, param, &bn) != 1) {
        ERR_clear_error();
        return false;
    }
    int n = pad ? pad : BN_num_bytes(bn);
    uint8_t *buf = malloc(n ? (size_t)n : 1);
    if (buf && BN_bn2binpad(bn, buf, n) == n) {
        sb_add(s, "%s=", jname);
        sb_hex(s, buf, (size_t)n);
        sb_add(s, "\n");
    }
    free(buf);
    BN_clear_free(bn);
    return true;
}

static const char *key_type_name(EVP_PKEY *pkey)
{
    switch (EVP_PKEY_get_base_id(pkey)) {
    case EVP_PKEY_RSA:
        return "rsa";
    case EVP_PKEY_RSA_PSS:
        return "rsa-pss";
    case EVP_PKEY_DSA:
        return "dsa";
    case EVP_PKEY_DH:
        return "dh";
    case EVP_PKEY_EC:
        return "ec";
    case EVP_PKEY_ED25519:
        return "ed25519";
    case EVP_PKEY_ED448:
        return "ed448";
    case EVP_PKEY_X25519:
        return "x25519";
    case EVP_PKEY_X448:
        return "x448";
    default:
        return "";
    }
}

/* Node's digest names in details: OpenSSL's long names ("sha256"); a
 * parameter OpenSSL leaves out is its default, SHA-1. */
static void add_md(sbuf_t *s, EVP_PKEY *pkey, const char *jname, const char *param)
{
    char name[64];
    if (EVP_PKEY_get_utf8_string_param(pkey, param, name, sizeof name, NULL) != 1) {
        ERR_clear_error();
        snprintf(name, sizeof name, "SHA1");
    }
    const EVP_MD *md = EVP_get_digestbyname(name);
    const char *ln = md ? OBJ_nid2ln(EVP_MD_get_type(md)) : NULL;
    sb_add(s, "%s=%s\n", jname, ln ? ln : name);
}

/* Whether an RSA-PSS key carries parameters (restrictions): its
 * SubjectPublicKeyInfo's algorithm has them. */
static bool pss_restricted(EVP_PKEY *pkey)
{
    uint8_t *der = NULL;
    int n = i2d_PUBKEY(pkey, &der);
    const uint8_t *p = der;
    X509_PUBKEY *xpk = n > 0 ? d2i_X509_PUBKEY(NULL, &p, n) : NULL;
    X509_ALGOR *alg = NULL;
    int ptype = V_ASN1_UNDEF;
    if (xpk && X509_PUBKEY_get0_param(NULL, NULL, NULL, &alg, xpk) == 1 && alg)
        X509_ALGOR_get0(NULL, &ptype, NULL, alg);
    X509_PUBKEY_free(xpk);
    OPENSSL_free(der);
    ERR_clear_error();
    return ptype == V_ASN1_SEQUENCE;
}

/* details(handle) -> "type=...\nkey=value\n..." with big numbers in hex */
static void c_details(vm_call_t *c)
{
    pkey_t *k = arg_pkey(c, 0);
    if (!k)
        return;
    EVP_PKEY *pkey = k->pkey;
    sbuf_t s = {0};
    sb_add(&s, "type=%s\n", key_type_name(pkey));
    switch (EVP_PKEY_get_base_id(pkey)) {
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS: {
        sb_add(&s, "modulusLength=%d\n", EVP_PKEY_get_bits(pkey));
        add_bn(&s, pkey, "publicExponent", OSSL_PKEY_PARAM_RSA_E, 0);
        if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA_PSS && pss_restricted(pkey)) {
            /* OpenSSL leaves out the parameters that are RFC 8017's
             * defaults: SHA-1, MGF1 with SHA-1, a 20-byte salt */
            int salt = 20;
            add_md(&s, pkey, "hashAlgorithm", OSSL_PKEY_PARAM_RSA_DIGEST);
            add_md(&s, pkey, "mgf1HashAlgorithm", OSSL_PKEY_PARAM_RSA_MGF1_DIGEST);
            EVP_PKEY_get_int_param(pkey, OSSL_PKEY_PARAM_RSA_PSS_SALTLEN, &salt);
            sb_add(&s, "saltLength=%d\n", salt);
        }
        ERR_clear_error();
        break;
    }
    case EVP_PKEY_DSA: {
        sb_add(&s, "modulusLength=%d\n", EVP_PKEY_get_bits(pkey));
        BIGNUM *q = NULL;
        if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_FFC_Q, &q) == 1)
            sb_add(&s, "divisorLength=%d\n", BN_num_bits(q));
        BN_free(q);
        break;
    }
    case EVP_PKEY_EC: {
        char name[80];
        if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name,
                                           NULL) == 1) {
            int nid = OBJ_txt2nid(name);
            const char *sn = nid != NID_undef ? OBJ_nid2sn(nid) : name;
            sb_add(&s, "namedCurve=%s\n", sn);
        }
        break;
    }
    case EVP_PKEY_DH:
        sb_add(&s, "modulusLength=%d\n", EVP_PKEY_get_bits(pkey));
        break;
    default:
        break;
    }
    ERR_clear_error();
    ret_sb(c, &s);
}

/* The JWK curve name of an EC key, or NULL. */
static const char *jwk_curve(EVP_PKEY *pkey, char *name, size_t size)
{
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, name, size, NULL) != 1)
        return NULL;
    int nid = OBJ_txt2nid(name);
    switch (nid) {
    case NID_X9_62_prime256v1:
        return "P-256";
    case NID_secp384r1:
        return "P-384";
    case NID_secp521r1:
        return "P-521";
    case NID_secp256k1:
        return "secp256k1";
    default:
        return NULL;
    }
}

static void add_raw(sbuf_t *s, EVP_PKEY *pkey, const char *jname, bool priv)
{
    uint8_t buf[128];
    size_t n = sizeof buf;
    if ((priv ? EVP_PKEY_get_raw_private_key(pkey, buf, &n)
              : EVP_PKEY_get_raw_public_key(pkey, buf, &n)) == 1) {
        sb_add(s, "%s=", jname);
        sb_hex(s, buf, n);
        sb_add(s, "\n");
    }
    OPENSSL_cleanse(buf, sizeof buf);
}

/* jwk(handle, private) -> "kty=...\nname=hex\n..." in Node's member order,
 * or throws Node's unsupported key type / curve errors. */
static void c_jwk(vm_call_t *c)
{
    pkey_t *k = arg_pkey(c, 0);
    if (!k)
        return;
    bool priv = vm_arg_bool(c, 1) && k->priv;
    EVP_PKEY *pkey = k->pkey;
    sbuf_t s = {0};
    int id = EVP_PKEY_get_base_id(pkey);
    if (id == EVP_PKEY_RSA) {
        sb_add(&s, "kty=RSA\n");
        add_bn(&s, pkey, "n", OSSL_PKEY_PARAM_RSA_N, 0);
        add_bn(&s, pkey, "e", OSSL_PKEY_PARAM_RSA_E, 0);
        if (priv) {
            add_bn(&s, pkey, "d", OSSL_PKEY_PARAM_RSA_D, 0);
            add_bn(&s, pkey, "p", OSSL_PKEY_PARAM_RSA_FACTOR1, 0);
            add_bn(&s, pkey, "q", OSSL_PKEY_PARAM_RSA_FACTOR2, 0);
            add_bn(&s, pkey, "dp", OSSL_PKEY_PARAM_RSA_EXPONENT1, 0);
            add_bn(&s, pkey, "dq", OSSL_PKEY_PARAM_RSA_EXPONENT2, 0);
            add_bn(&s, pkey, "qi", OSSL_PKEY_PARAM_RSA_COEFFICIENT1, 0);
        }
    } else if (id == EVP_PKEY_EC) {
        char name[80];
        const char *crv = jwk_curve(pkey, name, sizeof name);
        if (!crv) {
            ERR_clear_error();
            vm_throwf(c, "Error", "ERR_CRYPTO_JWK_UNSUPPORTED_CURVE",
                      "Unsupported JWK EC curve: %s.", name);
            free(s.buf);
            return;
        }
        /* coordinates and d are as long as the field: the key's degree */
        int bytes = 0;
        if (!strcmp(crv, "P-521"))
            bytes = 66;
        else if (!strcmp(crv, "P-384"))
            bytes = 48;
        else
            bytes = 32;
        sb_add(&s, "kty=EC\n");
        add_bn(&s, pkey, "x", OSSL_PKEY_PARAM_EC_PUB_X, bytes);
        add_bn(&s, pkey, "y", OSSL_PKEY_PARAM_EC_PUB_Y, bytes);
        sb_add(&s, "crv=%s\n", crv);
        if (priv)
            add_bn(&s, pkey, "d", OSSL_PKEY_PARAM_PRIV_KEY, bytes);
    } else if (id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448 || id == EVP_PKEY_X25519 ||
               id == EVP_PKEY_X448) {
        static const char *const crv[] = {"Ed25519", "Ed448", "X25519", "X448"};
        int i = id == EVP_PKEY_ED25519  ? 0
                : id == EVP_PKEY_ED448  ? 1
                : id == EVP_PKEY_X25519 ? 2
                                        : 3;
        sb_add(&s, "crv=%s\n", crv[i]);
        if (priv)
            add_raw(&s, pkey, "d", true);
        add_raw(&s, pkey, "x", false);
        sb_add(&s, "kty=OKP\n");
    } else {
        free(s.buf);
        throw_msg(c, "Error", "ERR_CRYPTO_JWK_UNSUPPORTED_KEY_TYPE", "Unsupported JWK Key Type.");
        return;
    }
    ERR_clear_error();
    ret_sb(c, &s);
}

/* fromJwk(kind, crv, private, a, b, c, d, e, f, g, h) -> handle. kind
 * 'RSA': n, e[, d, p, q, dp, dq, qi]; 'EC': x, y[, d]; 'OKP': x[, d]. */
static void c_from_jwk(vm_call_t *c)
{
    if (!br__ssl_ready())
        return;
    char *kind = arg_str(c, 0), *crv = arg_str(c, 1);
    bool priv = vm_arg_bool(c, 2);
    uint8_t *v[8] = {0};
    size_t n[8] = {0};
    for (int i = 0; i < 8; i++)
        if (vm_arg_bytes(c, 3 + i, &v[i], &n[i]) < 0)
            v[i] = NULL;
    EVP_PKEY *pkey = NULL;
    ERR_clear_error();
    if (kind && !strcmp(kind, "OKP") && crv) {
        static const struct {
            const char *crv;
            int id;
        } okp[] = {{"Ed25519", EVP_PKEY_ED25519},
                   {"Ed448", EVP_PKEY_ED448},
                   {"X25519", EVP_PKEY_X25519},
                   {"X448", EVP_PKEY_X448}};
        for (size_t i = 0; i < 4; i++)
            if (!strcmp(crv, okp[i].crv)) {
                if (priv && v[1])
                    pkey = EVP_PKEY_new_raw_private_key(okp[i].id, NULL, v[1], n[1]);
                else if (!priv && v[0])
                    pkey = EVP_PKEY_new_raw_public_key(okp[i].id, NULL, v[0], n[0]);
            }
    } else if (kind) {
        bool rsa = !strcmp(kind, "RSA");
        OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
        BIGNUM *bn[8] = {0};
        uint8_t *point = NULL;
        bool ok = bld != NULL;
        const char *group = NULL;
        if (rsa) {
            static const char *const names[] = {
                OSSL_PKEY_PARAM_RSA_N,         OSSL_PKEY_PARAM_RSA_E,
                OSSL_PKEY_PARAM_RSA_D,         OSSL_PKEY_PARAM_RSA_FACTOR1,
                OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
                OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
            };
            for (int i = 0; ok && i < (priv ? 8 : 2); i++) {
                if (!v[i])
                    continue;
                bn[i] = BN_bin2bn(v[i], (int)n[i], NULL);
                ok = bn[i] && OSSL_PARAM_BLD_push_BN(bld, names[i], bn[i]);
            }
        } else if (crv && !strcmp(kind, "EC") && v[0] && v[1] && n[0] == n[1] && n[0] < 128) {
            group = !strcmp(crv, "P-256")       ? "prime256v1"
                    : !strcmp(crv, "P-384")     ? "secp384r1"
                    : !strcmp(crv, "P-521")     ? "secp521r1"
                    : !strcmp(crv, "secp256k1") ? "secp256k1"
                                                : NULL;
            point = malloc(1 + 2 * n[0]);
            ok = group && point;
            if (ok) {
                point[0] = 4;
                memcpy(point + 1, v[0], n[0]);
                memcpy(point + 1 + n[0], v[1], n[0]);
                ok = OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) &&
                     OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point,
                                                      1 + 2 * n[0]);
            }
            if (ok && priv && v[2]) {
                bn[2] = BN_bin2bn(v[2], (int)n[2], NULL);
                ok = bn[2] && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, bn[2]);
            }
        } else {
            ok = false;
        }
        OSSL_PARAM *params = ok ? OSSL_PARAM_BLD_to_param(bld) : NULL;
        EVP_PKEY_CTX *ctx =
            params ? EVP_PKEY_CTX_new_from_name(NULL, rsa ? "RSA" : "EC", NULL) : NULL;
        if (ctx && EVP_PKEY_fromdata_init(ctx) == 1)
            EVP_PKEY_fromdata(ctx, &pkey, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params);
        /* a public point off the curve is refused as Node refuses it */
        if (pkey && !rsa) {
            EVP_PKEY_CTX *chk = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
            if (!chk || EVP_PKEY_public_check(chk) != 1) {
                EVP_PKEY_free(pkey);
                pkey = NULL;
            }
            EVP_PKEY_CTX_free(chk);
        }
        EVP_PKEY_CTX_free(ctx);
        OSSL_PARAM_free(params);
        OSSL_PARAM_BLD_free(bld);
        for (int i = 0; i < 8; i++)
            BN_clear_free(bn[i]);
        free(point);
    }
    free(kind);
    free(crv);
    ERR_clear_error();
    if (!pkey) {
        throw_msg(c, "TypeError", "ERR_CRYPTO_INVALID_JWK", "Invalid JWK data");
        return;
    }
    ret_pkey(c, pkey, priv);
}

/* equals(a, b) -> bool */
static void c_equals(vm_call_t *c)
{
    pkey_t *a = arg_pkey(c, 0), *b = a ? arg_pkey(c, 1) : NULL;
    if (!b)
        return;
    int r = EVP_PKEY_eq(a->pkey, b->pkey);
    ERR_clear_error();
    vm_ret_bool(c, r == 1);
}

/* ---- key pair generation ---------------------------------------------------- */

enum { GEN_RSA, GEN_RSA_PSS, GEN_DSA, GEN_EC, GEN_OKP, GEN_DH };

typedef struct {
    uv_work_t work;
    br_rt_t *rt;
    vm_ref_t cb;
    int kind;
    char alg[32];    /* OKP: ED25519 ...; EC: the curve; DH: a group name */
    uint32_t bits;   /* modulus length (RSA, DSA, DH primeLength) */
    int64_t divisor; /* DSA's divisorLength, -1: default */
    BIGNUM *exponent, *prime;
    uint32_t generator;
    char md[32], mgf1[32];
    int64_t salt; /* -1: not given */
    bool named;   /* EC paramEncoding named (else explicit) */
    EVP_PKEY *pkey;
    uint8_t *der;
    size_t der_len;
    br_ssl_err_t err;
    bool failed;
} gen_job_t;

static void gen_free(gen_job_t *j)
{
    if (j->cb)
        vm_ref_free(j->rt->vm, j->cb);
    BN_free(j->exponent);
    BN_free(j->prime);
    EVP_PKEY_free(j->pkey);
    if (j->der)
        OPENSSL_cleanse(j->der, j->der_len);
    free(j->der);
    free(j);
}

/* Parameters first (DSA, DH from a prime length), then the key. */
static EVP_PKEY *gen_params(gen_job_t *j)
{
    EVP_PKEY *params = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, j->kind == GEN_DSA ? "DSA" : "DH", NULL);
    if (!ctx || EVP_PKEY_paramgen_init(ctx) != 1)
        goto out;
    size_t pbits = j->bits, qbits = (size_t)j->divisor;
    OSSL_PARAM p[4];
    int n = 0;
    p[n++] = OSSL_PARAM_construct_size_t(OSSL_PKEY_PARAM_FFC_PBITS, &pbits);
    if (j->kind == GEN_DSA && j->divisor >= 0)
        p[n++] = OSSL_PARAM_construct_size_t(OSSL_PKEY_PARAM_FFC_QBITS, &qbits);
    int gen = (int)j->generator;
    if (j->kind == GEN_DH) {
        p[n++] = OSSL_PARAM_construct_int(OSSL_PKEY_PARAM_DH_GENERATOR, &gen);
        p[n++] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_FFC_TYPE, "generator", 0);
    }
    p[n] = OSSL_PARAM_construct_end();
    if (EVP_PKEY_CTX_set_params(ctx, p) == 1)
        EVP_PKEY_paramgen(ctx, &params);
out:
    EVP_PKEY_CTX_free(ctx);
    return params;
}

static EVP_PKEY *dh_prime_params(gen_job_t *j)
{
    EVP_PKEY *params = NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    BIGNUM *g = BN_new();
    OSSL_PARAM *p = NULL;
    if (bld && g && BN_set_word(g, j->generator) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, j->prime) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, g))
        p = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = p ? EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL) : NULL;
    if (ctx && EVP_PKEY_fromdata_init(ctx) == 1)
        EVP_PKEY_fromdata(ctx, &params, EVP_PKEY_KEY_PARAMETERS, p);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(p);
    OSSL_PARAM_BLD_free(bld);
    BN_free(g);
    return params;
}

static void gen_run(gen_job_t *j)
{
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *params = NULL;
    bool ok = false;
    switch (j->kind) {
    case GEN_RSA:
    case GEN_RSA_PSS: {
        ctx = EVP_PKEY_CTX_new_from_name(NULL, j->kind == GEN_RSA ? "RSA" : "RSA-PSS", NULL);
        if (!ctx || EVP_PKEY_keygen_init(ctx) != 1)
            break;
        size_t bits = j->bits;
        OSSL_PARAM p[6];
        int n = 0;
        p[n++] = OSSL_PARAM_construct_size_t(OSSL_PKEY_PARAM_RSA_BITS, &bits);
        int salt = (int)j->salt;
        if (j->md[0])
            p[n++] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_RSA_DIGEST, j->md, 0);
        if (j->mgf1[0])
            p[n++] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_RSA_MGF1_DIGEST, j->mgf1, 0);
        if (j->salt >= 0)
            p[n++] = OSSL_PARAM_construct_int(OSSL_PKEY_PARAM_RSA_PSS_SALTLEN, &salt);
        p[n] = OSSL_PARAM_construct_end();
        ok = EVP_PKEY_CTX_set_params(ctx, p) == 1 &&
             (!j->exponent || EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx, j->exponent) == 1);
        break;
    }
    case GEN_EC: {
        ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
        if (!ctx || EVP_PKEY_keygen_init(ctx) != 1)
            break;
        OSSL_PARAM p[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, j->alg, 0),
            OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_EC_ENCODING,
                                             j->named ? "named_curve" : "explicit", 0),
            OSSL_PARAM_construct_end(),
        };
        ok = EVP_PKEY_CTX_set_params(ctx, p) == 1;
        break;
    }
    case GEN_OKP:
        ctx = EVP_PKEY_CTX_new_from_name(NULL, j->alg, NULL);
        ok = ctx && EVP_PKEY_keygen_init(ctx) == 1;
        break;
    case GEN_DSA:
    case GEN_DH:
        params = j->prime ? dh_prime_params(j) : gen_params(j);
        ctx = params ? EVP_PKEY_CTX_new_from_pkey(NULL, params, NULL) : NULL;
        ok = ctx && EVP_PKEY_keygen_init(ctx) == 1;
        break;
    default:
        break;
    }
    if (ok)
        ok = EVP_PKEY_keygen(ctx, &j->pkey) == 1;
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(params);
    if (!ok) {
        j->failed = true;
        if (!br__ssl_take(&j->err))
            snprintf(j->err.message, sizeof j->err.message, "key generation failed");
    }
}

static void gen_work(uv_work_t *w)
{
    gen_job_t *j = w->data;
    gen_run(j);
    if (j->failed)
        return;
    /* the pair crosses to the loop as PKCS#8 DER */
    PKCS8_PRIV_KEY_INFO *info = EVP_PKEY2PKCS8(j->pkey);
    uint8_t *der = NULL;
    int n = info ? i2d_PKCS8_PRIV_KEY_INFO(info, &der) : -1;
    PKCS8_PRIV_KEY_INFO_free(info);
    if (n <= 0) {
        j->failed = true;
        if (!br__ssl_take(&j->err))
            snprintf(j->err.message, sizeof j->err.message, "key generation failed");
        return;
    }
    /* malloc'd, as the result buffer takes it */
    j->der = malloc((size_t)n);
    if (j->der) {
        memcpy(j->der, der, (size_t)n);
        j->der_len = (size_t)n;
    } else {
        j->failed = true;
        snprintf(j->err.message, sizeof j->err.message, "out of memory");
    }
    OPENSSL_clear_free(der, (size_t)n);
}

static void gen_free_cb(void *j)
{
    gen_free(j);
}

static void gen_done(uv_work_t *w, int status)
{
    gen_job_t *j = w->data;
    br__ssl_job_done(j->rt, &j->cb, status >= 0 && j->failed ? &j->err : NULL, status < 0, &j->der,
                     j->der_len, gen_free_cb, j);
}

/* The run's cap on RSA, DSA and DH moduli (crypto.max_modulus_bits). */
static uint32_t max_modulus_bits(vm_call_t *c)
{
    br_rt_t *rt = br__rt(c);
    const brk_settings_t *s = rt->policy ? brk_settings(rt->policy) : NULL;
    return s && s->max_modulus_bits ? s->max_modulus_bits : BRK_DEFAULT_MAX_MODULUS_BITS;
}

/* generate(type, options..., cb): type 'rsa' (bits, exponent bytes),
 * 'rsa-pss' (bits, exponent, md, mgf1, salt), 'dsa' (bits, divisor),
 * 'ec' (curve, named), 'ed25519'..'x448', 'dh' (group | prime bytes |
 * bits, generator). Arguments: (type, bits, exponent, md, mgf1, salt,
 * name, prime, generator, named, cb). With cb a function the pair is
 * made on the pool and delivered as PKCS#8 DER; else a handle now. */
static void c_generate(vm_call_t *c)
{
    if (!br__ssl_ready()) {
        br__throw_ssl(c, NULL);
        return;
    }
    char *type = arg_str(c, 0);
    gen_job_t *j = calloc(1, sizeof *j);
    if (!type || !j) {
        free(type);
        free(j);
        vm_throw_alloc_failed(c);
        return;
    }
    j->rt = br__rt(c);
    j->divisor = -1;
    j->salt = -1;
    static const struct {
        const char *name;
        int kind;
        const char *alg;
    } kinds[] = {
        {"rsa", GEN_RSA, ""},
        {"rsa-pss", GEN_RSA_PSS, ""},
        {"dsa", GEN_DSA, ""},
        {"ec", GEN_EC, ""},
        {"ed25519", GEN_OKP, "ED25519"},
        {"ed448", GEN_OKP, "ED448"},
        {"x25519", GEN_OKP, "X25519"},
        {"x448", GEN_OKP, "X448"},
        {"dh", GEN_DH, ""},
    };
    bool known = false;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strcmp(type, kinds[i].name)) {
            j->kind = kinds[i].kind;
            snprintf(j->alg, sizeof j->alg, "%s", kinds[i].alg);
            known = true;
        }
    free(type);
    if (!known) {
        gen_free(j);
        throw_msg(c, "TypeError", "ERR_INVALID_ARG_VALUE", "unknown key type");
        return;
    }
    double bits = vm_arg_num(c, 1);
    j->bits = bits >= 0 && bits <= UINT32_MAX ? (uint32_t)bits : 0;
    uint8_t *p;
    size_t n;
    if (vm_arg_bytes(c, 2, &p, &n) == 0 && n <= 64)
        j->exponent = BN_bin2bn(p, (int)n, NULL);
    char *s;
    if ((s = arg_str(c, 3))) {
        snprintf(j->md, sizeof j->md, "%s", s);
        free(s);
    }
    if ((s = arg_str(c, 4))) {
        snprintf(j->mgf1, sizeof j->mgf1, "%s", s);
        free(s);
    }
    if (vm_arg_type(c, 5) == VM_T_NUMBER) {
        if (j->kind == GEN_DSA)
            j->divisor = vm_arg_int(c, 5);
        else
            j->salt = vm_arg_int(c, 5);
    }
    if ((s = arg_str(c, 6))) {
        snprintf(j->alg, sizeof j->alg, "%s", s);
        free(s);
    }
    if (vm_arg_bytes(c, 7, &p, &n) == 0 && n <= 65536)
        j->prime = BN_bin2bn(p, (int)n, NULL);
    j->generator = vm_arg_type(c, 8) == VM_T_NUMBER ? (uint32_t)vm_arg_int(c, 8) : 2;
    j->named = vm_arg_bool(c, 9);
    bool group = j->kind == GEN_DH && j->alg[0];
    if (group) {
        /* Node's groups are RFC 2409 / 3526 primes with generator 2 */
        static const struct {
            const char *name;
            BIGNUM *(*prime)(BIGNUM *);
        } groups[] = {
            {"modp1", BN_get_rfc2409_prime_768},   {"modp2", BN_get_rfc2409_prime_1024},
            {"modp5", BN_get_rfc3526_prime_1536},  {"modp14", BN_get_rfc3526_prime_2048},
            {"modp15", BN_get_rfc3526_prime_3072}, {"modp16", BN_get_rfc3526_prime_4096},
            {"modp17", BN_get_rfc3526_prime_6144}, {"modp18", BN_get_rfc3526_prime_8192},
        };
        for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
            if (!strcmp(j->alg, groups[i].name))
                j->prime = groups[i].prime(NULL);
        if (!j->prime) {
            gen_free(j);
            throw_msg(c, "Error", "ERR_CRYPTO_UNKNOWN_DH_GROUP", "Unknown DH group");
            return;
        }
        j->generator = 2;
        j->alg[0] = '\0';
    }
    uint32_t cap = max_modulus_bits(c);
    uint32_t asked = j->prime ? (uint32_t)BN_num_bits(j->prime) : j->bits;
    bool capped = j->kind == GEN_RSA || j->kind == GEN_RSA_PSS || j->kind == GEN_DSA ||
                  (j->kind == GEN_DH && !j->alg[0]);
    if (capped && asked > cap) {
        const char *what = j->kind != GEN_DH ? "options.modulusLength"
                           : group           ? "options.group"
                           : j->prime        ? "options.prime"
                                             : "options.primeLength";
        vm_throwf(c, "RangeError", "ERR_OUT_OF_RANGE",
                  "The value of \"%s\" is out of range. It must be <= %u (the sandbox's "
                  "crypto.max_modulus_bits). Received %u",
                  what, cap, asked);
        gen_free(j);
        return;
    }
    if (vm_arg_type(c, 10) == VM_T_FUNCTION) {
        j->cb = vm_arg_ref(c, 10);
        j->work.data = j;
        if (uv_queue_work(j->rt->loop, &j->work, gen_work, gen_done) == 0) {
            j->rt->pending_reqs++;
            return;
        }
        vm_ref_free(j->rt->vm, j->cb);
        j->cb = 0;
        gen_work(&j->work);
        if (j->failed)
            vm_throw(c, &(vm_error_t){.message = j->err.message,
                                      .code = j->err.code[0] ? j->err.code : NULL});
        else
            vm_ret_bytes(c, j->der, j->der_len);
        gen_free(j);
        return;
    }
    gen_run(j);
    if (j->failed) {
        vm_throw(c, &(vm_error_t){.message = j->err.message,
                                  .code = j->err.code[0] ? j->err.code : NULL});
        gen_free(j);
        return;
    }
    EVP_PKEY *pkey = j->pkey;
    j->pkey = NULL;
    gen_free(j);
    ret_pkey(c, pkey, true);
}

/* ---- signatures ------------------------------------------------------------- */

/* The size of r and s in an IEEE P1363 signature of key, 0 if none. */
static int rs_bytes(EVP_PKEY *pkey)
{
    int id = EVP_PKEY_get_base_id(pkey);
    if (id == EVP_PKEY_EC)
        return (EVP_PKEY_get_bits(pkey) + 7) / 8;
    if (id == EVP_PKEY_DSA) {
        BIGNUM *q = NULL;
        int n = 0;
        if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_FFC_Q, &q) == 1)
            n = BN_num_bytes(q);
        BN_free(q);
        return n;
    }
    return 0;
}

/* Sets RSA padding and salt length on a signing context (padding < 0, salt
 * < -3: not given). */
static bool rsa_options(EVP_PKEY_CTX *pctx, EVP_PKEY *pkey, int padding, int salt)
{
    int id = EVP_PKEY_get_base_id(pkey);
    if (id != EVP_PKEY_RSA && id != EVP_PKEY_RSA_PSS)
        return true;
    if (padding >= 0 && EVP_PKEY_CTX_set_rsa_padding(pctx, padding) != 1)
        return false;
    if (salt >= -3 && (padding == RSA_PKCS1_PSS_PADDING || id == EVP_PKEY_RSA_PSS) &&
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt) != 1)
        return false;
    return true;
}

/* The md_name argument i: NULL for null/undefined; *bad on an unknown one. */
static const EVP_MD *sig_md(vm_call_t *c, int i, bool *bad)
{
    *bad = false;
    if (vm_arg_type(c, i) != VM_T_STRING)
        return NULL;
    const EVP_MD *md = br__digest_named(c, i);
    if (!md) {
        *bad = true;
        throw_msg(c, "TypeError", "ERR_CRYPTO_INVALID_DIGEST", "Invalid digest");
    }
    return md;
}

/* sign(handle, md, data, padding, salt, p1363, prehashed) -> bytes */
static void c_sign(vm_call_t *c)
{
    pkey_t *k = arg_pkey(c, 0);
    bool bad;
    const EVP_MD *md = k ? sig_md(c, 1, &bad) : NULL;
    uint8_t *data;
    size_t len;
    if (!k || (md == NULL && bad))
        return;
    if (vm_arg_bytes(c, 2, &data, &len) < 0) {
        throw_msg(c, "TypeError", "ERR_INVALID_ARG_TYPE", "data must be bytes");
        return;
    }
    if (!k->priv) {
        throw_msg(c, "TypeError", "ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE",
                  "Invalid key object type public, expected private.");
        return;
    }
    int padding = vm_arg_type(c, 3) == VM_T_NUMBER ? (int)vm_arg_int(c, 3) : -1;
    int salt = vm_arg_type(c, 4) == VM_T_NUMBER ? (int)vm_arg_int(c, 4) : -100;
    bool p1363 = vm_arg_bool(c, 5), prehashed = vm_arg_bool(c, 6);
    ERR_clear_error();
    EVP_MD_CTX *mctx = prehashed ? NULL : EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = prehashed ? EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL) : NULL;
    size_t siglen = 0;
    uint8_t *sig = NULL;
    bool ok;
    if (prehashed) {
        /* the RSA options first, then the digest, as Node's Sign: a
         * restricted key names the salt length before the digest */
        ok = pctx && EVP_PKEY_sign_init(pctx) == 1 && rsa_options(pctx, k->pkey, padding, salt) &&
             (!md || EVP_PKEY_CTX_set_signature_md(pctx, md) == 1) &&
             EVP_PKEY_sign(pctx, NULL, &siglen, data, len) == 1 && (sig = malloc(siglen)) &&
             EVP_PKEY_sign(pctx, sig, &siglen, data, len) == 1;
    } else {
        ok = mctx && EVP_DigestSignInit(mctx, &pctx, md, NULL, k->pkey) == 1 &&
             rsa_options(pctx, k->pkey, padding, salt) &&
             EVP_DigestSign(mctx, NULL, &siglen, data, len) == 1 && (sig = malloc(siglen)) &&
             EVP_DigestSign(mctx, sig, &siglen, data, len) == 1;
        pctx = NULL; /* the MD context's */
    }
    EVP_MD_CTX_free(mctx);
    EVP_PKEY_CTX_free(pctx);
    if (!ok) {
        free(sig);
        br__throw_ssl(c, "Signing failed");
        return;
    }
    int rs = p1363 ? rs_bytes(k->pkey) : 0;
    if (rs > 0) {
        const uint8_t *q = sig;
        ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &q, (long)siglen);
        uint8_t *out = es ? malloc(2 * (size_t)rs) : NULL;
        if (out && BN_bn2binpad(ECDSA_SIG_get0_r(es), out, rs) == rs &&
            BN_bn2binpad(ECDSA_SIG_get0_s(es), out + rs, rs) == rs) {
            vm_ret_bytes(c, out, 2 * (size_t)rs);
        } else {
            br__throw_ssl(c, "Signing failed");
        }
        free(out);
        ECDSA_SIG_free(es);
        free(sig);
        return;
    }
    vm_ret_bytes_take(c, sig, siglen);
}

/* verify(handle, md, data, sig, padding, salt, p1363, prehashed) -> bool */
static void c_verify(vm_call_t *c)
{
    pkey_t *k = arg_pkey(c, 0);
    bool bad;
    const EVP_MD *md = k ? sig_md(c, 1, &bad) : NULL;
    uint8_t *data, *sig;
    size_t len, siglen;
    if (!k || (md == NULL && bad))
        return;
    if (vm_arg_bytes(c, 2, &data, &len) < 0 || vm_arg_bytes(c, 3, &sig, &siglen) < 0) {
        throw_msg(c, "TypeError", "ERR_INVALID_ARG_TYPE", "data must be bytes");
        return;
    }
    int padding = vm_arg_type(c, 4) == VM_T_NUMBER ? (int)vm_arg_int(c, 4) : -1;
    int salt = vm_arg_type(c, 5) == VM_T_NUMBER ? (int)vm_arg_int(c, 5) : -100;
    bool p1363 = vm_arg_bool(c, 6), prehashed = vm_arg_bool(c, 7);
    uint8_t *der = NULL;
    int rs = p1363 ? rs_bytes(k->pkey) : 0;
    if (rs > 0) {
        /* r || s back to DER; a wrong length never verifies */
        if (siglen != 2 * (size_t)rs) {
            vm_ret_bool(c, false);
            return;
        }
        ECDSA_SIG *es = ECDSA_SIG_new();
        BIGNUM *r = BN_bin2bn(sig, rs, NULL), *s = BN_bin2bn(sig + rs, rs, NULL);
        int n = -1;
        if (es && r && s && ECDSA_SIG_set0(es, r, s) == 1) {
            r = s = NULL;
            n = i2d_ECDSA_SIG(es, &der);
        }
        BN_free(r);
        BN_free(s);
        ECDSA_SIG_free(es);
        if (n <= 0) {
            br__throw_ssl(c, NULL);
            return;
        }
        sig = der;
        siglen = (size_t)n;
    }
    ERR_clear_error();
    int r = -1;
    if (prehashed) {
        EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
        if (pctx && EVP_PKEY_verify_init(pctx) == 1 && rsa_options(pctx, k->pkey, padding, salt) &&
            (!md || EVP_PKEY_CTX_set_signature_md(pctx, md) == 1))
            r = EVP_PKEY_verify(pctx, sig, siglen, data, len);
        EVP_PKEY_CTX_free(pctx);
    } else {
        EVP_MD_CTX *mctx = EVP_MD_CTX_new();
        EVP_PKEY_CTX *pctx = NULL;
        if (mctx && EVP_DigestVerifyInit(mctx, &pctx, md, NULL, k->pkey) == 1 &&
            rsa_options(pctx, k->pkey, padding, salt))
            r = EVP_DigestVerify(mctx, sig, siglen, data, len);
        EVP_MD_CTX_free(mctx);
    }
    OPENSSL_free(der);
    if (r < 0 && ERR_peek_error() &&
        ERR_GET_LIB(ERR_peek_error()) != ERR_LIB_ASN1) { /* a malformed signature is false */
        br__throw_ssl(c, "Verification failed");
        return;
    }
    ERR_clear_error();
    vm_ret_bool(c, r == 1);
}

/* ---- RSA encryption ---------------------------------------------------------- */

enum { CRYPT_PUBLIC_ENCRYPT, CRYPT_PRIVATE_DECRYPT, CRYPT_PRIVATE_ENCRYPT, CRYPT_PUBLIC_DECRYPT };

/* crypt(op, handle, data, padding, oaepHash, oaepLabel) -> bytes */
static void c_crypt(vm_call_t *c)
{
    int op = (int)vm_arg_int(c, 0);
    pkey_t *k = arg_pkey(c, 1);
    uint8_t *data, *label = NULL;
    size_t len, label_len = 0;
    if (!k)
        return;
    if (vm_arg_bytes(c, 2, &data, &len) < 0) {
        throw_msg(c, "TypeError", "ERR_INVALID_ARG_TYPE", "buffer must be bytes");
        return;
    }
    int padding = (int)vm_arg_int(c, 3);
    bool bad;
    const EVP_MD *md = sig_md(c, 4, &bad);
    if (bad)
        return;
    bool has_label = vm_arg_bytes(c, 5, &label, &label_len) == 0;
    ERR_clear_error();
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
    int init = 0;
    if (ctx) {
        switch (op) {
        case CRYPT_PUBLIC_ENCRYPT:
            init = EVP_PKEY_encrypt_init(ctx);
            break;
        case CRYPT_PRIVATE_DECRYPT:
            init = EVP_PKEY_decrypt_init(ctx);
            break;
        case CRYPT_PRIVATE_ENCRYPT:
            init = EVP_PKEY_sign_init(ctx);
            break;
        default:
            init = EVP_PKEY_verify_recover_init(ctx);
            break;
        }
    }
    bool ok = init == 1 && EVP_PKEY_CTX_set_rsa_padding(ctx, padding) == 1;
    if (ok && padding == RSA_PKCS1_OAEP_PADDING) {
        ok = (!md || EVP_PKEY_CTX_set_rsa_oaep_md(ctx, md) == 1);
        if (ok && has_label && label_len) {
            void *l = OPENSSL_memdup(label, label_len);
            ok = l && EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, l, (int)label_len) == 1;
            if (!ok)
                OPENSSL_free(l);
        }
    }
    if (ok && op == CRYPT_PRIVATE_DECRYPT && padding == RSA_PKCS1_PADDING) {
        /* Node 22 refuses PKCS#1 v1.5 decryption where OpenSSL cannot do
         * implicit rejection (the Marvin attack): 3.0 cannot */
        if (EVP_PKEY_CTX_ctrl_str(ctx, "rsa_pkcs1_implicit_rejection", "1") <= 0) {
            EVP_PKEY_CTX_free(ctx);
            ERR_clear_error();
            throw_msg(c, "TypeError", "ERR_INVALID_ARG_VALUE",
                      "RSA_PKCS1_PADDING is no longer supported for private decryption");
            return;
        }
    }
    size_t out_len = 0;
    uint8_t *out = NULL;
    for (int pass = 0; ok && pass < 2; pass++) {
        uint8_t *o = pass ? out : NULL;
        switch (op) {
        case CRYPT_PUBLIC_ENCRYPT:
            ok = EVP_PKEY_encrypt(ctx, o, &out_len, data, len) == 1;
            break;
        case CRYPT_PRIVATE_DECRYPT:
            ok = EVP_PKEY_decrypt(ctx, o, &out_len, data, len) == 1;
            break;
        case CRYPT_PRIVATE_ENCRYPT:
            ok = EVP_PKEY_sign(ctx, o, &out_len, data, len) == 1;
            break;
        default:
            ok = EVP_PKEY_verify_recover(ctx, o, &out_len, data, len) == 1;
            break;
        }
        if (ok && !pass)
            ok = (out = malloc(out_len ? out_len : 1)) != NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    if (!ok) {
        free(out);
        br__throw_ssl(c, "operation failed");
        return;
    }
    vm_ret_bytes_take(c, out, out_len);
}

/* derive(private, public) -> the shared secret */
static void c_derive(vm_call_t *c)
{
    pkey_t *a = arg_pkey(c, 0), *b = a ? arg_pkey(c, 1) : NULL;
    if (!b)
        return;
    ERR_clear_error();
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, a->pkey, NULL);
    size_t len = 0;
    uint8_t *out = NULL;
    bool ok = ctx && EVP_PKEY_derive_init(ctx) == 1 &&
              EVP_PKEY_derive_set_peer(ctx, b->pkey) == 1 &&
              EVP_PKEY_derive(ctx, NULL, &len) == 1 && (out = malloc(len ? len : 1)) &&
              EVP_PKEY_derive(ctx, out, &len) == 1;
    EVP_PKEY_CTX_free(ctx);
    if (!ok) {
        free(out);
        br__throw_ssl(c, "Failed to derive shared secret");
        return;
    }
    vm_ret_bytes_take(c, out, len);
}

/* ---- X.509 ------------------------------------------------------------------- */

typedef struct {
    vm_t *vm;
    X509 *x;
} cert_t;

static void cert_free(void *p)
{
    cert_t *ct = p;
    X509_free(ct->x);
    vm_release(ct->vm, X509_BYTES);
    free(ct);
}

static const vm_handle_type_t cert_type = {"X509Certificate", cert_free};

static X509 *arg_x509(vm_call_t *c, int i)
{
    cert_t *ct = vm_arg_handle(c, i, &cert_type);
    if (!ct) {
        throw_msg(c, "TypeError", "ERR_INVALID_ARG_TYPE", "not a certificate handle");
        return NULL;
    }
    return ct->x;
}

/* x509Parse(bytes) -> handle: PEM, else DER */
static void c_x509_parse(vm_call_t *c)
{
    uint8_t *data;
    size_t len;
    if (!br__ssl_ready() || vm_arg_bytes(c, 0, &data, &len) < 0 || len > INT_MAX) {
        throw_msg(c, "TypeError", "ERR_INVALID_ARG_TYPE", "certificate must be bytes");
        return;
    }
    ERR_clear_error();
    BIO *b = mem_bio(data, len);
    X509 *x = b ? PEM_read_bio_X509_AUX(b, NULL, NULL, NULL) : NULL;
    if (!x) {
        /* not PEM: DER, with PEM's error kept for a failure, as Node's */
        ERR_set_mark();
        const uint8_t *p = data;
        x = d2i_X509(NULL, &p, (long)len);
        ERR_pop_to_mark();
    }
    BIO_free(b);
    if (!x) {
        br__throw_ssl(c, "Failed to parse certificate");
        return;
    }
    ERR_clear_error();
    vm_t *vm = vm_call_vm(c);
    if (!vm_reserve(vm, X509_BYTES)) {
        X509_free(x);
        vm_throw_alloc_failed(c);
        return;
    }
    cert_t *ct = calloc(1, sizeof *ct);
    if (!ct) {
        vm_release(vm, X509_BYTES);
        X509_free(x);
        vm_throw_alloc_failed(c);
        return;
    }
    *ct = (cert_t){.vm = vm, .x = x};
    vm_ret_handle(c, &cert_type, ct);
}

static void bio_name(BIO *b, const X509_NAME *name)
{
    X509_NAME_print_ex(b, name, 0,
                       ASN1_STRFLGS_ESC_2253 | ASN1_STRFLGS_ESC_CTRL | ASN1_STRFLGS_UTF8_CONVERT |
                           XN_FLAG_SEP_MULTILINE | XN_FLAG_FN_SN);
}

/* A general name as Node 22 prints it in subjectAltName and infoAccess:
 * the value JSON-quoted when it holds a separator or a quote. */
static void bio_quoted(BIO *b, const char *prefix, const uint8_t *p, int n)
{
    /* Node's rule: quotes, backslashes, commas, apostrophes and anything
     * but printable ASCII make the value quoted */
    bool quote = false;
    for (int i = 0; i < n; i++)
        if (p[i] == ',' || p[i] == '"' || p[i] == '\\' || p[i] == '\'' || p[i] < 0x20 || p[i] > '~')
            quote = true;
    BIO_printf(b, "%s", prefix);
    if (!quote) {
        BIO_write(b, p, n);
        return;
    }
    BIO_write(b, "\"", 1);
    for (int i = 0; i < n; i++) {
        if (p[i] == '"' || p[i] == '\\')
            BIO_printf(b, "\\%c", p[i]);
        else if (p[i] < 0x20)
            BIO_printf(b, "\\u%04x", p[i]);
        else
            BIO_write(b, p + i, 1);
    }
    BIO_write(b, "\"", 1);
}

static void bio_general_name(BIO *b, GENERAL_NAME *g)
{
    switch (g->type) {
    case GEN_DNS:
        bio_quoted(b, "DNS:", ASN1_STRING_get0_data(g->d.dNSName),
                   ASN1_STRING_length(g->d.dNSName));
        break;
    case GEN_EMAIL:
        bio_quoted(b, "email:", ASN1_STRING_get0_data(g->d.rfc822Name),
                   ASN1_STRING_length(g->d.rfc822Name));
        break;
    case GEN_URI:
        bio_quoted(b, "URI:", ASN1_STRING_get0_data(g->d.uniformResourceIdentifier),
                   ASN1_STRING_length(g->d.uniformResourceIdentifier));
        break;
    case GEN_IPADD: {
        const uint8_t *ip = ASN1_STRING_get0_data(g->d.iPAddress);
        int n = ASN1_STRING_length(g->d.iPAddress);
        if (n == 4) {
            BIO_printf(b, "IP Address:%d.%d.%d.%d", ip[0], ip[1], ip[2], ip[3]);
        } else if (n == 16) {
            BIO_printf(b, "IP Address:");
            for (int i = 0; i < 8; i++)
                BIO_printf(b, i ? ":%X" : "%X", ip[2 * i] << 8 | ip[2 * i + 1]);
        } else {
            BIO_printf(b, "IP Address:<invalid>");
        }
        break;
    }
    case GEN_DIRNAME:
        BIO_printf(b, "DirName:");
        X509_NAME_print_ex(b, g->d.directoryName, 0, XN_FLAG_ONELINE);
        break;
    case GEN_RID: {
        char buf[128];
        OBJ_obj2txt(buf, sizeof buf, g->d.registeredID, 1);
        BIO_printf(b, "Registered ID:%s", buf);
        break;
    }
    case GEN_OTHERNAME:
        BIO_printf(b, "othername:<unsupported>");
        break;
    default:
        BIO_printf(b, "<unsupported>");
        break;
    }
}

static void bio_text(BIO *b, const char *s)
{
    BIO_write(b, s, (int)strlen(s));
}

/* x509Field(handle, name) -> string, or undefined when absent. name:
 * subject, issuer, subjectAltName, infoAccess, validFrom, validTo,
 * validFromTime, validToTime, serialNumber, fingerprint, fingerprint256,
 * fingerprint512, keyUsage, pem. */
static void c_x509_field(vm_call_t *c)
{
    X509 *x = arg_x509(c, 0);
    char *name = x ? arg_str(c, 1) : NULL;
    if (!name)
        return;
    BIO *b = BIO_new(BIO_s_mem());
    bool some = b != NULL;
    if (!b) {
    } else if (!strcmp(name, "subject") || !strcmp(name, "issuer")) {
        bio_name(b, !strcmp(name, "subject") ? X509_get_subject_name(x) : X509_get_issuer_name(x));
    } else if (!strcmp(name, "subjectAltName")) {
        GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
        some = names != NULL;
        for (int i = 0; names && i < sk_GENERAL_NAME_num(names); i++) {
            if (i)
                bio_text(b, ", ");
            bio_general_name(b, sk_GENERAL_NAME_value(names, i));
        }
        GENERAL_NAMES_free(names);
    } else if (!strcmp(name, "infoAccess")) {
        AUTHORITY_INFO_ACCESS *aia = X509_get_ext_d2i(x, NID_info_access, NULL, NULL);
        some = aia != NULL;
        for (int i = 0; aia && i < sk_ACCESS_DESCRIPTION_num(aia); i++) {
            ACCESS_DESCRIPTION *d = sk_ACCESS_DESCRIPTION_value(aia, i);
            char buf[128];
            i2t_ASN1_OBJECT(buf, sizeof buf, d->method);
            if (i)
                bio_text(b, "\n");
            BIO_printf(b, "%s - ", buf);
            bio_general_name(b, d->location);
        }
        AUTHORITY_INFO_ACCESS_free(aia);
    } else if (!strcmp(name, "validFrom") || !strcmp(name, "validTo")) {
        ASN1_TIME_print(b, !strcmp(name, "validFrom") ? X509_get0_notBefore(x)
                                                      : X509_get0_notAfter(x));
    } else if (!strcmp(name, "validFromTime") || !strcmp(name, "validToTime")) {
        struct tm tm;
        if (ASN1_TIME_to_tm(!strcmp(name, "validFromTime") ? X509_get0_notBefore(x)
                                                           : X509_get0_notAfter(x),
                            &tm) == 1)
            BIO_printf(b, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                       tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    } else if (!strcmp(name, "serialNumber")) {
        BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
        char *hex = bn ? BN_bn2hex(bn) : NULL;
        if (hex)
            bio_text(b, hex);
        OPENSSL_free(hex);
        BN_free(bn);
    } else if (!strncmp(name, "fingerprint", 11)) {
        const EVP_MD *md = !strcmp(name, "fingerprint")      ? EVP_sha1()
                           : !strcmp(name, "fingerprint256") ? EVP_sha256()
                                                             : EVP_sha512();
        uint8_t buf[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        if (X509_digest(x, md, buf, &n) == 1)
            for (unsigned int i = 0; i < n; i++)
                BIO_printf(b, i ? ":%02X" : "%02X", buf[i]);
    } else if (!strcmp(name, "keyUsage")) {
        EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
        some = eku != NULL;
        for (int i = 0; eku && i < sk_ASN1_OBJECT_num(eku); i++) {
            char buf[128];
            OBJ_obj2txt(buf, sizeof buf, sk_ASN1_OBJECT_value(eku, i), 1);
            BIO_printf(b, "%s\n", buf);
        }
        EXTENDED_KEY_USAGE_free(eku);
    } else if (!strcmp(name, "pem")) {
        PEM_write_bio_X509(b, x);
    } else if (!strcmp(name, "raw")) {
        i2d_X509_bio(b, x);
    } else if (!strcmp(name, "ca")) {
        bio_text(b, X509_check_ca(x) == 1 ? "1" : "");
    } else {
        some = false;
    }
    ERR_clear_error();
    free(name);
    if (!b) {
        vm_throw_alloc_failed(c);
        return;
    }
    if (some) {
        char *p;
        long n = BIO_get_mem_data(b, &p);
        vm_ret_bytes(c, (const uint8_t *)p, n > 0 ? (size_t)n : 0);
    } else {
        vm_ret_undefined(c);
    }
    BIO_free(b);
}

/* x509PublicKey(handle) -> key handle */
static void c_x509_public_key(vm_call_t *c)
{
    X509 *x = arg_x509(c, 0);
    if (!x)
        return;
    EVP_PKEY *pkey = X509_get_pubkey(x);
    if (!pkey) {
        br__throw_ssl(c, "Failed to get public key");
        return;
    }
    ERR_clear_error();
    ret_pkey(c, pkey, false);
}

/* x509Check(handle, what, value, flags) -> the matched name / true, or
 * undefined. what: host, email, ip. */
static void c_x509_check(vm_call_t *c)
{
    X509 *x = arg_x509(c, 0);
    char *what = x ? arg_str(c, 1) : NULL;
    size_t vlen = 0;
    char *value = what ? vm_arg_str(c, 2, &vlen) : NULL;
    unsigned int flags = (unsigned int)vm_arg_int(c, 3);
    if (!value) {
        free(what);
        return;
    }
    char *peer = NULL;
    int r = 0;
    if (!strcmp(what, "host"))
        r = X509_check_host(x, value, vlen, flags, &peer);
    else if (!strcmp(what, "email"))
        r = X509_check_email(x, value, vlen, flags);
    else
        r = X509_check_ip_asc(x, value, flags);
    ERR_clear_error();
    if (r == 1) {
        const char *s = peer ? peer : value;
        vm_ret_str(c, s, strlen(s));
    } else if (r == -2) {
        throw_msg(c, "TypeError", "ERR_INVALID_ARG_VALUE",
                  !strcmp(what, "ip") ? "Invalid IP" : "Invalid name");
    } else {
        vm_ret_undefined(c);
    }
    OPENSSL_free(peer);
    free(what);
    free(value);
}

/* x509Issued(handle, issuerHandle) -> bool */
static void c_x509_issued(vm_call_t *c)
{
    X509 *x = arg_x509(c, 0), *issuer = x ? arg_x509(c, 1) : NULL;
    if (!issuer)
        return;
    int r = X509_check_issued(issuer, x);
    ERR_clear_error();
    vm_ret_bool(c, r == X509_V_OK);
}

/* x509KeyCheck(handle, keyHandle, private) -> bool: checkPrivateKey
 * (private) or verify(publicKey) */
static void c_x509_key_check(vm_call_t *c)
{
    X509 *x = arg_x509(c, 0);
    pkey_t *k = x ? arg_pkey(c, 1) : NULL;
    if (!k)
        return;
    int r = vm_arg_bool(c, 2) ? X509_check_private_key(x, k->pkey) : X509_verify(x, k->pkey);
    ERR_clear_error();
    vm_ret_bool(c, r == 1);
}

/* spkac(op, bytes): a Netscape SPKAC (crypto.Certificate). op 0: whether
 * its signature verifies; 1: its public key as PEM; 2: its challenge.
 * Bytes ops answer undefined for an SPKAC that does not decode. */
static void c_spkac(vm_call_t *c)
{
    int op = (int)vm_arg_int(c, 0);
    uint8_t *data;
    size_t len;
    if (!br__ssl_ready() || vm_arg_bytes(c, 1, &data, &len) < 0 || len > INT_MAX) {
        throw_msg(c, "RangeError", "ERR_OUT_OF_RANGE", "spkac is too large");
        return;
    }
    while (len > 0 && (data[len - 1] == ' ' || (data[len - 1] >= '\t' && data[len - 1] <= '\r')))
        len--;
    char *text = malloc(len + 1);
    if (!text) {
        vm_throw_alloc_failed(c);
        return;
    }
    if (len)
        memcpy(text, data, len);
    text[len] = '\0';
    NETSCAPE_SPKI *spki = NETSCAPE_SPKI_b64_decode(text, (int)len);
    free(text);
    EVP_PKEY *pkey = spki ? NETSCAPE_SPKI_get_pubkey(spki) : NULL;
    BIO *b = NULL;
    if (op == 0) {
        vm_ret_bool(c, pkey && NETSCAPE_SPKI_verify(spki, pkey) > 0);
    } else if (op == 1 && pkey && (b = BIO_new(BIO_s_mem())) && PEM_write_bio_PUBKEY(b, pkey)) {
        ret_bio(c, b);
    } else if (op == 2 && spki) {
        const ASN1_IA5STRING *ch = spki->spkac->challenge;
        vm_ret_bytes(c, ASN1_STRING_get0_data(ch), (size_t)ASN1_STRING_length(ch));
    } else {
        vm_ret_undefined(c);
    }
    ERR_clear_error();
    BIO_free(b);
    EVP_PKEY_free(pkey);
    NETSCAPE_SPKI_free(spki);
}

/* digestKnown(name) -> whether OpenSSL has the digest */
static void c_digest_known(vm_call_t *c)
{
    vm_ret_bool(c, br__digest_named(c, 0) != NULL);
}

/* curveName(name) -> OpenSSL's short name of the curve (a NIST name such
 * as P-256 taken too), or undefined */
static void c_curve_name(vm_call_t *c)
{
    char *name = arg_str(c, 0);
    int nid = name && br__ssl_ready() ? OBJ_txt2nid(name) : NID_undef;
    if (nid == NID_undef && name)
        nid = EC_curve_nist2nid(name);
    ERR_clear_error();
    free(name);
    EC_GROUP *g = nid != NID_undef ? EC_GROUP_new_by_curve_name(nid) : NULL;
    ERR_clear_error();
    if (!g) {
        vm_ret_undefined(c);
        return;
    }
    EC_GROUP_free(g);
    const char *sn = OBJ_nid2sn(nid);
    vm_ret_str(c, sn, strlen(sn));
}

static const vm_native_t natives[] = {
    {"digestKnown", c_digest_known, 1, VM_NATIVE_PURE},
    {"spkac", c_spkac, 2, VM_NATIVE_PURE},
    {"curveName", c_curve_name, 1, VM_NATIVE_PURE},
    {"parse", c_parse, 5, VM_NATIVE_PURE},
    {"kind", c_kind, 1, VM_NATIVE_PURE},
    {"toPublic", c_to_public, 1, VM_NATIVE_PURE},
    {"export", c_export, 6, VM_NATIVE_PURE},
    {"details", c_details, 1, VM_NATIVE_PURE},
    {"jwk", c_jwk, 2, VM_NATIVE_PURE},
    {"fromJwk", c_from_jwk, 11, VM_NATIVE_PURE},
    {"equals", c_equals, 2, VM_NATIVE_PURE},
    {"generate", c_generate, 11, VM_NATIVE_PURE},
    {"sign", c_sign, 7, VM_NATIVE_PURE},
    {"verify", c_verify, 8, VM_NATIVE_PURE},
    {"crypt", c_crypt, 6, VM_NATIVE_PURE},
    {"derive", c_derive, 2, VM_NATIVE_PURE},
    {"x509Parse", c_x509_parse, 1, VM_NATIVE_PURE},
    {"x509Field", c_x509_field, 2, VM_NATIVE_PURE},
    {"x509PublicKey", c_x509_public_key, 1, VM_NATIVE_PURE},
    {"x509Check", c_x509_check, 4, VM_NATIVE_PURE},
    {"x509Issued", c_x509_issued, 2, VM_NATIVE_PURE},
    {"x509KeyCheck", c_x509_key_check, 3, VM_NATIVE_PURE},
};
const vm_table_t br__pkey_table = {"pkey", natives, sizeof natives / sizeof natives[0]};
