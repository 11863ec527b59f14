// isolate/v8/natives.cc — natives that need V8's own API: introspection for
// util.inspect and util.types, structuredClone over V8's value serializer,
// the CommonJS compile step, and microtask control. They are declared as
// ordinary vm tables ("util", "task") so the bootstrap sees them like any
// other bridge function.

#include <cstring>
#include <string>

#include "internal.h"

using namespace v8;

namespace
{

Local<String> s(Isolate *iso, const char *p)
{
    return String::NewFromUtf8(iso, p).ToLocalChecked();
}

// getPromiseDetails(p) -> [state, result]; state is V8's PromiseState
// (0 pending, 1 fulfilled, 2 rejected).
void get_promise_details(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Isolate *iso = info.GetIsolate();
    if (!info[0]->IsPromise())
        return;
    Local<Promise> p = info[0].As<Promise>();
    Promise::PromiseState st = p->State();
    Local<Value> out[2] = {Integer::New(iso, static_cast<int>(st)), Undefined(iso)};
    if (st != Promise::kPending)
        out[1] = p->Result();
    info.GetReturnValue().Set(Array::New(iso, out, st != Promise::kPending ? 2 : 1));
}

// getProxyDetails(p, full = true) -> undefined | [target, handler] | target
void get_proxy_details(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Isolate *iso = info.GetIsolate();
    if (!info[0]->IsProxy())
        return;
    Local<Proxy> p = info[0].As<Proxy>();
    bool full = info.Length() < 2 || info[1]->BooleanValue(iso);
    if (full) {
        Local<Value> out[2] = {p->GetTarget(), p->GetHandler()};
        info.GetReturnValue().Set(Array::New(iso, out, 2));
    } else {
        info.GetReturnValue().Set(p->GetTarget());
    }
}

// previewEntries(obj, pairs) -> entries, or [entries, isKeyValue] if pairs.
void preview_entries(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Isolate *iso = info.GetIsolate();
    if (!info[0]->IsObject())
        return;
    bool is_kv = false;
    Local<Array> entries;
    if (!info[0].As<Object>()->PreviewEntries(&is_kv).ToLocal(&entries))
        return;
    if (info.Length() < 2 || !info[1]->BooleanValue(iso)) {
        info.GetReturnValue().Set(entries);
        return;
    }
    Local<Value> out[2] = {entries, Boolean::New(iso, is_kv)};
    info.GetReturnValue().Set(Array::New(iso, out, 2));
}

void get_constructor_name(vm_call_t *c)
{
    const auto &info = vm__info(c);
    if (!info[0]->IsObject())
        return;
    info.GetReturnValue().Set(info[0].As<Object>()->GetConstructorName());
}

// getOwnNonIndexProperties(obj, filter): filter uses V8's PropertyFilter bits
// (0 all properties, 2 only enumerable), as Node's binding does.
void get_own_non_index_properties(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Isolate *iso = info.GetIsolate();
    if (!info[0]->IsObject())
        return;
    int filter = info[1]->IsNumber() ? static_cast<int>(info[1].As<Number>()->Value()) : 0;
    Local<Array> keys;
    if (!info[0]
             .As<Object>()
             ->GetPropertyNames(iso->GetCurrentContext(), KeyCollectionMode::kOwnOnly,
                                static_cast<PropertyFilter>(filter), IndexFilter::kSkipIndices)
             .ToLocal(&keys))
        return;
    info.GetReturnValue().Set(keys);
}

class CloneDelegate : public ValueSerializer::Delegate
{
  public:
    explicit CloneDelegate(Isolate *iso) : iso_(iso)
    {
    }
    void ThrowDataCloneError(Local<String> message) override
    {
        Local<Value> err = Exception::Error(message);
        Local<Context> ctx = iso_->GetCurrentContext();
        discard(err.As<Object>()->Set(ctx, s(iso_, "name"), s(iso_, "DataCloneError")));
        discard(err.As<Object>()->Set(ctx, s(iso_, "code"), Integer::New(iso_, 25)));
        iso_->ThrowException(err);
    }

