/*
 * bridge/tls.c — TLS for the tls and https modules, over OpenSSL 3's libssl
 * with memory BIOs, as Node's TLSWrap: the state machine runs here, the
 * bytes travel in JS. JS feeds what it read from the underlying stream (a
 * net.Socket, or any Duplex) into `in`, and writes what OpenSSL left in `out`
 * to that stream; plaintext goes in with sslWrite and comes out of sslRead.
 * No descriptor is touched: a TLS socket can only ride on a stream the guest
 * already has, so the broker's decisions on sockets stay the only ones.
 *
 * Handles: a SecureContext is an SSL_CTX, a TLS connection an SSL with its
 * two BIOs (the SSL holds a reference on its context, so a context JS
 * dropped lives as long as its connections). Certificate checks are not
 * left to the handshake: as Node, a client verifies with SSL_VERIFY_NONE
 * and JS reads the verification result afterwards to decide
 * (rejectUnauthorized, checkServerIdentity).
 *
 * The system's trust store is read by this native, from the one fixed
 * public path the sandbox shows (/etc/ssl/certs/ca-certificates.crt), once
 * per process; the guest names no path here, so this is no file oracle.
 *
 * Renegotiation is refused (SSL_OP_NO_RENEGOTIATION) both ways.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "internal.h"

#define TLS_READ_CHUNK 16384
#define TLS_KEYLOG_MAX (64 * 1024) /* lines kept until JS takes them */
#define TLS_STATE_BYTES 65536      /* an SSL's buffers and state, in the budget */
#define TLS_CTX_BYTES 16384        /* an SSL_CTX's own state, in the budget */
#define TLS_CA_BYTES 2048          /* a CA added to a context (store + client CA name) */
#define TLS_SESSIONS_MAX 8
#define TLS_CA_FILE "/etc/ssl/certs/ca-certificates.crt"

typedef struct {
    vm_t *vm;
    SSL_CTX *ctx;
    /* session ticket keys as Node's: name, HMAC-SHA256 key, AES-128 key;
     * owned by the SSL_CTX (its ex_data), which may outlive this handle */
    uint8_t *ticket_keys;
    size_t held;      /* bytes of the budget this context holds */
    size_t cert_held; /* of those, its certificate and chain's (replaced) */
} tctx_t;

#define TLS_TICKET_KEYS 48

typedef struct {
    vm_t *vm;
    SSL *ssl;
    BIO *in, *out; /* network -> ssl, ssl -> network */
    bool server;
    bool pause_hello;  /* server: stop at the ClientHello for JS (SNI, ALPNCallback) */
    bool hello_paused; /* stopped there, until sslResume */
    uint8_t *alpn;     /* server: its protocols in wire form; client: offered */
    size_t alpn_len;
    char *alpn_pick; /* server: what ALPNCallback chose ("" none) */
    char *keylog;    /* lines the keylog callback gave, until JS takes them */
    size_t keylog_len;
    /* client: sessions OpenSSL made (a TLS 1.3 server sends its tickets
     * after the handshake), in DER, until JS takes them ('session') */
    uint8_t *sessions[TLS_SESSIONS_MAX];
    size_t session_len[TLS_SESSIONS_MAX];
    int nsessions;
    size_t in_held; /* budget bytes reserved for what waits in `in` */
} tsock_t;

static void ticket_keys_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
                             void *argp)
{
    (void)parent;
    (void)ad;
    (void)idx;
    (void)argl;
    (void)argp;
    if (ptr)
        OPENSSL_cleanse(ptr, TLS_TICKET_KEYS);
    free(ptr);
}

/* The SSL_CTX's ex_data slot of its ticket keys (freed with it). */
static int ctx_index(void)
{
    static int idx = -2;
    if (idx == -2)
        idx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, ticket_keys_free);
    return idx;
}

static void tctx_free(void *p)
{
    tctx_t *t = p;
    SSL_CTX_free(t->ctx);
    if (t->held)
        vm_release(t->vm, t->held);
    free(t);
}

static const vm_handle_type_t tctx_type = {"SecureContext", tctx_free};

static void tsock_free(void *p)
{
    tsock_t *s = p;
    SSL_free(s->ssl); /* frees its BIOs */
    free(s->alpn);
    free(s->alpn_pick);
    free(s->keylog);
    for (int i = 0; i < s->nsessions; i++)
        free(s->sessions[i]);
    vm_release(s->vm, TLS_STATE_BYTES + s->in_held);
    free(s);
}

static const vm_handle_type_t tsock_type = {"TLSWrap", tsock_free};

static int sock_index(void)
{
    static int idx = -2;
    if (idx == -2)
        idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    return idx;
}

static tsock_t *sock_of(const SSL *ssl)
{
    return SSL_get_ex_data(ssl, sock_index());
}

/* Throws OpenSSL's error with Node's codes: the SSL library's reasons are
 * ERR_SSL_<REASON> in Node, the others ERR_OSSL_<LIB>_<REASON>. */
static void throw_ssl(vm_call_t *c, const char *fallback)
{
    br_ssl_err_t e;
    if (!br__ssl_take(&e)) {
        vm_throw(c, &(vm_error_t){.message = fallback ? fallback : "OpenSSL error"});
        return;
    }
    if (!strncmp(e.code, "ERR_OSSL_SSL_", 13))
        memmove(e.code + 4, e.code + 9, strlen(e.code + 9) + 1);
    vm_throw(c, &(vm_error_t){.message = e.message, .code = e.code});
}

/* ---- the system trust store ---- */

/* The roots as read once per process: their store (shared by every
 * context that uses the defaults), the system's as PEM texts
 * (tls.rootCertificates), and the operator's extra ones (the profile's
 * tls.extra_ca_certs, read by the launcher: cfg.extra_ca_pem), which are
 * in the store and not in rootCertificates, as Node's NODE_EXTRA_CA_CERTS.
 * The natives run on a runtime's loop; the main runtime loads them first
 * (a worker's runtime is made after the main one has started). */
static X509_STORE *root_store;
static STACK_OF(X509) * root_certs, *extra_certs;

