// isolate/v8/contextify.cc — the natives behind the vm module (namespace
// "contextify"): new contexts of the same isolate, scripts compiled once
// and run in any context, and the timeout that stops a run.
//
// A new context is made from the snapshot's default context, which is V8's
// bare one (vm.cc: the run's own context is snapshot context 0): it has
// the language's builtins and nothing else, no binding, no require, no
// process. Guest code reaches the run's world only through the objects it
// hands in (the sandbox, values it stores on it), which are the guest's
// own JS. As Node's contextify, a contextified sandbox is the new global's
// backing store: the global's named and indexed interceptors read, write,
// define, delete and list the sandbox's properties, and the sandbox holds
// the global (a private symbol) so that isContext and runInContext find
// the context again; the context holds the sandbox (the interceptors'
// data). Nothing is kept in C: the GC frees both together.
//
// Same isolate, same limits: the memory budget is the isolate's, the run's
// --timeout terminates whatever context runs, and a run's own `timeout` is
// a watchdog thread that terminates execution as the shell's Ctrl-C does
// (vm__timeout_fire), after which the run goes on with Node's
// ERR_SCRIPT_EXECUTION_TIMEOUT; a real limit met meanwhile wins.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "internal.h"

using namespace v8;

namespace
{

// Embedder data of a new context: its microtask queue's owner (a handle,
// or undefined), and whether WebAssembly may be compiled in it.
constexpr int kQueueSlot = 1;
constexpr int kWasmSlot = 2;

Local<String> s(Isolate *iso, const char *p)
{
    return String::NewFromUtf8(iso, p).ToLocalChecked();
}

Local<Private> context_key(Isolate *iso)
{
    return Private::ForApi(iso, s(iso, "secure-exec:vm.context"));
}

// The context whose global (a global proxy) a contextified object holds.
bool context_of(Isolate *iso, Local<Value> v, Local<Context> *out)
{
    if (!v->IsObject())
        return false;
    Local<Context> cur = iso->GetCurrentContext();
    Local<Value> g;
    if (!v.As<Object>()->GetPrivate(cur, context_key(iso)).ToLocal(&g) || !g->IsObject())
        return false;
    return g.As<Object>()->GetCreationContext().ToLocal(out);
}

// ---- the global's interceptors (data: the sandbox) -----------------------

struct Held {
    Local<Context> ctx;
    Local<Object> sandbox;
    Local<Object> global; // the global proxy
};

template <typename T> bool held(const PropertyCallbackInfo<T> &info, Held *h)
{
    if (!info.Data()->IsObject() || !info.Holder()->GetCreationContext().ToLocal(&h->ctx))
        return false;
    h->sandbox = info.Data().template As<Object>();
    h->global = h->ctx->Global();
    return true;
}

void named_get(Local<Name> property, const PropertyCallbackInfo<Value> &info)
{
    Held h;
    if (!held(info, &h))
        return;
    Isolate *iso = info.GetIsolate();
    Local<Value> rv;
    TryCatch tc(iso);
    MaybeLocal<Value> got;
    if (h.sandbox->IsProxy()) {
        bool has = false;
        if (!h.sandbox->Has(h.ctx, property).To(&has)) {
            tc.ReThrow();
            return;
        }
        if (has)
            got = h.sandbox->Get(h.ctx, property);
    } else {
        got = h.sandbox->GetRealNamedProperty(h.ctx, property);
    }
    if (tc.HasCaught() || tc.HasTerminated()) {
        tc.ReThrow();
        return;
    }
    if (got.IsEmpty())
        got = h.global->GetRealNamedProperty(h.ctx, property);
    if (tc.HasCaught() || tc.HasTerminated()) {
        tc.ReThrow();
        return;
    }
    if (got.ToLocal(&rv)) {
        if (rv == h.sandbox)
            rv = h.global;
        info.GetReturnValue().Set(rv);
    }
}

void named_set(Local<Name> property, Local<Value> value, const PropertyCallbackInfo<Value> &info)
{
    Held h;
    if (!held(info, &h))
        return;
    PropertyAttribute attrs = None;
    bool on_global = h.global->GetRealNamedPropertyAttributes(h.ctx, property).To(&attrs);
    bool read_only = attrs & ReadOnly;
    attrs = None;
    bool on_sandbox = !h.sandbox->IsProxy() &&
                      h.sandbox->GetRealNamedPropertyAttributes(h.ctx, property).To(&attrs);
    read_only = read_only || (attrs & ReadOnly);
    if (read_only)
        return;
    // x = 5 stores to the global object itself; this.x = 5 to its proxy
    bool contextual = h.global != info.This();
    bool declared = on_global || on_sandbox;
    if (!declared && info.ShouldThrowOnError() && contextual && !value->IsFunction())
        return;
    if (!declared && property->IsSymbol())
        return;
    if (h.sandbox->Set(h.ctx, property, value).IsNothing())
        return;
    Local<Value> desc;
    if (on_sandbox && h.sandbox->GetOwnPropertyDescriptor(h.ctx, property).ToLocal(&desc) &&
        desc->IsObject()) {
        Isolate *iso = info.GetIsolate();
        Local<Object> d = desc.As<Object>();
        if (d->HasOwnProperty(h.ctx, s(iso, "get")).FromMaybe(false) ||
            d->HasOwnProperty(h.ctx, s(iso, "set")).FromMaybe(false))
            info.GetReturnValue().Set(value); // an accessor: the sandbox's alone
    }
}

void named_descriptor(Local<Name> property, const PropertyCallbackInfo<Value> &info)
{
    Held h;
    if (!held(info, &h))
        return;
    if (h.sandbox->HasOwnProperty(h.ctx, property).FromMaybe(false)) {
        Local<Value> desc;
        if (h.sandbox->GetOwnPropertyDescriptor(h.ctx, property).ToLocal(&desc))
            info.GetReturnValue().Set(desc);
    }
}

void named_define(Local<Name> property, const PropertyDescriptor &desc,
                  const PropertyCallbackInfo<Value> &info)
{
    Held h;
    if (!held(info, &h))
        return;
    Isolate *iso = info.GetIsolate();
    PropertyAttribute attrs = None;
    bool declared = h.global->GetRealNamedPropertyAttributes(h.ctx, property).To(&attrs);
    if (declared && (attrs & ReadOnly) && (attrs & DontDelete))
        return;
    auto define = [&](PropertyDescriptor *d) {
        if (desc.has_enumerable())
            d->set_enumerable(desc.enumerable());
        if (desc.has_configurable())
            d->set_configurable(desc.configurable());
        discard(h.sandbox->DefineProperty(h.ctx, property, *d));
    };
    if (desc.has_get() || desc.has_set()) {
        PropertyDescriptor d(desc.has_get() ? desc.get() : Undefined(iso).As<Value>(),
                             desc.has_set() ? desc.set() : Undefined(iso).As<Value>());
        define(&d);
    } else {
        Local<Value> value = desc.has_value() ? desc.value() : Undefined(iso).As<Value>();
        if (desc.has_writable()) {
            PropertyDescriptor d(value, desc.writable());
            define(&d);
        } else {
            PropertyDescriptor d(value);
            define(&d);
        }
    }
}

// What `in` and hasOwn ask: the sandbox's own property, else the global's
// own (V8 asks the getter, which sees prototypes too, when there is no
// query).
void named_query(Local<Name> property, const PropertyCallbackInfo<Integer> &info)
{
    Held h;
    if (!held(info, &h))
        return;
    PropertyAttribute attrs = None;
    bool has = false;
    if (h.sandbox->IsProxy()) {
        if (!h.sandbox->HasOwnProperty(h.ctx, property).To(&has))
            return;
        if (has) {
            info.GetReturnValue().Set(static_cast<int>(None));
            return;
        }
    } else {
        if (!h.sandbox->HasRealNamedProperty(h.ctx, property).To(&has))
            return;
        if (has) {
            if (h.sandbox->GetRealNamedPropertyAttributes(h.ctx, property).To(&attrs))
                info.GetReturnValue().Set(static_cast<int>(attrs));
            return;
        }
    }
    if (h.global->HasRealNamedProperty(h.ctx, property).To(&has) && has &&
        h.global->GetRealNamedPropertyAttributes(h.ctx, property).To(&attrs))
        info.GetReturnValue().Set(static_cast<int>(attrs));
}

void named_delete(Local<Name> property, const PropertyCallbackInfo<Boolean> &info)
{
    Held h;
    if (!held(info, &h))
        return;
    if (h.sandbox->Delete(h.ctx, property).FromMaybe(false))
        return;
    info.GetReturnValue().Set(false); // not on the global either
}

void named_list(const PropertyCallbackInfo<Array> &info)
{
    Held h;
    if (!held(info, &h))
        return;
    Local<Array> names;
    if (h.sandbox
            ->GetPropertyNames(h.ctx, KeyCollectionMode::kOwnOnly, PropertyFilter::ALL_PROPERTIES,
                               IndexFilter::kSkipIndices)
            .ToLocal(&names))
        info.GetReturnValue().Set(names);
}

// Indexed properties go through the named ones, their name a string.
template <typename T>
bool index_name(const PropertyCallbackInfo<T> &info, uint32_t index, Local<Name> *out)
{
    Local<String> n;
    if (!Uint32::NewFromUnsigned(info.GetIsolate(), index)
             ->ToString(info.GetIsolate()->GetCurrentContext())
             .ToLocal(&n))
        return false;
    *out = n;
    return true;
}

void indexed_get(uint32_t index, const PropertyCallbackInfo<Value> &info)
{
    Local<Name> n;
    if (index_name(info, index, &n))
        named_get(n, info);
}

void indexed_set(uint32_t index, Local<Value> value, const PropertyCallbackInfo<Value> &info)
{
    Local<Name> n;
    if (index_name(info, index, &n))
        named_set(n, value, info);
}

void indexed_descriptor(uint32_t index, const PropertyCallbackInfo<Value> &info)
{
    Local<Name> n;
    if (index_name(info, index, &n))
        named_descriptor(n, info);
}

void indexed_query(uint32_t index, const PropertyCallbackInfo<Integer> &info)
{
    Local<Name> n;
    if (index_name(info, index, &n))
        named_query(n, info);
}

void indexed_define(uint32_t index, const PropertyDescriptor &desc,
                    const PropertyCallbackInfo<Value> &info)
{
    Local<Name> n;
    if (index_name(info, index, &n))
        named_define(n, desc, info);
}

void indexed_delete(uint32_t index, const PropertyCallbackInfo<Boolean> &info)
{
    Held h;
    if (!held(info, &h))
        return;
    if (h.sandbox->Delete(h.ctx, index).FromMaybe(false))
        return;
    info.GetReturnValue().Set(false);
}

void indexed_list(const PropertyCallbackInfo<Array> &info)
{
    Held h;
    if (!held(info, &h))
        return;
    Local<Array> all;
    if (!h.sandbox
             ->GetPropertyNames(h.ctx, KeyCollectionMode::kOwnOnly, PropertyFilter::ALL_PROPERTIES,
                                IndexFilter::kIncludeIndices, KeyConversionMode::kKeepNumbers)
             .ToLocal(&all))
        return;
    std::vector<Local<Value>> idx;
    for (uint32_t i = 0; i < all->Length(); i++) {
        Local<Value> k;
        if (!all->Get(h.ctx, i).ToLocal(&k))
            return;
        if (k->IsUint32())
            idx.push_back(k);
    }
    info.GetReturnValue().Set(Array::New(info.GetIsolate(), idx.data(), idx.size()));
}

// ---- contexts ------------------------------------------------------------

const vm_handle_type_t queue_type = {"vm.MicrotaskQueue",
                                     [](void *p) { delete static_cast<MicrotaskQueue *>(p); }};

// (the run's context has no such slot: always allowed there)
bool allow_wasm(Local<Context> ctx, Local<String>)
{
    return ctx->GetNumberOfEmbedderDataFields() <= kWasmSlot ||
           !ctx->GetEmbedderData(kWasmSlot)->IsFalse();
}

// makeContext(sandbox, name, strings, wasm, afterEvaluate, dontContextify)
// -> the contextified sandbox, or (dontContextify) the new global itself.
void make_context(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Isolate *iso = info.GetIsolate();
    Local<Context> cur = iso->GetCurrentContext();
    bool plain = info[5]->IsTrue();
    if (!plain && !info[0]->IsObject()) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE",
                  "The \"contextObject\" argument must be of type object");
        return;
    }
    Local<Object> sandbox = plain ? Local<Object>() : info[0].As<Object>();
    Local<ObjectTemplate> tpl;
    if (!plain) {
        tpl = ObjectTemplate::New(iso);
        tpl->SetHandler(NamedPropertyHandlerConfiguration(
            named_get, named_set, named_query, named_delete, named_list, named_define,
            named_descriptor, sandbox, PropertyHandlerFlags::kHasNoSideEffect));
        tpl->SetHandler(IndexedPropertyHandlerConfiguration(
            indexed_get, indexed_set, indexed_query, indexed_delete, indexed_list, indexed_define,
            indexed_descriptor, sandbox, PropertyHandlerFlags::kHasNoSideEffect));
    }
    MicrotaskQueue *queue = nullptr;
    Local<Object> queue_handle;
    if (info[4]->IsTrue()) {
        std::unique_ptr<MicrotaskQueue> q = MicrotaskQueue::New(iso, MicrotasksPolicy::kExplicit);
        queue_handle = vm__handle_new(vm_call_vm(c), &queue_type, q.get());
        if (queue_handle.IsEmpty())
            return;
        queue = q.release();
    }
    Local<Context> ctx = Context::New(iso, nullptr, tpl, MaybeLocal<Value>(),
                                      DeserializeInternalFieldsCallback(), queue);
    if (ctx.IsEmpty()) {
        vm_throwf(c, "Error", "ERR_CONTEXT_NOT_INITIALIZED", "Context not initialized");
        return;
    }
    ctx->SetSecurityToken(cur->GetSecurityToken());
    ctx->SetEmbedderData(kQueueSlot, queue_handle.IsEmpty() ? Undefined(iso).As<Value>()
                                                            : queue_handle.As<Value>());
    ctx->SetEmbedderData(kWasmSlot, Boolean::New(iso, !info[3]->IsFalse()));
    if (info[2]->IsFalse()) {
        ctx->AllowCodeGenerationFromStrings(false);
        ctx->SetErrorMessageForCodeGenerationFromStrings(
            s(iso, "Code generation from strings disallowed for this context"));
    }
    if (info[3]->IsFalse())
        iso->SetAllowWasmCodeGenerationCallback(allow_wasm);
    Local<Object> global = ctx->Global();
    Local<Object> key = plain ? global : sandbox;
    if (key->SetPrivate(cur, context_key(iso), global).IsNothing())
        return;
    info.GetReturnValue().Set(key);
}