  private:
    Isolate *iso_;
};

void structured_clone(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Isolate *iso = info.GetIsolate();
    Local<Context> ctx = iso->GetCurrentContext();
    CloneDelegate delegate(iso);
    ValueSerializer ser(iso, &delegate);
    ser.WriteHeader();
    if (ser.WriteValue(ctx, info[0]).IsNothing())
        return;
    std::pair<uint8_t *, size_t> buf = ser.Release();
    ValueDeserializer de(iso, buf.first, buf.second);
    Local<Value> out;
    if (de.ReadHeader(ctx).FromMaybe(false) && de.ReadValue(ctx).ToLocal(&out))
        info.GetReturnValue().Set(out);
    free(buf.first);
}

// moveArrayBuffer(ab, dropOnly) -> a new ArrayBuffer over ab's memory, ab
// detached (ArrayBuffer.prototype.transfer's zero-copy step), or with
// dropOnly true ab detached and true; undefined for what cannot be
// detached (not an ArrayBuffer, shared, or not detachable).
void move_array_buffer(vm_call_t *c)
{
    const auto &info = vm__info(c);
    if (!info[0]->IsArrayBuffer())
        return;
    Local<ArrayBuffer> ab = info[0].As<ArrayBuffer>();
    if (!ab->IsDetachable())
        return;
    if (info[1]->IsTrue()) {
        ab->Detach();
        info.GetReturnValue().Set(true);
        return;
    }
    std::shared_ptr<BackingStore> store = ab->GetBackingStore();
    ab->Detach();
    info.GetReturnValue().Set(ArrayBuffer::New(info.GetIsolate(), std::move(store)));
}

// compileFunction(source, filename, params[]) -> function. Compile errors
// propagate as the guest's SyntaxError with the file's location, its
// "where" header kept on it (whereOf) for the loader's decoration.
void compile_function(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Isolate *iso = info.GetIsolate();
    Local<Context> ctx = iso->GetCurrentContext();
    if (!info[0]->IsString() || !info[1]->IsString() || !info[2]->IsArray()) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE",
                  "compileFunction(source, filename, params)");
        return;
    }
    Local<Array> arr = info[2].As<Array>();
    std::vector<Local<String>> params;
    for (uint32_t i = 0; i < arr->Length(); i++) {
        Local<Value> p;
        if (!arr->Get(ctx, i).ToLocal(&p) || !p->IsString())
            return;
        params.push_back(p.As<String>());
    }
    ScriptOrigin origin(iso, info[1]);
    ScriptCompiler::Source src(info[0].As<String>(), origin);
    Local<Function> fn;
    TryCatch tc(iso);
    if (ScriptCompiler::CompileFunction(ctx, &src, params.size(), params.data(), 0, nullptr)
            .ToLocal(&fn)) {
        info.GetReturnValue().Set(fn);
        return;
    }
    vm__keep_where(iso, ctx, tc);
    tc.ReThrow();
}

// runScript(source, filename) -> completion value (a classic script, as
// `node -e` and vm.runInThisContext run code).
void run_script(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Isolate *iso = info.GetIsolate();
    Local<Context> ctx = iso->GetCurrentContext();
    if (!info[0]->IsString() || !info[1]->IsString()) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "runScript(source, filename)");
        return;
    }
    ScriptOrigin origin(iso, info[1]);
    Local<Script> script;
    Local<Value> out;
    if (Script::Compile(ctx, info[0].As<String>(), &origin).ToLocal(&script) &&
        script->Run(ctx).ToLocal(&out))
        info.GetReturnValue().Set(out);
}