static void pem_into(BIO *b, X509_STORE *st, STACK_OF(X509) * list)
{
    X509 *x;
    while (b && (x = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
        X509_STORE_add_cert(st, x);
        if (!sk_X509_push(list, x))
            X509_free(x);
    }
    BIO_free(b);
    ERR_clear_error();
}

static bool roots_load(vm_call_t *c)
{
    if (root_store)
        return true;
    root_certs = sk_X509_new_null();
    extra_certs = sk_X509_new_null();
    X509_STORE *st = X509_STORE_new();
    if (!root_certs || !extra_certs || !st) {
        X509_STORE_free(st);
        return false;
    }
    pem_into(BIO_new_file(TLS_CA_FILE, "r"), st, root_certs);
    const char *extra = br__rt(c)->cfg->extra_ca_pem;
    if (extra)
        pem_into(BIO_new_mem_buf(extra, -1), st, extra_certs);
    root_store = st;
    return true;
}

/* ---- contexts ---- */

static int alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                       const unsigned char *in, unsigned int inlen, void *arg)
{
    (void)arg;
    tsock_t *s = sock_of(ssl);
    if (!s)
        return SSL_TLSEXT_ERR_NOACK;
    if (s->alpn_pick) {
        /* ALPNCallback chose nothing: the handshake fails, as Node's */
        size_t n = strlen(s->alpn_pick);
        if (!n)
            return SSL_TLSEXT_ERR_ALERT_FATAL;
        for (unsigned i = 0; i < inlen; i += 1u + in[i])
            if (in[i] == n && i + 1 + n <= inlen && !memcmp(in + i + 1, s->alpn_pick, n)) {
                *out = in + i + 1;
                *outlen = (unsigned char)n;
                return SSL_TLSEXT_ERR_OK;
            }
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    if (!s->alpn)
        return SSL_TLSEXT_ERR_NOACK;
    unsigned char *o;
    if (SSL_select_next_proto(&o, outlen, s->alpn, (unsigned)s->alpn_len, in, inlen) !=
        OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    *out = o;
    return SSL_TLSEXT_ERR_OK;
}

static void keylog_cb(const SSL *ssl, const char *line)
{
    tsock_t *s = sock_of(ssl);
    size_t n = strlen(line);
    if (!s || s->keylog_len + n + 1 > TLS_KEYLOG_MAX)
        return;
    char *p = realloc(s->keylog, s->keylog_len + n + 2);
    if (!p)
        return;
    memcpy(p + s->keylog_len, line, n);
    p[s->keylog_len + n] = '\n';
    s->keylog_len += n + 1;
    p[s->keylog_len] = '\0';
    s->keylog = p;
}

/* A client's new session, kept in DER for JS; 0: OpenSSL keeps its own. */
static int new_session_cb(SSL *ssl, SSL_SESSION *sess)
{
    tsock_t *s = sock_of(ssl);
    if (!s || s->server || s->nsessions == TLS_SESSIONS_MAX)
        return 0;
    int n = i2d_SSL_SESSION(sess, NULL);
    uint8_t *p = n > 0 ? malloc((size_t)n) : NULL;
    unsigned char *q = p;
    if (!p || i2d_SSL_SESSION(sess, &q) != n) {
        free(p);
        return 0;
    }
    s->sessions[s->nsessions] = p;
    s->session_len[s->nsessions++] = (size_t)n;
    return 0;
}

static int hello_cb(SSL *ssl, int *al, void *arg)
{
    (void)al;
    (void)arg;
    tsock_t *s = sock_of(ssl);
    if (!s || !s->pause_hello)
        return SSL_CLIENT_HELLO_SUCCESS;
    s->pause_hello = false;
    s->hello_paused = true;
    return SSL_CLIENT_HELLO_RETRY;
}

/* Session tickets sealed with the context's 48 bytes of keys, as Node's
 * (so tls.Server's ticketKeys and getTicketKeys are the same 48 bytes): a
 * ticket of another key name is not decrypted (a full handshake). */
static int ticket_cb(SSL *ssl, unsigned char name[16], unsigned char iv[16], EVP_CIPHER_CTX *ectx,
                     EVP_MAC_CTX *hctx, int enc)
{
    const uint8_t *k = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ctx_index());
    if (!k)
        return -1;
    if (enc) {
        memcpy(name, k, 16);
        if (RAND_bytes(iv, 16) != 1 ||
            EVP_EncryptInit_ex(ectx, EVP_aes_128_cbc(), NULL, k + 32, iv) != 1)
            return -1;
    } else {
        if (memcmp(name, k, 16) != 0)
            return 0;
        if (EVP_DecryptInit_ex(ectx, EVP_aes_128_cbc(), NULL, k + 32, iv) != 1)
            return -1;
    }
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, (void *)(k + 16), 16),
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
        OSSL_PARAM_construct_end(),
    };
    return EVP_MAC_CTX_set_params(hctx, params) == 1 ? 1 : -1;
}

/* ctxNew(minVersion, maxVersion) -> handle (versions as 0x0303...) */
static void c_ctx_new(vm_call_t *c)
{
    if (!br__ssl_ready() || OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG, NULL) != 1) {
        throw_ssl(c, "OpenSSL cannot start");
        return;
    }
    if (!vm_reserve(vm_call_vm(c), TLS_CTX_BYTES)) {
        vm_throw_alloc_failed(c);
        return;
    }
    tctx_t *t = calloc(1, sizeof *t);
    if (!t) {
        vm_release(vm_call_vm(c), TLS_CTX_BYTES);
        vm_throw_alloc_failed(c);
        return;
    }
    t->vm = vm_call_vm(c);
    t->held = TLS_CTX_BYTES;
    t->ctx = SSL_CTX_new(TLS_method());
    if (!t->ctx || SSL_CTX_set_min_proto_version(t->ctx, (int)vm_arg_int(c, 0)) != 1 ||
        SSL_CTX_set_max_proto_version(t->ctx, (int)vm_arg_int(c, 1)) != 1) {
        tctx_free(t);
        throw_ssl(c, "SSL_CTX_new failed");
        return;
    }
    SSL_CTX_set_options(t->ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    /* OpenSSL 3.0's own default, which Node keeps (Debian builds in 2) */
    SSL_CTX_set_security_level(t->ctx, 1);
    SSL_CTX_set_mode(t->ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_alpn_select_cb(t->ctx, alpn_select, NULL);
    SSL_CTX_set_keylog_callback(t->ctx, keylog_cb);
    SSL_CTX_set_client_hello_cb(t->ctx, hello_cb, NULL);
    SSL_CTX_set_session_id_context(t->ctx, (const unsigned char *)"node", 4);
    t->ticket_keys = malloc(TLS_TICKET_KEYS);
    if (!t->ticket_keys || RAND_bytes(t->ticket_keys, TLS_TICKET_KEYS) != 1 ||
        SSL_CTX_set_ex_data(t->ctx, ctx_index(), t->ticket_keys) != 1) {
        free(t->ticket_keys);
        tctx_free(t);
        throw_ssl(c, "SSL_CTX_new failed");
        return;
    }
    SSL_CTX_set_tlsext_ticket_key_evp_cb(t->ctx, ticket_cb);
    SSL_CTX_sess_set_cache_size(t->ctx, 1024);
    SSL_CTX_set_session_cache_mode(t->ctx, SSL_SESS_CACHE_BOTH);
    SSL_CTX_sess_set_new_cb(t->ctx, new_session_cb);
    /* Node's default: a client is verified after the handshake, in JS. */
    SSL_CTX_set_verify(t->ctx, SSL_VERIFY_NONE, NULL);
    vm_ret_handle(c, &tctx_type, t);
}

static tctx_t *ctx_arg(vm_call_t *c)
{
    tctx_t *t = vm_arg_handle(c, 0, &tctx_type);
    if (!t)
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "Illegal invocation");
    return t;
}

static BIO *bytes_bio(vm_call_t *c, int i)
{
    uint8_t *p;
    size_t n;
    if (vm_arg_bytes(c, i, &p, &n) < 0 || n > INT_MAX) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "Expected a Buffer");
        return NULL;
    }
    BIO *b = BIO_new_mem_buf(p, (int)n);
    if (!b)
        vm_throw_alloc_failed(c);
    return b;
}

static int pass_cb(char *buf, int size, int rw, void *u)
{
    (void)rw;
    /* no passphrase: an empty one, so a wrong guess reads "bad decrypt" */
    if (!u)
        return 0;
    size_t n = strlen(u);
    if (n > (size_t)size)
        n = (size_t)size;
    memcpy(buf, u, n);
    return (int)n;
}

/* ctxSetCert(ctx, pemBytes): the first certificate, then its chain */
static void c_ctx_set_cert(vm_call_t *c)
{
    tctx_t *t = ctx_arg(c);
    BIO *b = t ? bytes_bio(c, 1) : NULL;
    if (!b)
        return;
    /* the certificate and its chain stay with the context: their PEM's
     * size in the budget, in place of the previous one's */
    size_t len = (size_t)BIO_ctrl_pending(b);
    if (len > t->cert_held && !vm_reserve(t->vm, len - t->cert_held)) {
        BIO_free(b);
        vm_throw_alloc_failed(c);
        return;
    }
    if (len < t->cert_held)
        vm_release(t->vm, t->cert_held - len);
    t->held = t->held - t->cert_held + len;
    t->cert_held = len;
    X509 *x = PEM_read_bio_X509_AUX(b, NULL, NULL, NULL);
    if (!x || SSL_CTX_use_certificate(t->ctx, x) != 1) {
        X509_free(x);
        BIO_free(b);
        throw_ssl(c, "Invalid certificate");
        return;
    }
    X509_free(x);
    SSL_CTX_clear_chain_certs(t->ctx);
    X509 *ca;
    while ((ca = PEM_read_bio_X509(b, NULL, NULL, NULL)))
        if (SSL_CTX_add0_chain_cert(t->ctx, ca) != 1)
            X509_free(ca);
    ERR_clear_error();
    BIO_free(b);
}