void is_context(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Local<Context> ctx;
    info.GetReturnValue().Set(context_of(info.GetIsolate(), info[0], &ctx));
}

// ---- scripts -------------------------------------------------------------

struct ScriptBox {
    Global<UnboundScript> script;
};

const vm_handle_type_t script_type = {"vm.Script",
                                      [](void *p) { delete static_cast<ScriptBox *>(p); }};

// A script or function the vm module compiles carries one of these as its
// host-defined options unless importModuleDynamically was
// USE_MAIN_CONTEXT_DEFAULT_LOADER (mark 0): import() from it is Node's
// ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING (mark 1: no callback) or, as
// Node without --experimental-vm-modules, ..._MISSING_FLAG (2: a
// function), never the run's loader (vm__vm_import_refused).
Local<PrimitiveArray> vm_marker(Isolate *iso, int mark)
{
    Local<PrimitiveArray> a = PrimitiveArray::New(iso, 1);
    a->Set(iso, 0, s(iso, mark == 2 ? "secure-exec:vm:fn" : "secure-exec:vm"));
    return a;
}

ScriptOrigin origin_of(Isolate *iso, const FunctionCallbackInfo<Value> &info, int at, int mark)
{
    int line = info[at + 1]->IsInt32() ? info[at + 1].As<Int32>()->Value() : 0;
    int col = info[at + 2]->IsInt32() ? info[at + 2].As<Int32>()->Value() : 0;
    return ScriptOrigin(iso, info[at], line, col, false, -1, Local<Value>(), false, false, false,
                        mark ? vm_marker(iso, mark) : Local<PrimitiveArray>());
}

