/* tests/unit/test_runtime.c — a whole run through the bridge runtime with the
 * real startup snapshot (the one embedded in the launcher): exit-status
 * mapping for every way a guest can end, limits, and that the bootstrap
 * comes from the snapshot with the bridge table out of the guest's reach. */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../bridge/bridge.h"
#include "unit.h"

extern const uint8_t lch_snapshot_blob[];
extern const uint8_t lch_snapshot_blob_end[];

static void quiet_setup(void)
{
    unit_v8_setup();
    /* guest output is not what these tests look at */
    int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    dup2(fd, 1);
    dup2(fd, 2);
    close(fd);
}

static void nothing(void)
{
}

typedef struct {
    br_rt_t *rt;
    int delay_ms;
} killer_t;

static void *killer(void *arg)
{
    killer_t *k = arg;
    usleep((useconds_t)k->delay_ms * 1000);
    br_rt_terminate(k->rt, VM_LIMIT_TIME);
    return NULL;
}

/* Runs code as `-e` and returns the exit status the launcher would use.
 * kill_after_ms > 0 terminates it from another thread (the watchdog's way). */
static int run_eval_opts(const char *code, size_t heap_mb, int kill_after_ms)
{
    uv_loop_t loop;
    ck_assert_int_eq(uv_loop_init(&loop), 0);
    br_config_t cfg = {.eval = code, .exec_path = "/x/node", .cwd = "/", .heap_limit_mb = heap_mb};
    br_rt_t *rt = NULL;
    char *err = NULL;
    int r = br_rt_new(&loop, &cfg, lch_snapshot_blob,
                      (size_t)(lch_snapshot_blob_end - lch_snapshot_blob), &rt, &err);
    ck_assert_msg(r == 0, "br_rt_new: %s", err ? err : "?");
    pthread_t th;
    killer_t k = {rt, kill_after_ms};
    if (kill_after_ms > 0)
        pthread_create(&th, NULL, killer, &k);
    int status = br_rt_run(rt);
    if (kill_after_ms > 0)
        pthread_join(th, NULL);
    br_rt_free(rt);
    ck_assert_int_eq(uv_loop_close(&loop), 0);
    return status;
}

static int run_eval(const char *code)
{
    return run_eval_opts(code, 0, 0);
}

START_TEST(natural_end_is_zero)
{
    ck_assert_int_eq(run_eval("let x = 1 + 1"), 0);
}
END_TEST

START_TEST(exit_codes)
{
    ck_assert_int_eq(run_eval("process.exit(3)"), 3);
    ck_assert_int_eq(run_eval("process.exitCode = 5"), 5);
    ck_assert_int_eq(run_eval("setTimeout(() => process.exit(9), 5)"), 9);
    ck_assert_int_eq(run_eval("process.exit(256 + 4)"), 4);
    /* exit cannot be caught, finally blocks do not run after it */
    ck_assert_int_eq(run_eval("try { process.exit(6) } catch {} finally { process.exit(1) }"), 6);
    /* an 'exit' listener sees the code and may change it */
    ck_assert_int_eq(run_eval("process.on('exit', c => { process.exitCode = c + 1 });"
                              "process.exitCode = 10"),
                     11);
}
END_TEST

START_TEST(uncaught_is_one)
{
    ck_assert_int_eq(run_eval("throw new Error('x')"), 1);
    ck_assert_int_eq(run_eval("setTimeout(() => { throw 1 }, 1)"), 1);
    ck_assert_int_eq(run_eval("Promise.reject(1)"), 1);
    ck_assert_int_eq(run_eval("(async () => { await null; throw new TypeError('t') })()"), 1);
    ck_assert_int_eq(run_eval("queueMicrotask(() => { throw 2 })"), 1);
    ck_assert_int_eq(run_eval("process.nextTick(() => { null.x })"), 1);
}
END_TEST

START_TEST(handled_is_not_fatal)
{
    ck_assert_int_eq(run_eval("process.on('uncaughtException', () => {});"
                              "setTimeout(() => { throw 1 }, 1);"
                              "setTimeout(() => process.exit(4), 5)"),
                     4);
    ck_assert_int_eq(run_eval("process.on('unhandledRejection', () => {}); Promise.reject(1)"), 0);
    ck_assert_int_eq(run_eval("const p = Promise.reject(1); setTimeout(() => {}, 1);"
                              "p.catch(() => {})"),
                     0);
}
END_TEST