/* ctxSetKey(ctx, pemBytes, passphrase or undefined) */
static void c_ctx_set_key(vm_call_t *c)
{
    tctx_t *t = ctx_arg(c);
    BIO *b = t ? bytes_bio(c, 1) : NULL;
    if (!b)
        return;
    char *pass = vm_arg_type(c, 2) == VM_T_STRING ? vm_arg_str(c, 2, NULL) : NULL;
    EVP_PKEY *k = PEM_read_bio_PrivateKey(b, NULL, pass_cb, pass);
    if (pass) {
        OPENSSL_cleanse(pass, strlen(pass));
        free(pass);
    }
    BIO_free(b);
    if (!k || SSL_CTX_use_PrivateKey(t->ctx, k) != 1) {
        EVP_PKEY_free(k);
        throw_ssl(c, "Invalid private key");
        return;
    }
    EVP_PKEY_free(k);
}

/* The context's own store (a context given `ca` trusts those only). */
static X509_STORE *own_store(tctx_t *t)
{
    X509_STORE *st = SSL_CTX_get_cert_store(t->ctx);
    if (st == root_store) {
        st = X509_STORE_new();
        if (st)
            SSL_CTX_set_cert_store(t->ctx, st);
    }
    return st;
}

/* ctxAddCA(ctx, pemBytes): trusted, and named to clients as acceptable */
static void c_ctx_add_ca(vm_call_t *c)
{
    tctx_t *t = ctx_arg(c);
    BIO *b = t ? bytes_bio(c, 1) : NULL;
    if (!b)
        return;
    X509_STORE *st = own_store(t);
    X509 *x;
    int n = 0;
    /* _AUX: "TRUSTED CERTIFICATE" too, as Node reads a CA */
    while (st && (x = PEM_read_bio_X509_AUX(b, NULL, NULL, NULL))) {
        /* each adds a client CA name (never deduplicated) and maybe a
         * store entry: counted until the context goes */
        if (!vm_reserve(t->vm, TLS_CA_BYTES)) {
            X509_free(x);
            BIO_free(b);
            ERR_clear_error();
            vm_throw_alloc_failed(c);
            return;
        }
        t->held += TLS_CA_BYTES;
        X509_STORE_add_cert(st, x);
        SSL_CTX_add_client_CA(t->ctx, x);
        X509_free(x);
        n++;
    }
    BIO_free(b);
    ERR_clear_error();
    vm_ret_num(c, n);
}

/* ctxAddRoots(ctx): the system's roots (the default trust) */
static void c_ctx_add_roots(vm_call_t *c)
{
    tctx_t *t = ctx_arg(c);
    if (!t)
        return;
    if (!roots_load(c)) {
        vm_throw_alloc_failed(c);
        return;
    }
    X509_STORE *st = SSL_CTX_get_cert_store(t->ctx);
    if (st == root_store)
        return;
    /* a fresh context's own empty store is swapped for the shared one;
     * one that has CAs already gets the roots added */
    STACK_OF(X509_OBJECT) *objs = st ? X509_STORE_get0_objects(st) : NULL;
    if (!objs || sk_X509_OBJECT_num(objs) == 0) {
        X509_STORE_up_ref(root_store);
        SSL_CTX_set_cert_store(t->ctx, root_store);
        return;
    }
    for (int i = 0; i < sk_X509_num(root_certs); i++)
        X509_STORE_add_cert(st, sk_X509_value(root_certs, i));
    for (int i = 0; i < sk_X509_num(extra_certs); i++)
        X509_STORE_add_cert(st, sk_X509_value(extra_certs, i));
    ERR_clear_error();
}

/* ctxSetCiphers(ctx, tls12List or undefined, tls13Suites or undefined):
 * OpenSSL keeps the two apart; an empty TLS 1.2 list with TLS 1.3 suites
 * leaves TLS 1.3 only, as Node's */
static void c_ctx_set_ciphers(vm_call_t *c)
{
    tctx_t *t = ctx_arg(c);
    if (!t)
        return;
    char *l12 = vm_arg_type(c, 1) == VM_T_STRING ? vm_arg_str(c, 1, NULL) : NULL;
    char *l13 = vm_arg_type(c, 2) == VM_T_STRING ? vm_arg_str(c, 2, NULL) : NULL;
    bool ok = true;
    if (l12 && *l12)
        ok = SSL_CTX_set_cipher_list(t->ctx, l12) == 1;
    else if (l12 && l13 && *l13)
        SSL_CTX_set_cipher_list(t->ctx, "");
    if (ok && l13)
        ok = SSL_CTX_set_ciphersuites(t->ctx, l13) == 1;
    free(l12);
    free(l13);
    if (!ok)
        throw_ssl(c, "No cipher match");
    else
        ERR_clear_error();
}

/* ctxSetCurves(ctx, "P-256:X25519") */
static void c_ctx_set_curves(vm_call_t *c)
{
    tctx_t *t = ctx_arg(c);
    char *s = t ? vm_arg_str(c, 1, NULL) : NULL;
    if (!s)
        return;
    if (SSL_CTX_set1_groups_list(t->ctx, s) != 1) {
        ERR_clear_error();
        vm_throw(c, &(vm_error_t){.code = "ERR_CRYPTO_OPERATION_FAILED",
                                  .message = "Failed to set ECDH curve"});
    }
    free(s);
}

/* ctxSetDH(ctx, pemBytes) -> bits */
static void c_ctx_set_dh(vm_call_t *c)
{
    tctx_t *t = ctx_arg(c);
    BIO *b = t ? bytes_bio(c, 1) : NULL;
    if (!b)
        return;
    EVP_PKEY *dh = PEM_read_bio_Parameters(b, NULL);
    BIO_free(b);
    int bits = dh ? EVP_PKEY_get_bits(dh) : 0;
    if (!dh || SSL_CTX_set0_tmp_dh_pkey(t->ctx, dh) != 1) {
        EVP_PKEY_free(dh);
        throw_ssl(c, "Invalid DH parameters");
        return;
    }
    vm_ret_num(c, bits);
}

/* ctxSetDHAuto(ctx): OpenSSL's built-in groups, sized to the
 * certificate's key (dhparam: 'auto', as Node) */
static void c_ctx_set_dh_auto(vm_call_t *c)
{
    tctx_t *t = ctx_arg(c);
    if (t && SSL_CTX_set_dh_auto(t->ctx, 1) != 1)
        throw_ssl(c, "Invalid DH parameters");
}

/* ctxLoadPKCS12(ctx, bytes, passphrase or undefined) */
static void c_ctx_pfx(vm_call_t *c)
{
    tctx_t *t = ctx_arg(c);
    BIO *b = t ? bytes_bio(c, 1) : NULL;
    if (!b)
        return;
    char *pass = vm_arg_type(c, 2) == VM_T_STRING ? vm_arg_str(c, 2, NULL) : NULL;
    PKCS12 *p12 = d2i_PKCS12_bio(b, NULL);
    BIO_free(b);
    EVP_PKEY *k = NULL;
    X509 *x = NULL;
    STACK_OF(X509) *extra = NULL;
    bool parsed = p12 && PKCS12_parse(p12, pass ? pass : "", &k, &x, &extra) == 1;
    const char *why = !parsed ? "Unable to load PFX certificate"
                      : !k    ? "Unable to load private key from PFX data"
                      : !x    ? "Unable to load certificate from PFX data"
                              : NULL;
    bool ok =
        !why && SSL_CTX_use_certificate(t->ctx, x) == 1 && SSL_CTX_use_PrivateKey(t->ctx, k) == 1;
    if (pass) {
        OPENSSL_cleanse(pass, strlen(pass));
        free(pass);
    }
    if (ok) {
        X509_STORE *st = own_store(t);
        for (int i = 0; st && i < sk_X509_num(extra); i++) {
            X509 *ca = sk_X509_value(extra, i);
            X509_STORE_add_cert(st, ca);
            SSL_CTX_add_client_CA(t->ctx, ca);
            X509_up_ref(ca);
            if (SSL_CTX_add0_chain_cert(t->ctx, ca) != 1)
                X509_free(ca);
        }
    }
    PKCS12_free(p12);
    EVP_PKEY_free(k);
    X509_free(x);
    sk_X509_pop_free(extra, X509_free);
    if (parsed && why) {
        ERR_clear_error();
        vm_throw(c, &(vm_error_t){.message = why});
    } else if (!ok) {
        throw_ssl(c, "Unable to load PFX certificate");
    } else {
        ERR_clear_error();
    }
}