// displayErrors: the error's stack gets Node's "where" header (file:line,
// the source line, a caret) in front, once; a stack that is not a string
// or a getter that throws leaves it as it was.
void decorate(Isolate *iso, const TryCatch &caught)
{
    Local<Value> e = caught.Exception();
    if (e.IsEmpty() || !e->IsObject() || e->IsProxy())
        return;
    Local<Context> cur = iso->GetCurrentContext();
    Local<Object> o = e.As<Object>();
    Local<Private> key = Private::ForApi(iso, s(iso, "secure-exec:vm.decorated"));
    std::string where;
    TryCatch tc(iso);
    Local<Value> done, stack;
    if (!o->GetPrivate(cur, key).ToLocal(&done) || done->IsTrue() ||
        !o->Get(cur, s(iso, "stack")).ToLocal(&stack) || !stack->IsString() ||
        !vm__where_header(iso, cur, caught.Message(), &where))
        return;
    where += "\n";
    Local<String> head;
    if (!String::NewFromUtf8(iso, where.data(), NewStringType::kNormal,
                             static_cast<int>(where.size()))
             .ToLocal(&head))
        return;
    if (o->Set(cur, s(iso, "stack"), String::Concat(iso, head, stack.As<String>())).IsJust())
        discard(o->SetPrivate(cur, key, True(iso)));
}

