// isolate/v8/lazyjs.cc — JavaScript built into the binary but not into the
// startup snapshot: compiled at its first use, so a run that never needs it
// does not deserialise it (the snapshot's functions are compiled eagerly,
// see launcher/mksnapshot.c).
//
// Three bundles (js/build.mjs), embedded by isolate/v8/lazyjs_data.S: "fetch"
// (build/js/lazy.js: undici and the web streams), "regexp"
// (build/js/lazy-regexp.js: acorn and regexpu-core for the RegExp v flag)
// and "tr46" (build/js/lazy-tr46.js: UTS #46 for host names that are not
// plain ASCII, js/node/internal/whatwg-url-tr46.js). The native
// lazyjs.run(name) compiles it from an external string over the embedded
// bytes (nothing copied onto the heap; esbuild's output is ASCII, checked
// at build time) and returns the script's completion value; the JS side
// (js/node/internal/fetch/index.js) calls it once and keeps the result.

#include <cstring>

#include "internal.h"

using namespace v8;

extern "C" const char vm_lazyjs_fetch[];
extern "C" const char vm_lazyjs_fetch_end[];
extern "C" const char vm_lazyjs_regexp[];
extern "C" const char vm_lazyjs_regexp_end[];
extern "C" const char vm_lazyjs_tr46[];
extern "C" const char vm_lazyjs_tr46_end[];

namespace
{

class Embedded final : public String::ExternalOneByteStringResource
{
  public:
    Embedded(const char *data, size_t len) : data_(data), len_(len)
    {
    }
    const char *data() const override
    {
        return data_;
    }
    size_t length() const override
    {
        return len_;
    }
    void Dispose() override
    {
        delete this;
    }

  private:
    const char *data_;
    size_t len_;
};

// run(name) -> the bundle's completion value.
void run(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Isolate *iso = info.GetIsolate();
    Local<Context> ctx = iso->GetCurrentContext();
    static const struct {
        const char *name, *start, *end, *origin;
    } bundles[] = {
        {"fetch", vm_lazyjs_fetch, vm_lazyjs_fetch_end, "node:internal/deps/undici/undici"},
        {"regexp", vm_lazyjs_regexp, vm_lazyjs_regexp_end, "node:internal/deps/regexpu-core"},
        {"tr46", vm_lazyjs_tr46, vm_lazyjs_tr46_end, "node:internal/deps/tr46"},
    };
    String::Utf8Value name(iso, info[0]);
    size_t i = 0;
    while (*name && i < sizeof bundles / sizeof bundles[0] && strcmp(*name, bundles[i].name) != 0)
        i++;
    if (!*name || i == sizeof bundles / sizeof bundles[0]) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_VALUE", "lazyjs.run: no bundle %s",
                  *name ? *name : "?");
        return;
    }
    size_t len = static_cast<size_t>(bundles[i].end - bundles[i].start);
    Local<String> src;
    if (!String::NewExternalOneByte(iso, new Embedded(bundles[i].start, len)).ToLocal(&src))
        return;
    Local<String> where;
    if (!String::NewFromUtf8(iso, bundles[i].origin).ToLocal(&where))
        return;
    ScriptOrigin origin(iso, where);
    Local<Script> script;
    Local<Value> out;
    if (Script::Compile(ctx, src, &origin).ToLocal(&script) && script->Run(ctx).ToLocal(&out))
        info.GetReturnValue().Set(out);
}

const vm_native_t lazyjs_natives[] = {
    {"run", run, 1, VM_NATIVE_PURE},
};

} // namespace

extern "C" const vm_table_t vm_lazyjs_table = {"lazyjs", lazyjs_natives,
                                               sizeof lazyjs_natives / sizeof lazyjs_natives[0]};