START_TEST(limits)
{
    ck_assert_int_eq(run_eval_opts("const a = []; for (;;) a.push(new Array(1e5).fill(1))", 24, 0),
                     BR_EXIT_MEMORY);
    ck_assert_int_eq(run_eval_opts("for (;;) {}", 0, 150), BR_EXIT_TIMEOUT);
    /* idle in the loop: the terminate must still end the run */
    ck_assert_int_eq(run_eval_opts("setInterval(() => {}, 1000)", 0, 150), BR_EXIT_TIMEOUT);
}
END_TEST

/* crypto's and zlib's native states (digest contexts, key derivation jobs,
 * stream states) are freed whichever way they end: digested, dropped for
 * the GC, left for vm_free, a stream destroyed while its step runs on the
 * pool. Under check-asan LeakSanitizer holds every one of them to it. */
START_TEST(crypto_zlib_states_freed)
{
    static const char code[] =
        "const c = require('crypto'), z = require('zlib');"
        "const ok = (v, what) => { if (!v) { console.error('failed: ' + what); process.exit(2); } "
        "};"
        "for (let i = 0; i < 2000; i++) c.createHash(i % 2 ? 'sha256' : 'shake128').update('x');"
        "const h = c.createHash('sha1').update('abc'); const h2 = h.copy();"
        "const hex = h.digest('hex');"
        "ok(hex === 'a9993e364706816aba3e25717850c26c9cd0d89d', 'sha1');"
        "ok(h2.digest('hex') === hex, 'copy');"
        "ok(c.createHmac('sha256', 'k').update('d').digest().length === 32, 'hmac');"
        "c.createHmac('sha512', c.createSecretKey(Buffer.alloc(200))).update('never digested');"
        "ok(c.pbkdf2Sync('p', 's', 10, 16, 'sha256').length === 16, 'pbkdf2');"
        "ok(c.scryptSync('p', 's', 16, { N: 64 }).length === 16, 'scrypt');"
        "ok(c.hkdfSync('sha256', '', '', '', 8).byteLength === 8, 'hkdf empty key');"
        "try { c.createHash('sha256', { outputLength: 3 }); ok(false, 'xof'); } catch (e) {}"
        "try { c.pbkdf2Sync('p', 's', 1, 8, 'nope'); ok(false, 'digest'); } catch (e) {}"
        "const big = Buffer.alloc(1 << 20, 'a');"
        "ok(z.gunzipSync(z.gzipSync(big)).equals(big), 'gzip');"
        "ok(z.brotliDecompressSync(z.brotliCompressSync(big)).equals(big), 'brotli');"
        "ok(z.inflateSync(z.deflateSync(big, { dictionary: Buffer.from('aaaa') }),"
        "  { dictionary: Buffer.from('aaaa') }).length === big.length, 'dictionary');"
        "try { z.inflateSync(Buffer.from('bad')); ok(false, 'bad input'); } catch (e) {}"
        "try { z.brotliDecompressSync(Buffer.from('bad input!')); ok(false, 'bad brotli'); } catch "
        "(e) {}"
        "z.createGzip(); z.createBrotliCompress();"
        "const d = z.createDeflate(); d.write(big); d.destroy();"
        "let left = 5; const done = () => { if (--left === 0) process.exitCode = 7; };"
        "c.pbkdf2('p', 's', 100, 32, 'sha512', (e, k) => { ok(!e && k.length === 32, 'pbkdf2 cb'); "
        "done(); });"
        "c.randomBytes(64, (e, b) => { ok(!e && b.length === 64, 'randomBytes cb'); done(); });"
        "c.subtle.digest('SHA-256', big).then((b) => { ok(b.byteLength === 32, 'subtle'); done(); "
        "});"
        "z.gzip(big, (e, b) => z.gunzip(b, (e2, r) => { ok(!e && !e2 && r.equals(big), 'gzip cb'); "
        "done(); }));"
        "z.inflate(Buffer.from('bad'), (e) => { ok(e && e.code === 'Z_DATA_ERROR', 'inflate cb'); "
        "done(); });";
    ck_assert_int_eq(run_eval(code), 7);
}
END_TEST

/* fs's native requests (sync, callback, promises, streams, dir handles,
 * errors) free what they allocate; under check-asan LeakSanitizer checks. */