// The context a script or function is compiled in: v's, or the caller's
// when v is undefined; false (thrown) when v is not a context.
bool parsing_context(vm_call_t *c, Local<Value> v, Local<Context> *ctx)
{
    Isolate *iso = vm__info(c).GetIsolate();
    *ctx = iso->GetCurrentContext();
    if (v->IsUndefined() || context_of(iso, v, ctx))
        return true;
    vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE",
              "The \"options.parsingContext\" property must be an vm.Context");
    return false;
}

bool cache_of(vm_call_t *c, Local<UnboundScript> script)
{
    std::unique_ptr<ScriptCompiler::CachedData> cd(ScriptCompiler::CreateCodeCache(script));
    if (!cd)
        return vm_ret_bytes(c, nullptr, 0);
    return vm_ret_bytes(c, cd->data, static_cast<size_t>(cd->length));
}

// compile(code, filename, lineOffset, columnOffset, parsingContext,
// mark) -> [script handle, sourceMappingURL] (mark: vm_marker's)
void compile(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Isolate *iso = info.GetIsolate();
    if (!info[0]->IsString() || !info[1]->IsString()) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "compile(code, filename, ...)");
        return;
    }
    Local<Context> ctx;
    if (!parsing_context(c, info[4], &ctx))
        return;
    ScriptOrigin origin =
        origin_of(iso, info, 1, info[5]->IsInt32() ? info[5].As<Int32>()->Value() : 1);
    ScriptCompiler::Source src(info[0].As<String>(), origin);
    Local<UnboundScript> script;
    {
        Context::Scope cs(ctx);
        TryCatch tc(iso);
        if (!ScriptCompiler::CompileUnboundScript(iso, &src).ToLocal(&script)) {
            if (!tc.HasTerminated()) {
                vm__keep_where(iso, ctx, tc);
                decorate(iso, tc);
            }
            tc.ReThrow();
            return;
        }
    }
    ScriptBox *box = new ScriptBox;
    box->script.Reset(iso, script);
    Local<Object> h = vm__handle_new(vm_call_vm(c), &script_type, box);
    if (h.IsEmpty()) {
        delete box;
        return;
    }
    Local<Value> out[2] = {h, script->GetSourceMappingURL()};
    info.GetReturnValue().Set(Array::New(iso, out, 2));
}