// The shell's interruptible work (run on the vm's thread): run(ctx, &out)
// between vm_interruptible_begin and _end, so that its Ctrl-C
// (vm_interrupt) stops it; then a catchable Error "Script execution
// interrupted." (ERR_SCRIPT_EXECUTION_INTERRUPTED) and the run goes on. A
// real limit ends the run as usual; any other exception is the caller's
// (with the loader's "where" header kept when keep_where).
template <typename Run> static void interruptibly(vm_call_t *c, bool keep_where, Run run)
{
    const auto &info = vm__info(c);
    Isolate *iso = info.GetIsolate();
    Local<Context> ctx = iso->GetCurrentContext();
    vm_t *vm = vm_call_vm(c);
    Local<Value> out;
    bool ok, interrupted;
    {
        TryCatch tc(iso);
        vm_interruptible_begin(vm);
        ok = run(ctx, &out);
        interrupted = vm_interruptible_end(vm);
        if (!ok && !interrupted) {
            if (!tc.HasTerminated()) { // a limit ends the run: nothing to throw
                if (keep_where)
                    vm__keep_where(iso, ctx, tc);
                tc.ReThrow();
            }
            return;
        }
    }
    if (interrupted) // (the TryCatch is gone: this error reaches the caller)
        vm_throwf(c, "Error", "ERR_SCRIPT_EXECUTION_INTERRUPTED", "Script execution interrupted.");
    else
        info.GetReturnValue().Set(out);
}

// runInterruptible(source, filename) -> completion value: runScript for
// the shell's statements.
void run_interruptible(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Isolate *iso = info.GetIsolate();
    if (!info[0]->IsString() || !info[1]->IsString()) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "runInterruptible(source, filename)");
        return;
    }
    interruptibly(c, true, [&](Local<Context> ctx, Local<Value> *out) {
        ScriptOrigin origin(iso, info[1]);
        Local<Script> script;
        return Script::Compile(ctx, info[0].As<String>(), &origin).ToLocal(&script) &&
               script->Run(ctx).ToLocal(out);
    });
}

// callInterruptible(fn) -> fn(): the same for the shell's own work that
// runs the guest's code (a getter its Tab completion reads).
void call_interruptible(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Isolate *iso = info.GetIsolate();
    if (!info[0]->IsFunction()) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "callInterruptible(fn)");
        return;
    }
    interruptibly(c, false, [&](Local<Context> ctx, Local<Value> *out) {
        return info[0].As<Function>()->Call(ctx, Undefined(iso), 0, nullptr).ToLocal(out);
    });
}

// errorSource(error) -> Node's "where" header (file:line, the source line,
// a caret) of the place an Error was made, as Node prints it above an
// unhandled rejection (a message V8 makes from the error's own stack), or
// undefined: not an Error, no location, or a place in the bootstrap
// ("node:" names), whose line would be ours, not the guest's.
void error_source(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Isolate *iso = info.GetIsolate();
    Local<Context> ctx = iso->GetCurrentContext();
    if (!info[0]->IsNativeError())
        return;
    Local<Message> msg = Exception::CreateMessage(iso, info[0]);
    if (msg.IsEmpty())
        return;
    String::Utf8Value file(iso, msg->GetScriptResourceName());
    if (!*file || !strncmp(*file, "node:", 5))
        return;
    std::string where;
    if (vm__where_header(iso, ctx, msg, &where))
        info.GetReturnValue().Set(String::NewFromUtf8(iso, where.data(), NewStringType::kNormal,
                                                      static_cast<int>(where.size()))
                                      .ToLocalChecked());
}