/* ctxTicketKeys(ctx, keys48 or undefined) -> the keys (48 bytes) */
static void c_ctx_ticket_keys(vm_call_t *c)
{
    tctx_t *t = ctx_arg(c);
    if (!t)
        return;
    uint8_t *p;
    size_t n;
    if (vm_arg_bytes(c, 1, &p, &n) == 0) {
        if (n != TLS_TICKET_KEYS) {
            vm_throwf(c, "TypeError", "ERR_INVALID_ARG_VALUE",
                      "Ticket keys length must be 48 bytes");
            return;
        }
        memcpy(t->ticket_keys, p, n);
    }
    vm_ret_bytes(c, t->ticket_keys, TLS_TICKET_KEYS);
}

/* ctxSetOptions(ctx, sessionTimeout or -1, honorCipherOrder, secureOptions) */
static void c_ctx_set_options(vm_call_t *c)
{
    tctx_t *t = ctx_arg(c);
    if (!t)
        return;
    if (vm_arg_int(c, 1) >= 0)
        SSL_CTX_set_timeout(t->ctx, (long)vm_arg_int(c, 1));
    if (!vm_arg_bool(c, 2))
        SSL_CTX_clear_options(t->ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
    if (vm_arg_type(c, 3) == VM_T_NUMBER)
        SSL_CTX_set_options(t->ctx, (uint64_t)vm_arg_num(c, 3));
}

/* ctxOwnCert(ctx) -> DER of its certificate, or undefined */
static void ret_der(vm_call_t *c, X509 *x)
{
    unsigned char *der = NULL;
    int n = x ? i2d_X509(x, &der) : -1;
    if (n > 0)
        vm_ret_bytes(c, der, (size_t)n);
    OPENSSL_free(der);
}

static void c_ctx_own_cert(vm_call_t *c)
{
    tctx_t *t = ctx_arg(c);
    if (t)
        ret_der(c, SSL_CTX_get0_certificate(t->ctx));
}

/* ---- connections ---- */

/* A server's check of a client certificate is JS's, after the handshake
 * (Node's): the chain's result is kept, the handshake goes on. */
static int verify_accept(int ok, X509_STORE_CTX *x)
{
    (void)ok;
    (void)x;
    return 1;
}

/* sslNew(ctx, isServer, servername or '', alpnWire or undefined,
 *        requestCert, rejectUnauthorized, pauseHello) -> handle */
static void c_ssl_new(vm_call_t *c)
{
    tctx_t *t = ctx_arg(c);
    if (!t)
        return;
    vm_t *vm = vm_call_vm(c);
    if (!vm_reserve(vm, TLS_STATE_BYTES)) {
        vm_throw_alloc_failed(c);
        return;
    }
    tsock_t *s = calloc(1, sizeof *s);
    if (!s) {
        vm_release(vm, TLS_STATE_BYTES);
        vm_throw_alloc_failed(c);
        return;
    }
    s->vm = vm;
    s->server = vm_arg_bool(c, 1);
    s->ssl = SSL_new(t->ctx);
    s->in = BIO_new(BIO_s_mem());
    s->out = BIO_new(BIO_s_mem());
    if (!s->ssl || !s->in || !s->out) {
        BIO_free(s->in);
        BIO_free(s->out);
        tsock_free(s);
        throw_ssl(c, "SSL_new failed");
        return;
    }
    BIO_set_mem_eof_return(s->in, -1);
    SSL_set_bio(s->ssl, s->in, s->out);
    SSL_set_ex_data(s->ssl, sock_index(), s);
    uint8_t *p;
    size_t n;
    if (vm_arg_bytes(c, 3, &p, &n) == 0 && n && n < 65536 && (s->alpn = malloc(n))) {
        memcpy(s->alpn, p, n);
        s->alpn_len = n;
        if (!s->server)
            SSL_set_alpn_protos(s->ssl, s->alpn, (unsigned)n);
    }
    if (s->server) {
        if (vm_arg_bool(c, 4))
            SSL_set_verify(
                s->ssl, SSL_VERIFY_PEER | (vm_arg_bool(c, 5) ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0),
                verify_accept);
        s->pause_hello = vm_arg_bool(c, 6);
        SSL_set_accept_state(s->ssl);
    } else {
        char *name = vm_arg_str(c, 2, NULL);
        if (name && *name)
            SSL_set_tlsext_host_name(s->ssl, name);
        free(name);
        SSL_set_connect_state(s->ssl);
    }
    ERR_clear_error();
    vm_ret_handle(c, &tsock_type, s);
}

static tsock_t *sock_arg(vm_call_t *c)
{
    tsock_t *s = vm_arg_handle(c, 0, &tsock_type);
    if (!s)
        vm_throwf(c, "Error", "ERR_TLS_INVALID_STATE",
                  "TLS socket connection must be securely established");
    return s;
}

/* sslSetServername(ssl, name): SNI, before the ClientHello goes */
static void c_ssl_set_servername(vm_call_t *c)
{
    tsock_t *s = sock_arg(c);
    char *name = s ? vm_arg_str(c, 1, NULL) : NULL;
    if (name && SSL_set_tlsext_host_name(s->ssl, name) != 1)
        throw_ssl(c, "Invalid servername");
    free(name);
}

/* sslFeed(ssl, bytes): what the network brought */
static void c_ssl_feed(vm_call_t *c)
{
    tsock_t *s = sock_arg(c);
    uint8_t *p;
    size_t n;
    if (!s)
        return;
    if (vm_arg_bytes(c, 1, &p, &n) < 0 || n > INT_MAX) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "Expected bytes");
        return;
    }
    /* what waits in `in` (a client not started, a server paused at its
     * ClientHello, a peer sending faster than it is read) is in the
     * budget: reserved for the bytes pending after this write, released
     * as OpenSSL consumes them (counted again at each feed) */
    size_t want = (size_t)BIO_ctrl_pending(s->in) + n;
    if (want > s->in_held) {
        if (!vm_reserve(s->vm, want - s->in_held)) {
            vm_throw_alloc_failed(c);
            return;
        }
    } else {
        vm_release(s->vm, s->in_held - want);
    }
    s->in_held = want;
    if (n && BIO_write(s->in, p, (int)n) != (int)n)
        vm_throw_alloc_failed(c);
}

/* An SSL_get_error outcome: 0 want more, -1 thrown. */
static int ssl_fail(vm_call_t *c, tsock_t *s, int r)
{
    int e = SSL_get_error(s->ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        ERR_clear_error();
        return 0;
    }
    throw_ssl(c, e == SSL_ERROR_SYSCALL ? "socket hang up" : "SSL error");
    return -1;
}

/* sslHandshake(ssl) -> 1 done, 0 wants more bytes, 2 stopped at the
 * ClientHello (JS answers with sslResume) */
static void c_ssl_handshake(vm_call_t *c)
{
    tsock_t *s = sock_arg(c);
    if (!s)
        return;
    if (SSL_is_init_finished(s->ssl)) {
        vm_ret_num(c, 1);
        return;
    }
    int r = SSL_do_handshake(s->ssl);
    if (r == 1) {
        vm_ret_num(c, 1);
        return;
    }
    if (SSL_get_error(s->ssl, r) == SSL_ERROR_WANT_CLIENT_HELLO_CB) {
        ERR_clear_error();
        vm_ret_num(c, 2);
        return;
    }
    if (ssl_fail(c, s, r) == 0)
        vm_ret_num(c, 0);
}