START_TEST(fs_requests_freed)
{
    static const char code[] =
        "const fs = require('fs'), os = require('os'), path = require('path');"
        "const ok = (v, what) => { if (!v) { console.error('failed: ' + what); process.exit(2); } "
        "};"
        "const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'se-unit-'));"
        "const f = path.join(dir, 'a.txt');"
        "fs.writeFileSync(f, 'hello'); fs.appendFileSync(f, ' world');"
        "ok(fs.readFileSync(f, 'utf8') === 'hello world', 'read');"
        "ok(fs.statSync(f).size === 11 && fs.lstatSync(dir).isDirectory(), 'stat');"
        "ok(fs.readdirSync(dir, { withFileTypes: true })[0].name === 'a.txt', 'readdir');"
        "try { fs.readFileSync(path.join(dir, 'missing')); ok(false, 'enoent'); } catch (e) {}"
        "const fd = fs.openSync(f, 'r'); const b = Buffer.alloc(5); fs.readSync(fd, b, 0, 5, 0); "
        "fs.closeSync(fd);"
        "fs.symlinkSync(f, path.join(dir, 'l')); ok(fs.readlinkSync(path.join(dir, 'l')) === f, "
        "'link');"
        "ok(fs.realpathSync(path.join(dir, 'l')) === fs.realpathSync(f), 'realpath');"
        "const d = fs.opendirSync(dir); d.readSync(); d.closeSync(); fs.opendirSync(dir);"
        "ok(os.cpus().length > 0 && os.hostname().length > 0 && os.userInfo().username, 'os');"
        "let left = 4; const done = () => { if (--left === 0) { fs.rmSync(dir, { recursive: true "
        "});"
        "  process.exitCode = 7; } };"
        "fs.readFile(f, (e, data) => { ok(!e && data.length === 11, 'readFile cb'); done(); });"
        "fs.stat(path.join(dir, 'nope'), (e) => { ok(e && e.code === 'ENOENT', 'stat cb'); done(); "
        "});"
        /* the write stream below may have made 'b' already */
        "fs.promises.readdir(dir).then((l) => { ok(l.includes('a.txt') && l.includes('l') && "
        "l.length <= 3, 'promises'); done(); });"
        "fs.createReadStream(f).pipe(fs.createWriteStream(path.join(dir, 'b')))"
        "  .on('finish', () => { ok(fs.readFileSync(path.join(dir, 'b'), 'utf8') === 'hello "
        "world', 'streams');"
        "    done(); });";
    ck_assert_int_eq(run_eval(code), 7);
}
END_TEST

START_TEST(from_snapshot_bridge_hidden)
{
    /* Every builtin is already built (warmed in the snapshot) and the
     * bridge table is gone from the guest's global. */
    ck_assert_int_eq(run_eval("if (typeof __se_bridge !== 'undefined') process.exit(2);"
                              "if (typeof require('util').inspect !== 'function') process.exit(3);"
                              "if (typeof Buffer !== 'function' || typeof URL !== 'function')"
                              "  process.exit(4);"),
                     0);
}
END_TEST

START_TEST(snapshot_matches_tables)
{
    /* The embedded blob was built with br_tables(): vm_new accepts it. A
     * bit-flipped copy of it is refused with a message, not a crash. */
    size_t n = (size_t)(lch_snapshot_blob_end - lch_snapshot_blob);
    uint8_t *copy = malloc(n);
    memcpy(copy, lch_snapshot_blob, n);
    copy[9] ^= 0xff; /* inside the table fingerprint */
    uv_loop_t loop;
    uv_loop_init(&loop);
    br_config_t cfg = {.eval = "0", .exec_path = "/x", .cwd = "/"};
    br_rt_t *rt = NULL;
    char *err = NULL;
    ck_assert_int_lt(br_rt_new(&loop, &cfg, copy, n, &rt, &err), 0);
    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strstr(err, "snapshot") != NULL, "%s", err);
    free(err);
    free(copy);
    uv_loop_close(&loop);
}
END_TEST

Suite *runtime_suite(void)
{
    Suite *s = suite_create("runtime");
    TCase *tc = tcase_create("exit");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, quiet_setup, nothing);
    tcase_add_test(tc, natural_end_is_zero);
    tcase_add_test(tc, exit_codes);
    tcase_add_test(tc, uncaught_is_one);
    tcase_add_test(tc, handled_is_not_fatal);
    tcase_add_test(tc, limits);
    tcase_add_test(tc, crypto_zlib_states_freed);
    tcase_add_test(tc, fs_requests_freed);
    tcase_add_test(tc, from_snapshot_bridge_hidden);
    tcase_add_test(tc, snapshot_matches_tables);
    suite_add_tcase(s, tc);
    return s;
}