// callSites(skip, count) -> [[functionName, scriptId, scriptName, line,
// column], ...] of the current stack, from the caller's frame skip frames
// up (util.getCallSites; V8 10.2's CallSite objects have no script id).
// Counts outside 0..200 are clamped; lines and columns are 1-based.
void call_sites(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Isolate *iso = info.GetIsolate();
    Local<Context> ctx = iso->GetCurrentContext();
    double skip_d = info[0]->IsNumber() ? info[0].As<Number>()->Value() : 0;
    double count_d = info[1]->IsNumber() ? info[1].As<Number>()->Value() : 0;
    int skip = skip_d > 0 && skip_d <= 200 ? static_cast<int>(skip_d) : 0;
    int count = count_d > 0 && count_d <= 200 ? static_cast<int>(count_d) : 0;
    Local<StackTrace> st = StackTrace::CurrentStackTrace(iso, skip + count);
    int n = st->GetFrameCount();
    Local<Array> out = Array::New(iso, n > skip ? n - skip : 0);
    for (int i = skip; i < n; i++) {
        Local<StackFrame> f = st->GetFrame(iso, static_cast<uint32_t>(i));
        Local<String> fn = f->GetFunctionName();
        Local<String> name = f->GetScriptName();
        Local<Value> row[5] = {
            fn.IsEmpty() ? s(iso, "") : fn,
            Integer::New(iso, f->GetScriptId())->ToString(ctx).ToLocalChecked(),
            name.IsEmpty() ? s(iso, "") : name,
            Integer::New(iso, f->GetLineNumber()),
            Integer::New(iso, f->GetColumn()),
        };
        if (out->Set(ctx, static_cast<uint32_t>(i - skip), Array::New(iso, row, 5)).IsNothing())
            return;
    }
    info.GetReturnValue().Set(out);
}

// JSON.parse. V8 10.2's parser internalizes the short strings it makes
// (keys, and values up to 10 characters) as two-byte strings when its
// source is a one-byte string on the heap (SeqSubStringKey keeps the
// source's width only for an external source). One such value makes every
// JSON.stringify around it two-byte, and the next JSON.parse of that text
// runs the two-byte parser: JSON round trips ran 1.2-1.5x slower than on
// Node 20. Parsed from an external string, the same text gives one-byte
// strings, as newer V8 does from any source.
//
// The external strings are the vm's (vm__json_text: one per length class,
// reused by every parse of a text of that class, padded with spaces): they
// never reach JS (the parser copies every string it makes, and a text that
// is not JSON is parsed again from the guest's own string for the error,
// whose message keeps its source), and they only ever hold the guest's own
// text. A text too long for them, a two-byte text, a symbol and a call
// with a reviver go to the builtin.
Local<Private> json_builtin_key(Isolate *iso)
{
    return Private::ForApi(iso, s(iso, "secure-exec:JSON.parse"));
}

// keepBuiltin(fn): the builtin JSON.parse, for the calls parse() hands on.
void json_keep_builtin(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Isolate *iso = info.GetIsolate();
    Local<Context> ctx = iso->GetCurrentContext();
    if (!info[0]->IsFunction()) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "keepBuiltin(fn)");
        return;
    }
    discard(ctx->Global()->SetPrivate(ctx, json_builtin_key(iso), info[0]));
}

// parse(text, reviver): JSON.parse itself (installed as it by the bootstrap).
void json_parse(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Isolate *iso = info.GetIsolate();
    Local<Context> ctx = iso->GetCurrentContext();
    Local<String> text;
    if (info[0]->IsString()) {
        text = info[0].As<String>();
    } else if (info[0]->IsSymbol()) {
        text.Clear(); // the builtin throws its TypeError, with its frame
    } else if (!info[0]->ToString(ctx).ToLocal(&text)) {
        return;
    }
    int len = text.IsEmpty() ? 0 : text->Length();
    Local<Value> out;
    bool reviver = info.Length() > 1 && info[1]->IsFunction();
    if (!reviver && len > 0 && text->IsOneByte()) { // (len > 0: text is set)
        vm_t *vm = vm_call_vm(c);
        size_t n = static_cast<size_t>(len);
        char *buf;
        size_t size;
        Local<String> ext;
        if (text->IsExternalOneByte()) {
            ext = text; // already what the parser needs
        } else if (vm__json_text(vm, n, &buf, &size, &ext)) {
            text->WriteOneByte(iso, reinterpret_cast<uint8_t *>(buf), 0, len,
                               String::NO_NULL_TERMINATION);
            memset(buf + n, ' ', size - n);
        }
        if (!ext.IsEmpty()) {
            TryCatch tc(iso);
            if (JSON::Parse(ctx, ext).ToLocal(&out)) {
                info.GetReturnValue().Set(out);
                return;
            }
            if (!tc.CanContinue() || tc.HasTerminated()) {
                tc.ReThrow();
                return;
            }
            // Not JSON: the builtin throws the same SyntaxError from the
            // guest's string, with its own "at JSON.parse" frame in the
            // stack (an API function has none there).
        }
    }
    Local<Value> builtin;
    if (!ctx->Global()->GetPrivate(ctx, json_builtin_key(iso)).ToLocal(&builtin))
        return;
    if (!builtin->IsFunction()) {
        vm_throwf(c, "Error", "ERR_INTERNAL_ASSERTION", "JSON.parse: the builtin is missing");
        return;
    }
    Local<Value> argv[2] = {text.IsEmpty() ? info[0] : text.As<Value>(),
                            reviver ? info[1] : Undefined(iso).As<Value>()};
    if (builtin.As<Function>()->Call(ctx, info.This(), 2, argv).ToLocal(&out))
        info.GetReturnValue().Set(out);
}