/* sslHello(ssl) -> [servername or '', client's ALPN list in wire form] */
static void c_ssl_hello(vm_call_t *c)
{
    tsock_t *s = sock_arg(c);
    if (!s)
        return;
    const unsigned char *p;
    size_t n;
    char name[256] = "";
    /* server_name: list length(2) type(1) name length(2) name */
    if (SSL_client_hello_get0_ext(s->ssl, TLSEXT_TYPE_server_name, &p, &n) == 1 && n > 5 &&
        p[2] == 0) {
        size_t len = ((size_t)p[3] << 8) | p[4];
        if (len + 5 <= n && len < sizeof name) {
            memcpy(name, p + 5, len);
            name[len] = '\0';
            if (strlen(name) != len)
                name[0] = '\0';
        }
    }
    vm_val_t items[2] = {VM_STR(name, strlen(name)), VM_UNDEF};
    if (SSL_client_hello_get0_ext(s->ssl, TLSEXT_TYPE_application_layer_protocol_negotiation, &p,
                                  &n) == 1 &&
        n > 2)
        items[1] = (vm_val_t){.type = VM_T_STRING, .u.str = {(const char *)p + 2, n - 2}};
    if (items[1].type == VM_T_STRING) {
        /* the wire list as latin-1 bytes is awkward in JS: as a comma list */
        const uint8_t *w = (const uint8_t *)items[1].u.str.p;
        size_t wn = items[1].u.str.len, o = 0;
        char *list = malloc(wn + 1);
        if (!list) {
            vm_throw_alloc_failed(c);
            return;
        }
        for (size_t i = 0; i < wn;) {
            size_t l = w[i++];
            if (i + l > wn)
                break;
            if (o)
                list[o++] = ',';
            memcpy(list + o, w + i, l);
            o += l;
            i += l;
        }
        list[o] = '\0';
        items[1] = VM_STR(list, o);
        vm_ref_t a = vm_new_array(s->vm, items, 2);
        free(list);
        vm_ret_ref(c, a);
        vm_ref_free(s->vm, a);
        return;
    }
    vm_ref_t a = vm_new_array(s->vm, items, 2);
    vm_ret_ref(c, a);
    vm_ref_free(s->vm, a);
}

/* sslResume(ssl, ctx or undefined, alpnPick or undefined): after the
 * ClientHello, the context SNI chose and ALPNCallback's protocol */
static void c_ssl_resume(vm_call_t *c)
{
    tsock_t *s = sock_arg(c);
    if (!s)
        return;
    tctx_t *t = vm_arg_handle(c, 1, &tctx_type);
    if (t && SSL_set_SSL_CTX(s->ssl, t->ctx) != t->ctx) {
        throw_ssl(c, "SSL_set_SSL_CTX failed");
        return;
    }
    if (vm_arg_type(c, 2) == VM_T_STRING) {
        free(s->alpn_pick);
        s->alpn_pick = vm_arg_str(c, 2, NULL);
    }
    s->hello_paused = false;
}

/* sslRead(ssl) -> plaintext bytes, null (nothing yet), or 0 (the peer
 * closed with close_notify) */
static void c_ssl_read(vm_call_t *c)
{
    tsock_t *s = sock_arg(c);
    if (!s)
        return;
    uint8_t buf[TLS_READ_CHUNK];
    size_t got = 0;
    int r = SSL_read_ex(s->ssl, buf, sizeof buf, &got) == 1 ? 1 : 0;
    if (r == 1) {
        vm_ret_bytes(c, buf, got);
        return;
    }
    int e = SSL_get_error(s->ssl, 0);
    if (e == SSL_ERROR_ZERO_RETURN) {
        ERR_clear_error();
        vm_ret_num(c, 0);
        return;
    }
    ssl_fail(c, s, 0); /* nothing yet: undefined */
}

/* sslWrite(ssl, bytes) -> bytes taken (all, or 0 before the handshake
 * ends) */
static void c_ssl_write(vm_call_t *c)
{
    tsock_t *s = sock_arg(c);
    uint8_t *p;
    size_t n, done = 0;
    if (!s)
        return;
    if (vm_arg_bytes(c, 1, &p, &n) < 0) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "Expected bytes");
        return;
    }
    if (!n) {
        vm_ret_num(c, 0);
        return;
    }
    if (SSL_write_ex(s->ssl, p, n, &done) != 1 && ssl_fail(c, s, 0) < 0)
        return;
    vm_ret_num(c, (double)done);
}

/* sslOut(ssl) -> the bytes for the network, or undefined */
static void c_ssl_out(vm_call_t *c)
{
    tsock_t *s = sock_arg(c);
    if (!s)
        return;
    size_t n = BIO_ctrl_pending(s->out);
    if (!n)
        return;
    uint8_t *p = malloc(n);
    if (!p) {
        vm_throw_alloc_failed(c);
        return;
    }
    int r = BIO_read(s->out, p, (int)n);
    if (r <= 0) {
        free(p);
        return;
    }
    vm_ret_bytes_take(c, p, (size_t)r);
}

/* sslShutdown(ssl): queues close_notify */
static void c_ssl_shutdown(vm_call_t *c)
{
    tsock_t *s = sock_arg(c);
    if (!s)
        return;
    if (SSL_is_init_finished(s->ssl))
        SSL_shutdown(s->ssl);
    ERR_clear_error();
}

/* sslKeylog(ssl) -> the NSS key log lines since the last call, or undefined */
static void c_ssl_keylog(vm_call_t *c)
{
    tsock_t *s = sock_arg(c);
    if (!s || !s->keylog_len)
        return;
    vm_ret_str(c, s->keylog, s->keylog_len);
    free(s->keylog);
    s->keylog = NULL;
    s->keylog_len = 0;
}

/* sslSessions(ssl) -> the new sessions in DER (oldest first), or undefined */
static void c_ssl_sessions(vm_call_t *c)
{
    tsock_t *s = sock_arg(c);
    if (!s || !s->nsessions)
        return;
    vm_val_t items[TLS_SESSIONS_MAX];
    for (int i = 0; i < s->nsessions; i++)
        items[i] = VM_BYTES_TAKE(s->sessions[i], s->session_len[i]);
    vm_ref_t a = vm_new_array(s->vm, items, (size_t)s->nsessions);
    s->nsessions = 0;
    vm_ret_ref(c, a);
    vm_ref_free(s->vm, a);
}

/* sslInfo(ssl) -> [protocol, cipher name, cipher standard name, cipher
 * version, alpn or '', servername or '', reused, verify code or '', verify
 * message, ephemeral type, ephemeral name, ephemeral size, peerFinished?] */
static const struct {
    int v;
    const char *code;
} verify_codes[] = {
    {X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, "UNABLE_TO_GET_ISSUER_CERT"},
    {X509_V_ERR_UNABLE_TO_GET_CRL, "UNABLE_TO_GET_CRL"},
    {X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE, "UNABLE_TO_DECRYPT_CERT_SIGNATURE"},
    {X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE, "UNABLE_TO_DECRYPT_CRL_SIGNATURE"},
    {X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY, "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY"},
    {X509_V_ERR_CERT_SIGNATURE_FAILURE, "CERT_SIGNATURE_FAILURE"},
    {X509_V_ERR_CRL_SIGNATURE_FAILURE, "CRL_SIGNATURE_FAILURE"},
    {X509_V_ERR_CERT_NOT_YET_VALID, "CERT_NOT_YET_VALID"},
    {X509_V_ERR_CERT_HAS_EXPIRED, "CERT_HAS_EXPIRED"},
    {X509_V_ERR_CRL_NOT_YET_VALID, "CRL_NOT_YET_VALID"},
    {X509_V_ERR_CRL_HAS_EXPIRED, "CRL_HAS_EXPIRED"},
    {X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD, "ERROR_IN_CERT_NOT_BEFORE_FIELD"},
    {X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD, "ERROR_IN_CERT_NOT_AFTER_FIELD"},
    {X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD, "ERROR_IN_CRL_LAST_UPDATE_FIELD"},
    {X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD, "ERROR_IN_CRL_NEXT_UPDATE_FIELD"},
    {X509_V_ERR_OUT_OF_MEM, "OUT_OF_MEM"},
    {X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, "DEPTH_ZERO_SELF_SIGNED_CERT"},
    {X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, "SELF_SIGNED_CERT_IN_CHAIN"},
    {X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, "UNABLE_TO_GET_ISSUER_CERT_LOCALLY"},
    {X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE, "UNABLE_TO_VERIFY_LEAF_SIGNATURE"},
    {X509_V_ERR_CERT_CHAIN_TOO_LONG, "CERT_CHAIN_TOO_LONG"},
    {X509_V_ERR_CERT_REVOKED, "CERT_REVOKED"},
    {X509_V_ERR_INVALID_CA, "INVALID_CA"},
    {X509_V_ERR_PATH_LENGTH_EXCEEDED, "PATH_LENGTH_EXCEEDED"},
    {X509_V_ERR_INVALID_PURPOSE, "INVALID_PURPOSE"},
    {X509_V_ERR_CERT_UNTRUSTED, "CERT_UNTRUSTED"},
    {X509_V_ERR_CERT_REJECTED, "CERT_REJECTED"},
    {X509_V_ERR_HOSTNAME_MISMATCH, "HOSTNAME_MISMATCH"},
};