// createCachedData(script | function) -> Uint8Array: V8's code cache of a
// script or of a function compileFunction made.
// Produced, never consumed (docs/guest.md: a guest's cachedData is never
// given to V8).
void create_cached_data(vm_call_t *c)
{
    const auto &info = vm__info(c);
    if (info[0]->IsFunction()) { // compileFunction's
        std::unique_ptr<ScriptCompiler::CachedData> cd(
            ScriptCompiler::CreateCodeCacheForFunction(info[0].As<Function>()));
        vm_ret_bytes(c, cd ? cd->data : nullptr, cd ? static_cast<size_t>(cd->length) : 0);
        return;
    }
    void *p = vm_arg_handle(c, 0, &script_type);
    if (!p) {
        vm_throwf(c, "TypeError", "ERR_INVALID_THIS", "Value of \"this\" must be of type Script");
        return;
    }
    cache_of(c, static_cast<ScriptBox *>(p)->script.Get(info.GetIsolate()));
}

// breakOnSigint: while such runs are going (armed), the signal handler
// gives SIGINT here (vm_sigint_break: atomics only) and the run's
// watchdog, which polls for it, interrupts the run.
std::atomic<int> sigint_armed{0};
std::atomic<int> sigint_seen{0};

enum Fired { kNone, kTimeout, kSigint };