// zeroFillSwitch() -> Uint32Array(1) over the allocator's zero-fill
// switch (1: zero new backing stores, as always; 0: Buffer.allocUnsafe's
// one allocation may get back a store the guest freed, unzeroed), or
// undefined while the snapshot is built (the array would be a copy).
void zero_fill_switch(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Isolate *iso = info.GetIsolate();
    uint32_t *sw = vm__zero_fill(vm_call_vm(c));
    if (!sw)
        return;
    std::unique_ptr<BackingStore> bs = ArrayBuffer::NewBackingStore(
        sw, sizeof *sw, [](void *, size_t, void *) {}, nullptr);
    Local<ArrayBuffer> ab = ArrayBuffer::New(iso, std::move(bs));
    info.GetReturnValue().Set(Uint32Array::New(ab, 0, 1));
}

// tickInfo() -> Uint32Array(2) over the vm's tick flags (vm_tick_info), or
// undefined while the snapshot is built.
void tick_info(vm_call_t *c)
{
    const auto &info = vm__info(c);
    uint32_t *ti = vm__tick_info(vm_call_vm(c));
    if (!ti)
        return;
    std::unique_ptr<BackingStore> bs = ArrayBuffer::NewBackingStore(
        ti, 2 * sizeof *ti, [](void *, size_t, void *) {}, nullptr);
    Local<ArrayBuffer> ab = ArrayBuffer::New(info.GetIsolate(), std::move(bs));
    info.GetReturnValue().Set(Uint32Array::New(ab, 0, 2));
}

void run_microtasks(vm_call_t *c)
{
    vm__info(c).GetIsolate()->PerformMicrotaskCheckpoint();
}

void enqueue_microtask(vm_call_t *c)
{
    const auto &info = vm__info(c);
    if (!info[0]->IsFunction()) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE",
                  "The \"callback\" argument must be of type function.");
        return;
    }
    info.GetIsolate()->EnqueueMicrotask(info[0].As<Function>());
}

// The async context frame (js/node/internal/async-context.js): V8 keeps
// one value per native context, stores it on every promise reaction when
// the reaction is made (then, await) and restores it while the reaction
// runs, then resets it to undefined.
void get_async_frame(vm_call_t *c)
{
    const auto &info = vm__info(c);
    info.GetReturnValue().Set(
        info.GetIsolate()->GetCurrentContext()->GetContinuationPreservedEmbedderData());
}

void set_async_frame(vm_call_t *c)
{
    const auto &info = vm__info(c);
    vm__async_frame_set(vm_call_vm(c), info.GetIsolate()->GetCurrentContext(), info[0]);
}