static void c_ssl_info(vm_call_t *c)
{
    tsock_t *s = sock_arg(c);
    if (!s)
        return;
    const SSL_CIPHER *ci = SSL_get_current_cipher(s->ssl);
    const unsigned char *alpn = NULL;
    unsigned alpn_len = 0;
    SSL_get0_alpn_selected(s->ssl, &alpn, &alpn_len);
    const char *sn = SSL_get_servername(s->ssl, TLSEXT_NAMETYPE_host_name);
    const char *vcode = "", *vmsg = "";
    long v = SSL_get_verify_result(s->ssl);
    X509 *peer = SSL_get0_peer_certificate(s->ssl);
    /* a lone leaf whose issuer is unknown: OpenSSL 3.0's word, as Node says */
    STACK_OF(X509) *ch = SSL_get_peer_cert_chain(s->ssl);
    if (v == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY && peer && ch &&
        sk_X509_num(ch) == (s->server ? 0 : 1))
        v = X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE;
    if (v != X509_V_OK) {
        vmsg = X509_verify_cert_error_string(v);
        vcode = "UNSPECIFIED";
        for (size_t i = 0; i < sizeof verify_codes / sizeof verify_codes[0]; i++)
            if (verify_codes[i].v == v)
                vcode = verify_codes[i].code;
    } else if (!peer) {
        vcode = "UNABLE_TO_GET_ISSUER_CERT";
        vmsg = "unable to get issuer certificate";
    }
    const char *etype = "", *ename = "";
    int esize = 0;
    EVP_PKEY *tmp = NULL;
    if (!s->server && SSL_get_peer_tmp_key(s->ssl, &tmp) == 1) {
        int id = EVP_PKEY_get_id(tmp);
        esize = EVP_PKEY_get_bits(tmp);
        if (id == EVP_PKEY_DH) {
            etype = "DH";
        } else if (id == EVP_PKEY_X25519) {
            etype = "ECDH";
            ename = "X25519";
        } else if (id == EVP_PKEY_X448) {
            etype = "ECDH";
            ename = "X448";
        } else if (id == EVP_PKEY_EC) {
            etype = "ECDH";
            char g[64];
            size_t gl = 0;
            if (EVP_PKEY_get_utf8_string_param(tmp, "group", g, sizeof g, &gl) == 1) {
                int nid = OBJ_sn2nid(g);
                const char *nist = nid ? EC_curve_nid2nist(nid) : NULL;
                ename = OBJ_nid2sn(nid) ? OBJ_nid2sn(nid) : "";
                (void)nist;
            }
        }
    }
    char alpn_s[256];
    size_t an = alpn_len < sizeof alpn_s ? alpn_len : sizeof alpn_s - 1;
    if (alpn)
        memcpy(alpn_s, alpn, an);
    alpn_s[alpn ? an : 0] = '\0';
    const char *proto = SSL_get_version(s->ssl);
    const char *cname = ci ? SSL_CIPHER_get_name(ci) : "";
    const char *cstd = ci ? SSL_CIPHER_standard_name(ci) : "";
    const char *cver = ci ? SSL_CIPHER_get_version(ci) : "";
    vm_val_t items[] = {
        VM_STR(proto, strlen(proto)),
        VM_STR(cname, strlen(cname)),
        VM_STR(cstd ? cstd : "", cstd ? strlen(cstd) : 0),
        VM_STR(cver, strlen(cver)),
        VM_STR(alpn_s, strlen(alpn_s)),
        VM_STR(sn ? sn : "", sn ? strlen(sn) : 0),
        VM_BOOL(SSL_session_reused(s->ssl) == 1),
        VM_STR(vcode, strlen(vcode)),
        VM_STR(vmsg, strlen(vmsg)),
        VM_STR(etype, strlen(etype)),
        VM_STR(ename, strlen(ename)),
        VM_NUM(esize),
        VM_BOOL(peer != NULL),
    };
    EVP_PKEY_free(tmp);
    vm_ref_t a = vm_new_array(s->vm, items, sizeof items / sizeof items[0]);
    vm_ret_ref(c, a);
    vm_ref_free(s->vm, a);
}

/* sslPeerCert(ssl, i) -> DER of the peer's i-th certificate (0: its own,
 * then the chain it sent), or undefined */
static void c_ssl_peer_cert(vm_call_t *c)
{
    tsock_t *s = sock_arg(c);
    if (!s)
        return;
    int64_t i = vm_arg_int(c, 1);
    X509 *peer = SSL_get0_peer_certificate(s->ssl);
    if (i == 0) {
        ret_der(c, peer);
        return;
    }
    /* the chain as verified (up to the trusted root) when there is one,
     * else as sent: the client's chain holds its leaf, the server's does
     * not (OpenSSL) */
    STACK_OF(X509) *ch = SSL_get0_verified_chain(s->ssl);
    int off = 1;
    if (!ch || sk_X509_num(ch) < 2) {
        ch = SSL_get_peer_cert_chain(s->ssl);
        off = s->server ? 0 : 1;
    }
    if (ch && i - 1 + off >= 0 && i - 1 + off < sk_X509_num(ch))
        ret_der(c, sk_X509_value(ch, (int)(i - 1 + off)));
}

/* sslOwnCert(ssl) -> DER of the certificate this end sent, or undefined */
static void c_ssl_own_cert(vm_call_t *c)
{
    tsock_t *s = sock_arg(c);
    if (s)
        ret_der(c, SSL_get_certificate(s->ssl));
}

/* sslSession(ssl) -> the session in DER, or undefined */
static void c_ssl_session(vm_call_t *c)
{
    tsock_t *s = sock_arg(c);
    if (!s)
        return;
    SSL_SESSION *ss = SSL_get_session(s->ssl);
    if (!ss)
        return;
    unsigned char *der = NULL;
    int n = i2d_SSL_SESSION(ss, &der);
    if (n > 0)
        vm_ret_bytes(c, der, (size_t)n);
    OPENSSL_free(der);
}

/* sslSetSession(ssl, der) */
static void c_ssl_set_session(vm_call_t *c)
{
    tsock_t *s = sock_arg(c);
    uint8_t *p;
    size_t n;
    if (!s || vm_arg_bytes(c, 1, &p, &n) < 0 || n > INT_MAX)
        return;
    const unsigned char *q = p;
    SSL_SESSION *ss = d2i_SSL_SESSION(NULL, &q, (long)n);
    if (!ss) {
        throw_ssl(c, "Bad session");
        return;
    }
    SSL_set_session(s->ssl, ss);
    SSL_SESSION_free(ss);
    ERR_clear_error();
}

/* sslTicket(ssl) -> the session ticket, or undefined */
static void c_ssl_ticket(vm_call_t *c)
{
    tsock_t *s = sock_arg(c);
    SSL_SESSION *ss = s ? SSL_get_session(s->ssl) : NULL;
    const unsigned char *t;
    size_t n;
    if (!ss || !SSL_SESSION_has_ticket(ss))
        return;
    SSL_SESSION_get0_ticket(ss, &t, &n);
    vm_ret_bytes(c, t, n);
}

/* sslExportKeyingMaterial(ssl, length, label, context or undefined) */
static void c_ssl_ekm(vm_call_t *c)
{
    tsock_t *s = sock_arg(c);
    if (!s)
        return;
    int64_t len = vm_arg_int(c, 1);
    if (len <= 0 || len > (1 << 20)) {
        vm_throwf(c, "RangeError", "ERR_OUT_OF_RANGE", "The value of \"length\" is out of range.");
        return;
    }
    size_t ln;
    char *label = vm_arg_str(c, 2, &ln);
    uint8_t *ctxp = NULL;
    size_t ctxn = 0;
    bool use_ctx = vm_arg_bytes(c, 3, &ctxp, &ctxn) == 0;
    uint8_t *out = malloc((size_t)len);
    if (!label || !out) {
        free(label);
        free(out);
        vm_throw_alloc_failed(c);
        return;
    }
    if (SSL_export_keying_material(s->ssl, out, (size_t)len, label, ln, ctxp, ctxn, use_ctx) != 1) {
        free(label);
        free(out);
        throw_ssl(c, "Key extraction failed");
        return;
    }
    free(label);
    vm_ret_bytes_take(c, out, (size_t)len);
}