// A run's watchdog: a thread that terminates execution after ms (< 0:
// never) or at a SIGINT (breakOnSigint), unless stopped first; it retries
// while another interrupt holds the vm, and gives up for a real limit.
class Watchdog
{
  public:
    Watchdog(vm_t *vm, int64_t ms, bool sigint) : vm_(vm), sigint_(sigint)
    {
        if (sigint_)
            sigint_armed++;
        if (ms >= 0 || sigint_)
            thread_ = std::thread([this, ms] { watch(ms); });
    }
    // Stops the thread; what made it terminate execution, if it did.
    Fired stop()
    {
        if (thread_.joinable()) {
            {
                std::lock_guard<std::mutex> g(mu_);
                done_ = true;
            }
            cv_.notify_one();
            thread_.join();
        }
        if (sigint_ && --sigint_armed == 0)
            sigint_seen = 0;
        sigint_ = false;
        return fired_;
    }
    ~Watchdog()
    {
        stop();
    }

  private:
    void watch(int64_t ms)
    {
        using namespace std::chrono;
        std::unique_lock<std::mutex> g(mu_);
        auto deadline = steady_clock::now() + milliseconds(ms);
        Fired due = kNone;
        while (!done_) {
            if (due == kNone && sigint_ && sigint_seen.exchange(0))
                due = kSigint;
            if (due == kNone && ms >= 0 && steady_clock::now() >= deadline)
                due = kTimeout;
            if (due != kNone) {
                if (vm__timeout_fire(vm_)) {
                    fired_ = due;
                    return;
                }
                if (vm_limit(vm_) != VM_LIMIT_NONE && vm_limit(vm_) != VM_LIMIT_INTERRUPT)
                    return; // a real limit ends the run anyway
            }
            auto wait = milliseconds(due != kNone ? 1 : sigint_ ? 5 : ms);
            if (ms >= 0 && due == kNone) {
                auto left = duration_cast<milliseconds>(deadline - steady_clock::now());
                if (left < wait)
                    wait = left < milliseconds(0) ? milliseconds(0) : left;
            }
            cv_.wait_for(g, wait, [this] { return done_; });
        }
    }
    vm_t *vm_;
    bool sigint_;
    std::thread thread_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool done_ = false;
    Fired fired_ = kNone;
};