// setPromiseHooks(init, before, after, resolve): each a function or
// undefined (that hook off); async_hooks' createHook for promises.
void set_promise_hooks(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Local<Function> fn[4];
    for (int i = 0; i < 4; i++) {
        if (info[i]->IsFunction())
            fn[i] = info[i].As<Function>();
        else if (!info[i]->IsUndefined()) {
            vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "hook must be a function");
            return;
        }
    }
    info.GetIsolate()->GetCurrentContext()->SetPromiseHooks(fn[0], fn[1], fn[2], fn[3]);
}

void set_promise_reject_hook(vm_call_t *c)
{
    if (!vm__info(c)[0]->IsFunction()) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "hook must be a function");
        return;
    }
    vm_set_promise_reject_hook(vm_call_vm(c), vm_arg_ref(c, 0));
}

void heap_statistics(vm_call_t *c)
{
    HeapStatistics hs;
    vm__info(c).GetIsolate()->GetHeapStatistics(&hs);
    double v[] = {
        static_cast<double>(hs.total_heap_size()),
        static_cast<double>(hs.total_heap_size_executable()),
        static_cast<double>(hs.total_physical_size()),
        static_cast<double>(hs.total_available_size()),
        static_cast<double>(hs.used_heap_size()),
        static_cast<double>(hs.heap_size_limit()),
        static_cast<double>(hs.malloced_memory()),
        static_cast<double>(hs.peak_malloced_memory()),
        static_cast<double>(hs.does_zap_garbage()),
        static_cast<double>(hs.number_of_native_contexts()),
        static_cast<double>(hs.number_of_detached_contexts()),
        static_cast<double>(hs.total_global_handles_size()),
        static_cast<double>(hs.used_global_handles_size()),
        static_cast<double>(hs.external_memory()),
    };
    vm_ret_f64(c, v, sizeof v / sizeof v[0]);
}

#define TYPE_CHECKS(X)                                  \
    X(isExternal, IsExternal)                           \
    X(isDate, IsDate)                                   \
    X(isArgumentsObject, IsArgumentsObject)             \
    X(isBigIntObject, IsBigIntObject)                   \
    X(isBooleanObject, IsBooleanObject)                 \
    X(isNumberObject, IsNumberObject)                   \
    X(isStringObject, IsStringObject)                   \
    X(isSymbolObject, IsSymbolObject)                   \
    X(isNativeError, IsNativeError)                     \
    X(isRegExp, IsRegExp)                               \
    X(isAsyncFunction, IsAsyncFunction)                 \
    X(isGeneratorFunction, IsGeneratorFunction)         \
    X(isGeneratorObject, IsGeneratorObject)             \
    X(isPromise, IsPromise)                             \
    X(isMap, IsMap)                                     \
    X(isSet, IsSet)                                     \
    X(isMapIterator, IsMapIterator)                     \
    X(isSetIterator, IsSetIterator)                     \
    X(isWeakMap, IsWeakMap)                             \
    X(isWeakSet, IsWeakSet)                             \
    X(isArrayBuffer, IsArrayBuffer)                     \
    X(isDataView, IsDataView)                           \
    X(isSharedArrayBuffer, IsSharedArrayBuffer)         \
    X(isProxy, IsProxy)                                 \
    X(isModuleNamespaceObject, IsModuleNamespaceObject) \
    X(isArrayBufferView, IsArrayBufferView)             \
    X(isTypedArray, IsTypedArray)                       \
    X(isUint8Array, IsUint8Array)                       \
    X(isUint8ClampedArray, IsUint8ClampedArray)         \
    X(isUint16Array, IsUint16Array)                     \
    X(isUint32Array, IsUint32Array)                     \
    X(isInt8Array, IsInt8Array)                         \
    X(isInt16Array, IsInt16Array)                       \
    X(isInt32Array, IsInt32Array)                       \
    X(isFloat32Array, IsFloat32Array)                   \
    X(isFloat64Array, IsFloat64Array)                   \
    X(isBigInt64Array, IsBigInt64Array)                 \
    X(isBigUint64Array, IsBigUint64Array)