/* sslFinished(ssl, peer) -> the Finished message, or undefined */
static void c_ssl_finished(vm_call_t *c)
{
    tsock_t *s = sock_arg(c);
    if (!s)
        return;
    uint8_t buf[128];
    size_t n = vm_arg_bool(c, 1) ? SSL_get_peer_finished(s->ssl, buf, sizeof buf)
                                 : SSL_get_finished(s->ssl, buf, sizeof buf);
    if (n && n <= sizeof buf)
        vm_ret_bytes(c, buf, n);
}

/* sslSetVerify(ssl, requestCert, rejectUnauthorized) (setRenegotiate-free) */
static void c_ssl_max_frag(vm_call_t *c)
{
    tsock_t *s = sock_arg(c);
    if (!s)
        return;
    int64_t n = vm_arg_int(c, 1);
    vm_ret_bool(c, SSL_set_max_send_fragment(s->ssl, (long)n) == 1);
}

/* ---- certificates ---- */

static void push_name(vm_val_t *v, size_t *n, size_t cap, char bufs[][512], X509_NAME *nm)
{
    for (int i = 0; nm && i < X509_NAME_entry_count(nm) && *n + 2 <= cap; i++) {
        X509_NAME_ENTRY *e = X509_NAME_get_entry(nm, i);
        ASN1_OBJECT *o = X509_NAME_ENTRY_get_object(e);
        int nid = OBJ_obj2nid(o);
        const char *sn = nid != NID_undef ? OBJ_nid2sn(nid) : NULL;
        char *k = bufs[*n], *val = bufs[*n + 1];
        if (sn)
            snprintf(k, 512, "%s", sn);
        else
            OBJ_obj2txt(k, 512, o, 1);
        unsigned char *u = NULL;
        int ul = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(e));
        snprintf(val, 512, "%.*s", ul > 0 ? ul : 0, ul > 0 ? (char *)u : "");
        OPENSSL_free(u);
        v[(*n)++] = VM_STR(k, strlen(k));
        v[(*n)++] = VM_STR(val, strlen(val));
    }
}

static char *bio_text(BIO *b, size_t *len)
{
    char *p;
    long n = BIO_get_mem_data(b, &p);
    char *s = malloc((size_t)n + 1);
    if (s) {
        memcpy(s, p, (size_t)n);
        s[n] = '\0';
        *len = (size_t)n;
    }
    return s;
}

/* x509Info(der) -> [subject pairs[], issuer pairs[], subjectaltname,
 * infoAccess, valid_from, valid_to, serial hex, sha1, sha256, sha512,
 * bits, exponent, modulus, pubkey DER, curve, nist, ca, ext_key_usage[]] */
static void c_x509_info(vm_call_t *c)
{
    uint8_t *p;
    size_t n;
    if (vm_arg_bytes(c, 0, &p, &n) < 0 || n > INT_MAX) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "Expected DER bytes");
        return;
    }
    const unsigned char *q = p;
    X509 *x = d2i_X509(NULL, &q, (long)n);
    if (!x) {
        throw_ssl(c, "Invalid certificate");
        return;
    }
    vm_t *vm = vm_call_vm(c);
    char(*bufs)[512] = malloc(128 * 512);
    if (!bufs) {
        X509_free(x);
        vm_throw_alloc_failed(c);
        return;
    }
    vm_val_t sv[64], iv[64];
    size_t sn = 0, in = 0;
    push_name(sv, &sn, 64, bufs, X509_get_subject_name(x));
    size_t nb = sn;
    push_name(iv, &in, 64, bufs + nb, X509_get_issuer_name(x));
    vm_ref_t subj = vm_new_array(vm, sv, sn), iss = vm_new_array(vm, iv, in);

    BIO *b = BIO_new(BIO_s_mem());
    char *san = NULL, *aia = NULL, *from = NULL, *to = NULL;
    size_t sanl = 0, aial = 0, froml = 0, tol = 0;
    int i = X509_get_ext_by_NID(x, NID_subject_alt_name, -1);
    if (b && i >= 0 && X509V3_EXT_print(b, X509_get_ext(x, i), 0, 0) == 1)
        san = bio_text(b, &sanl);
    BIO_reset(b);
    i = X509_get_ext_by_NID(x, NID_info_access, -1);
    if (b && i >= 0 && X509V3_EXT_print(b, X509_get_ext(x, i), 0, 0) == 1)
        aia = bio_text(b, &aial);
    BIO_reset(b);
    if (b && ASN1_TIME_print(b, X509_get0_notBefore(x)) == 1)
        from = bio_text(b, &froml);
    BIO_reset(b);
    if (b && ASN1_TIME_print(b, X509_get0_notAfter(x)) == 1)
        to = bio_text(b, &tol);
    BIO_free(b);

    char serial[256] = "";
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
    char *hex = bn ? BN_bn2hex(bn) : NULL;
    if (hex)
        snprintf(serial, sizeof serial, "%s", hex);
    OPENSSL_free(hex);
    BN_free(bn);

    char fp[3][64 * 3 + 1];
    const EVP_MD *mds[3] = {EVP_sha1(), EVP_sha256(), EVP_sha512()};
    for (int k = 0; k < 3; k++) {
        unsigned char md[64];
        unsigned ml = 0;
        fp[k][0] = '\0';
        if (X509_digest(x, mds[k], md, &ml) == 1)
            for (unsigned j = 0; j < ml; j++)
                snprintf(fp[k] + j * 3, 4, "%02X%s", md[j], j + 1 < ml ? ":" : "");
    }

    EVP_PKEY *pk = X509_get0_pubkey(x);
    int bits = pk ? EVP_PKEY_get_bits(pk) : 0;
    char exp[64] = "", *mod = NULL, curve[64] = "";
    const char *nist = "";
    BIGNUM *bn_n = NULL, *bn_e = NULL;
    if (pk && EVP_PKEY_get_base_id(pk) == EVP_PKEY_RSA &&
        EVP_PKEY_get_bn_param(pk, "n", &bn_n) == 1 && EVP_PKEY_get_bn_param(pk, "e", &bn_e) == 1) {
        char *eh = BN_bn2hex(bn_e);
        const char *e0 = eh;
        while (e0 && *e0 == '0' && e0[1])
            e0++;
        snprintf(exp, sizeof exp, "0x%s", e0 ? e0 : "");
        OPENSSL_free(eh);
        mod = BN_bn2hex(bn_n);
    } else if (pk && EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC) {
        size_t gl = 0;
        if (EVP_PKEY_get_utf8_string_param(pk, "group", curve, sizeof curve, &gl) == 1) {
            int nid = OBJ_sn2nid(curve);
            if (nid == NID_undef)
                nid = OBJ_ln2nid(curve);
            const char *ns = nid != NID_undef ? EC_curve_nid2nist(nid) : NULL;
            nist = ns ? ns : "";
            if (nid != NID_undef)
                snprintf(curve, sizeof curve, "%s", OBJ_nid2sn(nid));
        }
    }
    BN_free(bn_n);
    BN_free(bn_e);
    /* Node's pubkey: an RSA key's SubjectPublicKeyInfo, an EC key's point */
    unsigned char *pub = NULL;
    int publ = 0;
    if (pk && EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC)
        publ = (int)EVP_PKEY_get1_encoded_public_key(pk, &pub);
    else if (pk)
        publ = i2d_PUBKEY(pk, &pub);

    vm_val_t eku[32];
    char ekub[32][80];
    size_t ekun = 0;
    EXTENDED_KEY_USAGE *ek = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
    for (int k = 0; ek && k < sk_ASN1_OBJECT_num(ek) && ekun < 32; k++) {
        OBJ_obj2txt(ekub[ekun], sizeof ekub[ekun], sk_ASN1_OBJECT_value(ek, k), 1);
        eku[ekun] = VM_STR(ekub[ekun], strlen(ekub[ekun]));
        ekun++;
    }
    EXTENDED_KEY_USAGE_free(ek);
    vm_ref_t ekua = ek || ekun ? vm_new_array(vm, eku, ekun) : 0;

    bool ca = X509_check_ca(x) == 1;
    vm_val_t items[] = {
        VM_REF(subj),
        VM_REF(iss),
        san ? VM_STR(san, sanl) : VM_UNDEF,
        aia ? VM_STR(aia, aial) : VM_UNDEF,
        VM_STR(from ? from : "", froml),
        VM_STR(to ? to : "", tol),
        VM_STR(serial, strlen(serial)),
        VM_STR(fp[0], strlen(fp[0])),
        VM_STR(fp[1], strlen(fp[1])),
        VM_STR(fp[2], strlen(fp[2])),
        VM_NUM(bits),
        VM_STR(exp, strlen(exp)),
        mod ? VM_STR(mod, strlen(mod)) : VM_UNDEF,
        VM_UNDEF,
        VM_STR(curve, strlen(curve)),
        VM_STR(nist, strlen(nist)),
        VM_BOOL(ca),
        ekua ? VM_REF(ekua) : VM_UNDEF,
    };
    uint8_t *pubcopy = NULL;
    if (publ > 0 && (pubcopy = malloc((size_t)publ))) {
        memcpy(pubcopy, pub, (size_t)publ);
        items[13] = VM_BYTES_TAKE(pubcopy, (size_t)publ);
    } else {
        items[13] = VM_UNDEF;
    }
    vm_ref_t a = vm_new_array(vm, items, sizeof items / sizeof items[0]);
    vm_ret_ref(c, a);
    vm_ref_free(vm, a);
    vm_ref_free(vm, subj);
    vm_ref_free(vm, iss);
    if (ekua)
        vm_ref_free(vm, ekua);
    OPENSSL_free(pub);
    OPENSSL_free(mod);
    free(san);
    free(aia);
    free(from);
    free(to);
    free(bufs);
    X509_free(x);
}