// Runs fn in ctx under the timeout (ms < 0: none), then the context's own
// microtasks (afterEvaluate), and sets the call's result or exception.
template <typename Fn>
void run_timed(vm_call_t *c, Local<Context> ctx, int64_t ms, bool sigint, bool display, Fn fn)
{
    const auto &info = vm__info(c);
    Isolate *iso = info.GetIsolate();
    vm_t *vm = vm_call_vm(c);
    MicrotaskQueue *queue = nullptr;
    Local<Value> qh = ctx->GetNumberOfEmbedderDataFields() > kQueueSlot
                          ? ctx->GetEmbedderData(kQueueSlot)
                          : Undefined(iso).As<Value>();
    void *qp = nullptr;
    if (vm__handle_is(vm, qh, &queue_type, &qp))
        queue = static_cast<MicrotaskQueue *>(qp);
    Local<Value> out;
    bool ok;
    Fired fired;
    {
        TryCatch tc(iso);
        Watchdog wd(vm, ms, sigint);
        {
            Context::Scope cs(ctx);
            ok = fn(ctx, &out);
            if (ok && queue)
                queue->PerformCheckpoint(iso);
        }
        fired = wd.stop();
        if (fired != kNone && vm__timeout_cancel(vm)) {
            // (after the TryCatch: the error reaches the caller)
        } else if (!ok || tc.HasCaught()) {
            if (!tc.HasTerminated() && tc.HasCaught()) {
                if (display)
                    decorate(iso, tc);
                tc.ReThrow();
            }
            return;
        } else {
            fired = kNone;
        }
    }
    if (fired == kTimeout) {
        vm_throwf(c, "Error", "ERR_SCRIPT_EXECUTION_TIMEOUT",
                  "Script execution timed out after %lldms", static_cast<long long>(ms));
        return;
    }
    if (fired == kSigint) {
        vm_throwf(c, "Error", "ERR_SCRIPT_EXECUTION_INTERRUPTED",
                  "Script execution was interrupted by `SIGINT`");
        return;
    }
    info.GetReturnValue().Set(out);
}

int64_t timeout_of(Local<Value> v)
{
    return v->IsNumber() ? static_cast<int64_t>(v.As<Number>()->Value()) : -1;
}

// run(script, contextifiedObject | undefined, timeout, displayErrors,
// breakOnSigint) -> completion value (undefined context: the caller's,
// runInThisContext).
void run(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Isolate *iso = info.GetIsolate();
    void *p = vm_arg_handle(c, 0, &script_type);
    if (!p) {
        vm_throwf(c, "TypeError", "ERR_INVALID_THIS", "Value of \"this\" must be of type Script");
        return;
    }
    Local<Context> ctx = iso->GetCurrentContext();
    if (!info[1]->IsUndefined() && !context_of(iso, info[1], &ctx)) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE",
                  "The \"contextifiedObject\" argument must be an vm.Context");
        return;
    }
    Local<UnboundScript> unbound = static_cast<ScriptBox *>(p)->script.Get(iso);
    run_timed(c, ctx, timeout_of(info[2]), info[4]->IsTrue(), !info[3]->IsFalse(),
              [&](Local<Context> in, Local<Value> *out) {
                  return unbound->BindToCurrentContext()->Run(in).ToLocal(out);
              });
}