#define DEFINE_CHECK(js, v8m)                                    \
    void check_##js(vm_call_t *c)                                \
    {                                                            \
        vm__info(c).GetReturnValue().Set(vm__info(c)[0]->v8m()); \
    }
TYPE_CHECKS(DEFINE_CHECK)
#undef DEFINE_CHECK

void check_isAnyArrayBuffer(vm_call_t *c)
{
    Local<Value> v = vm__info(c)[0];
    vm__info(c).GetReturnValue().Set(v->IsArrayBuffer() || v->IsSharedArrayBuffer());
}

void check_isBoxedPrimitive(vm_call_t *c)
{
    Local<Value> v = vm__info(c)[0];
    vm__info(c).GetReturnValue().Set(v->IsNumberObject() || v->IsStringObject() ||
                                     v->IsBooleanObject() || v->IsBigIntObject() ||
                                     v->IsSymbolObject());
}

#define ENTRY(js, v8m) {#js, check_##js, 1, VM_NATIVE_PURE},

const vm_native_t util_natives[] = {
    {"getPromiseDetails", get_promise_details, 1, VM_NATIVE_PURE},
    {"getProxyDetails", get_proxy_details, 2, VM_NATIVE_PURE},
    {"previewEntries", preview_entries, 2, VM_NATIVE_PURE},
    {"getConstructorName", get_constructor_name, 1, VM_NATIVE_PURE},
    {"getOwnNonIndexProperties", get_own_non_index_properties, 2, VM_NATIVE_PURE},
    {"structuredClone", structured_clone, 1, VM_NATIVE_PURE},
    {"moveArrayBuffer", move_array_buffer, 2, VM_NATIVE_PURE},
    {"compileFunction", compile_function, 3, VM_NATIVE_PURE},
    {"runScript", run_script, 2, VM_NATIVE_PURE},
    {"runInterruptible", run_interruptible, 2, VM_NATIVE_PURE},
    {"callInterruptible", call_interruptible, 1, VM_NATIVE_PURE},
    {"errorSource", error_source, 1, VM_NATIVE_PURE},
    {"callSites", call_sites, 2, VM_NATIVE_PURE},
    {"heapStatistics", heap_statistics, 0, VM_NATIVE_PURE},
    {"zeroFillSwitch", zero_fill_switch, 0, VM_NATIVE_PURE},
    {"isAnyArrayBuffer", check_isAnyArrayBuffer, 1, VM_NATIVE_PURE},
    {"isBoxedPrimitive", check_isBoxedPrimitive, 1, VM_NATIVE_PURE},
    TYPE_CHECKS(ENTRY)};
#undef ENTRY

const vm_native_t json_natives[] = {
    {"parse", json_parse, 2, VM_NATIVE_PURE},
    {"keepBuiltin", json_keep_builtin, 1, VM_NATIVE_PURE},
};

const vm_native_t task_natives[] = {
    {"runMicrotasks", run_microtasks, 0, VM_NATIVE_PURE},
    {"enqueueMicrotask", enqueue_microtask, 1, VM_NATIVE_PURE},
    {"setPromiseRejectHook", set_promise_reject_hook, 1, VM_NATIVE_PURE},
    {"tickInfo", tick_info, 0, VM_NATIVE_PURE},
    {"getAsyncFrame", get_async_frame, 0, VM_NATIVE_PURE},
    {"setAsyncFrame", set_async_frame, 1, VM_NATIVE_PURE},
    {"setPromiseHooks", set_promise_hooks, 4, VM_NATIVE_PURE},
};

} // namespace

extern "C" const vm_table_t vm_v8_table = {"util", util_natives,
                                           sizeof util_natives / sizeof util_natives[0]};
extern "C" const vm_table_t vm_json_table = {"json", json_natives,
                                             sizeof json_natives / sizeof json_natives[0]};
extern "C" const vm_table_t vm_task_table = {"task", task_natives,
                                             sizeof task_natives / sizeof task_natives[0]};