/* rootCertificates() -> the system roots as PEM texts */
static void c_root_certs(vm_call_t *c)
{
    if (!br__ssl_ready() || !roots_load(c)) {
        vm_throw_alloc_failed(c);
        return;
    }
    vm_t *vm = vm_call_vm(c);
    int n = sk_X509_num(root_certs);
    vm_val_t *items = calloc((size_t)n + 1, sizeof *items);
    char **texts = calloc((size_t)n + 1, sizeof *texts);
    if (!items || !texts) {
        free(items);
        free(texts);
        vm_throw_alloc_failed(c);
        return;
    }
    int k = 0;
    for (int i = 0; i < n; i++) {
        BIO *b = BIO_new(BIO_s_mem());
        size_t len = 0;
        if (b && PEM_write_bio_X509(b, sk_X509_value(root_certs, i)) == 1 &&
            (texts[k] = bio_text(b, &len))) {
            /* Node's texts have no final newline */
            while (len && texts[k][len - 1] == '\n')
                len--;
            items[k] = VM_STR(texts[k], len);
            k++;
        }
        BIO_free(b);
    }
    vm_ref_t a = vm_new_array(vm, items, (size_t)k);
    vm_ret_ref(c, a);
    vm_ref_free(vm, a);
    for (int i = 0; i < k; i++)
        free(texts[i]);
    free(texts);
    free(items);
}

/* ciphers() -> the names of the TLS ciphers OpenSSL has (lower case in JS) */
static void c_ciphers(vm_call_t *c)
{
    if (!br__ssl_ready() || OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG, NULL) != 1) {
        throw_ssl(c, NULL);
        return;
    }
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    SSL *ssl = ctx ? SSL_new(ctx) : NULL;
    STACK_OF(SSL_CIPHER) *sk = ssl ? SSL_get_ciphers(ssl) : NULL;
    int n = sk ? sk_SSL_CIPHER_num(sk) : 0;
    vm_val_t items[256];
    int k = 0;
    for (int i = 0; i < n && k < 256; i++) {
        const char *nm = SSL_CIPHER_get_name(sk_SSL_CIPHER_value(sk, i));
        items[k++] = VM_STR(nm, strlen(nm));
    }
    vm_t *vm = vm_call_vm(c);
    vm_ref_t a = vm_new_array(vm, items, (size_t)k);
    vm_ret_ref(c, a);
    vm_ref_free(vm, a);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

static const vm_native_t natives[] = {
    {"ctxNew", c_ctx_new, 2, VM_NATIVE_PURE},
    {"ctxSetCert", c_ctx_set_cert, 2, VM_NATIVE_PURE},
    {"ctxSetKey", c_ctx_set_key, 3, VM_NATIVE_PURE},
    {"ctxAddCA", c_ctx_add_ca, 2, VM_NATIVE_PURE},
    {"ctxAddRoots", c_ctx_add_roots, 1, VM_NATIVE_PURE},
    {"ctxSetCiphers", c_ctx_set_ciphers, 3, VM_NATIVE_PURE},
    {"ctxSetCurves", c_ctx_set_curves, 2, VM_NATIVE_PURE},
    {"ctxSetDH", c_ctx_set_dh, 2, VM_NATIVE_PURE},
    {"ctxSetDHAuto", c_ctx_set_dh_auto, 1, VM_NATIVE_PURE},
    {"ctxPfx", c_ctx_pfx, 3, VM_NATIVE_PURE},
    {"ctxTicketKeys", c_ctx_ticket_keys, 2, VM_NATIVE_PURE},
    {"ctxSetOptions", c_ctx_set_options, 4, VM_NATIVE_PURE},
    {"ctxOwnCert", c_ctx_own_cert, 1, VM_NATIVE_PURE},
    {"sslNew", c_ssl_new, 7, VM_NATIVE_PURE},
    {"sslSetServername", c_ssl_set_servername, 2, VM_NATIVE_PURE},
    {"sslFeed", c_ssl_feed, 2, VM_NATIVE_PURE},
    {"sslHandshake", c_ssl_handshake, 1, VM_NATIVE_PURE},
    {"sslHello", c_ssl_hello, 1, VM_NATIVE_PURE},
    {"sslResume", c_ssl_resume, 3, VM_NATIVE_PURE},
    {"sslRead", c_ssl_read, 1, VM_NATIVE_PURE},
    {"sslWrite", c_ssl_write, 2, VM_NATIVE_PURE},
    {"sslOut", c_ssl_out, 1, VM_NATIVE_PURE},
    {"sslShutdown", c_ssl_shutdown, 1, VM_NATIVE_PURE},
    {"sslKeylog", c_ssl_keylog, 1, VM_NATIVE_PURE},
    {"sslSessions", c_ssl_sessions, 1, VM_NATIVE_PURE},
    {"sslInfo", c_ssl_info, 1, VM_NATIVE_PURE},
    {"sslPeerCert", c_ssl_peer_cert, 2, VM_NATIVE_PURE},
    {"sslOwnCert", c_ssl_own_cert, 1, VM_NATIVE_PURE},
    {"sslSession", c_ssl_session, 1, VM_NATIVE_PURE},
    {"sslSetSession", c_ssl_set_session, 2, VM_NATIVE_PURE},
    {"sslTicket", c_ssl_ticket, 1, VM_NATIVE_PURE},
    {"sslExportKeyingMaterial", c_ssl_ekm, 4, VM_NATIVE_PURE},
    {"sslFinished", c_ssl_finished, 2, VM_NATIVE_PURE},
    {"sslMaxSendFragment", c_ssl_max_frag, 2, VM_NATIVE_PURE},
    {"x509Info", c_x509_info, 1, VM_NATIVE_PURE},
    {"rootCertificates", c_root_certs, 0, VM_NATIVE_PURE},
    {"ciphers", c_ciphers, 0, VM_NATIVE_PURE},
};
const vm_table_t br__tls_table = {"tls", natives, sizeof natives / sizeof natives[0]};