// compileFunction(code, filename, lineOffset, columnOffset, parsingContext,
// contextExtensions[], params[], mark) -> function
void compile_function(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Isolate *iso = info.GetIsolate();
    Local<Context> cur = iso->GetCurrentContext();
    if (!info[0]->IsString() || !info[1]->IsString() || !info[5]->IsArray() ||
        !info[6]->IsArray()) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "compileFunction(code, filename, ...)");
        return;
    }
    Local<Context> ctx;
    if (!parsing_context(c, info[4], &ctx))
        return;
    std::vector<Local<Object>> exts;
    std::vector<Local<String>> params;
    Local<Array> ea = info[5].As<Array>(), pa = info[6].As<Array>();
    for (uint32_t i = 0; i < ea->Length(); i++) {
        Local<Value> v;
        if (!ea->Get(cur, i).ToLocal(&v))
            return;
        if (v->IsObject())
            exts.push_back(v.As<Object>());
    }
    for (uint32_t i = 0; i < pa->Length(); i++) {
        Local<Value> v;
        if (!pa->Get(cur, i).ToLocal(&v))
            return;
        if (!v->IsString()) {
            vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "params must be strings");
            return;
        }
        params.push_back(v.As<String>());
    }
    ScriptOrigin origin =
        origin_of(iso, info, 1, info[7]->IsInt32() ? info[7].As<Int32>()->Value() : 1);
    ScriptCompiler::Source src(info[0].As<String>(), origin);
    Context::Scope cs(ctx);
    TryCatch tc(iso);
    Local<Function> fn;
    if (ScriptCompiler::CompileFunction(ctx, &src, params.size(), params.data(), exts.size(),
                                        exts.data())
            .ToLocal(&fn)) {
        info.GetReturnValue().Set(fn);
        return;
    }
    if (!tc.HasTerminated())
        vm__keep_where(iso, ctx, tc);
    tc.ReThrow();
}

// measureMemory(detailed, eager) -> promise of V8's measurement (its
// default delegate: { total: { jsMemoryEstimate, jsMemoryRange } }, and
// with detailed the current context's and the others'), resolved after the
// GC that measures (eager: one started for it).
void measure_memory(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Isolate *iso = info.GetIsolate();
    Local<Context> ctx = iso->GetCurrentContext();
    Local<Promise::Resolver> r;
    if (!Promise::Resolver::New(ctx).ToLocal(&r))
        return;
    iso->MeasureMemory(
        MeasureMemoryDelegate::Default(iso, ctx, r,
                                       info[0]->IsTrue() ? MeasureMemoryMode::kDetailed
                                                         : MeasureMemoryMode::kSummary),
        info[1]->IsTrue() ? MeasureMemoryExecution::kEager : MeasureMemoryExecution::kDefault);
    info.GetReturnValue().Set(r->GetPromise());
}

const vm_native_t contextify_natives[] = {
    {"measureMemory", measure_memory, 2, VM_NATIVE_PURE},
    {"makeContext", make_context, 6, VM_NATIVE_PURE},
    {"isContext", is_context, 1, VM_NATIVE_PURE},
    {"compile", compile, 6, VM_NATIVE_PURE},
    {"createCachedData", create_cached_data, 1, VM_NATIVE_PURE},
    {"run", run, 5, VM_NATIVE_PURE},
    {"compileFunction", compile_function, 8, VM_NATIVE_PURE},
};

} // namespace

const char *vm__vm_import_refused(Isolate *iso, Local<Data> options, const char **message)
{
    if (options.IsEmpty() || !options->IsFixedArray())
        return nullptr;
    Local<PrimitiveArray> a = options.As<PrimitiveArray>();
    if (a->Length() < 1)
        return nullptr;
    Local<Primitive> v = a->Get(iso, 0);
    if (!v->IsString())
        return nullptr;
    String::Utf8Value u(iso, v);
    if (!*u || strncmp(*u, "secure-exec:vm", 14) != 0)
        return nullptr;
    if (!strcmp(*u + 14, ":fn")) {
        *message = "A dynamic import callback was invoked without --experimental-vm-modules";
        return "ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING_FLAG";
    }
    *message = "A dynamic import callback was not specified.";
    return "ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING";
}

extern "C" bool vm_sigint_break(void)
{
    if (sigint_armed.load() <= 0)
        return false;
    sigint_seen = 1;
    return true;
}

extern "C" const vm_table_t vm_contextify_table = {
    "contextify", contextify_natives, sizeof contextify_natives / sizeof contextify_natives[0]};
