// isolate/v8/modules.cc — ES modules on V8's module API, as natives in the
// "esm" namespace. The JS loader (js/bootstrap/esm.js) owns resolution,
// reading and formats; this file only keeps the compiled records and runs
// V8's steps over them:
//
//   compile(source, url)            -> [id, [[specifier, assertions], ...]]
//   synthetic(url, names, evaluate) -> id   (evaluate(id) returns the values)
//   link(id, [childId, ...])        children in the order of the requests
//   setExport(id, name, value)      a synthetic module's binding, later
//   instantiate(id), evaluate(id) -> promise, namespace(id), status(id),
//   exception(id), isGraphAsync(id)
//   setHandlers(importFn, metaFn)   dynamic import() and import.meta
//   whereOf(error)                  the location header of a compile error
//
// A record is found again from a v8::Module by its identity hash (several
// modules may share one; the handle decides). No I/O happens in a V8
// callback: instantiation resolves against links made beforehand.

#include <string>
#include <unordered_map>
#include <vector>

#include "internal.h"

using namespace v8;

namespace
{

struct Record {
    Global<Module> module;
    std::vector<std::pair<std::string, std::string>> requests; // specifier, assertions key
    std::vector<int> children;
    Global<Function> evaluate; // synthetic modules only
    Global<Array> names;
};

struct Store {
    std::vector<Record> mods; // id = index + 1
    std::unordered_multimap<int, int> by_hash;
    Global<Function> import_fn, meta_fn;
};

constexpr int kStoreSlot = 1;

Store *store(Isolate *iso, bool create)
{
    auto *st = static_cast<Store *>(iso->GetData(kStoreSlot));
    if (!st && create) {
        st = new Store();
        iso->SetData(kStoreSlot, st);
    }
    return st;
}

Local<String> str(Isolate *iso, const std::string &s)
{
    return String::NewFromUtf8(iso, s.data(), NewStringType::kNormal, static_cast<int>(s.size()))
        .ToLocalChecked();
}

std::string utf8(Isolate *iso, Local<Value> v)
{
    String::Utf8Value u(iso, v);
    return *u ? std::string(*u, u.length()) : std::string();
}

// "k=v;k=v" of an assertions FixedArray whose entries come in groups of
// `step` (3 for static requests: key, value, offset; 2 for import()).
std::string assertion_key(Isolate *iso, Local<Context> ctx, Local<FixedArray> a, int step)
{
    std::string out;
    for (int i = 0; i + 1 < a->Length(); i += step) {
        out += utf8(iso, a->Get(ctx, i).As<Value>());
        out += '=';
        out += utf8(iso, a->Get(ctx, i + 1).As<Value>());
        out += ';';
    }
    return out;
}

Local<Object> assertion_object(Isolate *iso, Local<Context> ctx, Local<FixedArray> a, int step)
{
    Local<Object> o = Object::New(iso, Null(iso), nullptr, nullptr, 0);
    for (int i = 0; i + 1 < a->Length(); i += step)
        discard(o->Set(ctx, a->Get(ctx, i).As<Value>(), a->Get(ctx, i + 1).As<Value>()));
    return o;
}

Record *find(Isolate *iso, Local<Module> m, int *id_out = nullptr)
{
    Store *st = store(iso, false);
    if (!st)
        return nullptr;
    auto range = st->by_hash.equal_range(m->GetIdentityHash());
    for (auto it = range.first; it != range.second; ++it) {
        Record &r = st->mods[it->second - 1];
        if (r.module.Get(iso) == m) {
            if (id_out)
                *id_out = it->second;
            return &r;
        }
    }
    return nullptr;
}

Record *arg_record(vm_call_t *c, int i, int *id_out = nullptr)
{
    const auto &info = vm__info(c);
    Store *st = store(info.GetIsolate(), false);
    double d = info[i]->IsNumber() ? info[i].As<Number>()->Value() : 0;
    if (!st || d < 1 || d > static_cast<double>(st->mods.size()) || d != static_cast<int>(d)) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_VALUE", "no such module record");
        return nullptr;
    }
    if (id_out)
        *id_out = static_cast<int>(d);
    return &st->mods[static_cast<size_t>(d) - 1];
}

int add(Isolate *iso, Local<Module> m)
{
    Store *st = store(iso, true);
    st->mods.emplace_back();
    st->mods.back().module.Reset(iso, m);
    int id = static_cast<int>(st->mods.size());
    st->by_hash.emplace(m->GetIdentityHash(), id);
    return id;
}

Local<Private> where_key(Isolate *iso)
{
    return Private::ForApi(iso, String::NewFromUtf8Literal(iso, "secure-exec:where"));
}

} // namespace

// A compile error's "where" header kept on the error itself (a private the
// guest cannot see or forge), for whereOf and the fatal report: a loader
// that catches and rethrows the error would otherwise report its own line.
void vm__keep_where(Isolate *iso, Local<Context> ctx, const TryCatch &tc)
{
    std::string where;
    Local<Value> ex = tc.Exception();
    if (!tc.HasTerminated() && !ex.IsEmpty() && ex->IsObject() &&
        vm__where_header(iso, ctx, tc.Message(), &where))
        discard(ex.As<Object>()->SetPrivate(ctx, where_key(iso), str(iso, where)));
}

namespace
{

// whereOf(error) -> the "where" header compile() kept on it, or undefined
void esm_where_of(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Isolate *iso = info.GetIsolate();
    Local<Value> v;
    if (info[0]->IsObject() &&
        info[0].As<Object>()->GetPrivate(iso->GetCurrentContext(), where_key(iso)).ToLocal(&v) &&
        v->IsString())
        info.GetReturnValue().Set(v);
}

ScriptOrigin module_origin(Isolate *iso, Local<Value> url)
{
    return ScriptOrigin(iso, url, 0, 0, false, -1, Local<Value>(), false, false, true);
}

void esm_compile(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Isolate *iso = info.GetIsolate();
    Local<Context> ctx = iso->GetCurrentContext();
    if (!info[0]->IsString() || !info[1]->IsString()) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "compile(source, url)");
        return;
    }
    ScriptOrigin origin = module_origin(iso, info[1]);
    ScriptCompiler::Source src(info[0].As<String>(), origin);
    Local<Module> m;
    TryCatch tc(iso);
    if (!ScriptCompiler::CompileModule(iso, &src).ToLocal(&m)) {
        vm__keep_where(iso, ctx, tc);
        tc.ReThrow();
        return;
    }
    int id = add(iso, m);
    Record &r = store(iso, false)->mods[id - 1];
    Local<FixedArray> reqs = m->GetModuleRequests();
    Local<Array> out = Array::New(iso, reqs->Length());
    for (int i = 0; i < reqs->Length(); i++) {
        Local<ModuleRequest> req = reqs->Get(ctx, i).As<ModuleRequest>();
        Local<FixedArray> asserts = req->GetImportAssertions();
        r.requests.emplace_back(utf8(iso, req->GetSpecifier()),
                                assertion_key(iso, ctx, asserts, 3));
        Local<Value> pair[2] = {req->GetSpecifier(), assertion_object(iso, ctx, asserts, 3)};
        discard(out->Set(ctx, static_cast<uint32_t>(i), Array::New(iso, pair, 2)));
    }
    r.children.assign(r.requests.size(), 0);
    Local<Value> res[2] = {Integer::New(iso, id), out};
    info.GetReturnValue().Set(Array::New(iso, res, 2));
}

MaybeLocal<Value> synthetic_steps(Local<Context> ctx, Local<Module> m)
{
    Isolate *iso = ctx->GetIsolate();
    int id = 0;
    Record *r = find(iso, m, &id);
    if (!r || r->evaluate.IsEmpty()) {
        iso->ThrowException(Exception::Error(str(iso, "synthetic module without record")));
        return MaybeLocal<Value>();
    }
    Local<Value> arg = Integer::New(iso, id);
    Local<Value> values;
    if (!r->evaluate.Get(iso)->Call(ctx, Undefined(iso), 1, &arg).ToLocal(&values))
        return MaybeLocal<Value>();
    // The record may have moved (the call can compile more modules).
    r = find(iso, m);
    Local<Array> names = r->names.Get(iso);
    if (values->IsObject()) {
        for (uint32_t i = 0; i < names->Length(); i++) {
            Local<Value> name, v;
            if (!names->Get(ctx, i).ToLocal(&name) || !name->IsString() ||
                !values.As<Object>()->Get(ctx, name).ToLocal(&v))
                return MaybeLocal<Value>();
            if (m->SetSyntheticModuleExport(iso, name.As<String>(), v).IsNothing())
                return MaybeLocal<Value>();
        }
    }
    Local<Promise::Resolver> done;
    if (!Promise::Resolver::New(ctx).ToLocal(&done) ||
        done->Resolve(ctx, Undefined(iso)).IsNothing())
        return MaybeLocal<Value>();
    return done->GetPromise();
}

void esm_synthetic(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Isolate *iso = info.GetIsolate();
    Local<Context> ctx = iso->GetCurrentContext();
    if (!info[0]->IsString() || !info[1]->IsArray() || !info[2]->IsFunction()) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "synthetic(url, names, evaluate)");
        return;
    }
    Local<Array> arr = info[1].As<Array>();
    std::vector<Local<String>> names;
    for (uint32_t i = 0; i < arr->Length(); i++) {
        Local<Value> v;
        if (!arr->Get(ctx, i).ToLocal(&v))
            return;
        if (!v->IsString()) {
            vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "export names must be strings");
            return;
        }
        names.push_back(v.As<String>());
    }
    Local<Module> m =
        Module::CreateSyntheticModule(iso, info[0].As<String>(), names, synthetic_steps);
    int id = add(iso, m);
    Record &r = store(iso, false)->mods[id - 1];
    r.evaluate.Reset(iso, info[2].As<Function>());
    r.names.Reset(iso, arr);
    info.GetReturnValue().Set(id);
}

// setExport(id, name, value) on a synthetic module (syncBuiltinESMExports)
void esm_set_export(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Isolate *iso = info.GetIsolate();
    Record *r = arg_record(c, 0);
    if (!r)
        return;
    Local<Module> m = r->module.Get(iso);
    if (!m->IsSyntheticModule() || !info[1]->IsString()) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_VALUE", "setExport(syntheticId, name, value)");
        return;
    }
    discard(m->SetSyntheticModuleExport(iso, info[1].As<String>(), info[2]));
}

void esm_link(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Local<Context> ctx = info.GetIsolate()->GetCurrentContext();
    Record *r = arg_record(c, 0);
    if (!r)
        return;
    if (!info[1]->IsArray() || info[1].As<Array>()->Length() != r->requests.size()) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_VALUE", "link(id, children): one per request");
        return;
    }
    Local<Array> kids = info[1].As<Array>();
    for (uint32_t i = 0; i < kids->Length(); i++) {
        Local<Value> v;
        if (!kids->Get(ctx, i).ToLocal(&v))
            return;
        r->children[i] = v->IsNumber() ? static_cast<int>(v.As<Number>()->Value()) : 0;
    }
}

MaybeLocal<Module> resolve_linked(Local<Context> ctx, Local<String> specifier,
                                  Local<FixedArray> assertions, Local<Module> referrer)
{
    Isolate *iso = ctx->GetIsolate();
    Record *r = find(iso, referrer);
    Store *st = store(iso, false);
    if (r) {
        std::string spec = utf8(iso, specifier), key = assertion_key(iso, ctx, assertions, 3);
        for (size_t i = 0; i < r->requests.size(); i++) {
            int kid = r->children[i];
            if (r->requests[i].first == spec && r->requests[i].second == key && kid > 0 &&
                static_cast<size_t>(kid) <= st->mods.size())
                return st->mods[kid - 1].module.Get(iso);
        }
    }
    iso->ThrowException(
        Exception::Error(str(iso, "module '" + utf8(iso, specifier) + "' was not linked")));
    return MaybeLocal<Module>();
}

void esm_instantiate(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Record *r = arg_record(c, 0);
    if (!r)
        return;
    Local<Module> m = r->module.Get(info.GetIsolate());
    bool ok = false;
    if (m->InstantiateModule(info.GetIsolate()->GetCurrentContext(), resolve_linked).To(&ok))
        info.GetReturnValue().Set(ok);
}

// The module of argument 0, which must be instantiated (false: thrown)
bool instantiated_arg(vm_call_t *c, Local<Module> *out)
{
    Record *r = arg_record(c, 0);
    if (!r)
        return false;
    *out = r->module.Get(vm__info(c).GetIsolate());
    if ((*out)->GetStatus() < Module::kInstantiated) {
        vm_throwf(c, "Error", "ERR_INTERNAL_ASSERTION", "module is not instantiated");
        return false;
    }
    return true;
}

void esm_evaluate(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Local<Module> m;
    if (!instantiated_arg(c, &m))
        return;
    Local<Value> out;
    if (m->Evaluate(info.GetIsolate()->GetCurrentContext()).ToLocal(&out))
        info.GetReturnValue().Set(out);
}

void esm_namespace(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Local<Module> m;
    if (!instantiated_arg(c, &m))
        return;
    info.GetReturnValue().Set(m->GetModuleNamespace());
}

void esm_status(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Record *r = arg_record(c, 0);
    if (r)
        info.GetReturnValue().Set(static_cast<int>(r->module.Get(info.GetIsolate())->GetStatus()));
}

void esm_exception(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Record *r = arg_record(c, 0);
    if (!r)
        return;
    Local<Module> m = r->module.Get(info.GetIsolate());
    if (m->GetStatus() == Module::kErrored)
        info.GetReturnValue().Set(m->GetException());
}

void esm_is_graph_async(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Local<Module> m;
    if (!instantiated_arg(c, &m))
        return;
    info.GetReturnValue().Set(m->IsGraphAsync());
}

void esm_set_handlers(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Isolate *iso = info.GetIsolate();
    if (!info[0]->IsFunction() || !info[1]->IsFunction()) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "setHandlers(importFn, metaFn)");
        return;
    }
    Store *st = store(iso, true);
    st->import_fn.Reset(iso, info[0].As<Function>());
    st->meta_fn.Reset(iso, info[1].As<Function>());
}

// import(specifier, { assert }) from any script or module: the loader's
// import function is called with (specifier, referrer name, assertions) and
// returns the promise V8 hands back to the guest.
MaybeLocal<Promise> on_dynamic_import(Local<Context> ctx, Local<Data> options,
                                      Local<Value> resource_name, Local<String> specifier,
                                      Local<FixedArray> assertions)
{
    Isolate *iso = ctx->GetIsolate();
    Store *st = store(iso, false);
    Local<Promise::Resolver> res;
    const char *message = nullptr;
    if (const char *code = vm__vm_import_refused(iso, options, &message)) { // vm's, no loader
        Local<Value> e = Exception::TypeError(str(iso, message));
        discard(e.As<Object>()->Set(ctx, str(iso, "code"), str(iso, code)));
        if (!Promise::Resolver::New(ctx).ToLocal(&res) || res->Reject(ctx, e).IsNothing())
            return MaybeLocal<Promise>();
        return res->GetPromise();
    }
    if (!st || st->import_fn.IsEmpty()) {
        iso->ThrowException(
            Exception::TypeError(str(iso, "A dynamic import callback was not specified.")));
        return MaybeLocal<Promise>();
    }
    Local<Value> args[3] = {specifier, resource_name, assertion_object(iso, ctx, assertions, 2)};
    Local<Value> out;
    if (!st->import_fn.Get(iso)->Call(ctx, Undefined(iso), 3, args).ToLocal(&out))
        return MaybeLocal<Promise>();
    if (out->IsPromise())
        return out.As<Promise>();
    if (!Promise::Resolver::New(ctx).ToLocal(&res) || res->Resolve(ctx, out).IsNothing())
        return MaybeLocal<Promise>();
    return res->GetPromise();
}

void on_import_meta(Local<Context> ctx, Local<Module> m, Local<Object> meta)
{
    Isolate *iso = ctx->GetIsolate();
    Store *st = store(iso, false);
    int id = 0;
    if (!st || st->meta_fn.IsEmpty() || !find(iso, m, &id))
        return;
    Local<Value> args[2] = {Integer::New(iso, id), meta};
    discard(st->meta_fn.Get(iso)->Call(ctx, Undefined(iso), 2, args));
}

const vm_native_t esm_natives[] = {
    {"compile", esm_compile, 2, VM_NATIVE_PURE},
    {"synthetic", esm_synthetic, 3, VM_NATIVE_PURE},
    {"setExport", esm_set_export, 3, VM_NATIVE_PURE},
    {"link", esm_link, 2, VM_NATIVE_PURE},
    {"instantiate", esm_instantiate, 1, VM_NATIVE_PURE},
    {"evaluate", esm_evaluate, 1, VM_NATIVE_PURE},
    {"namespace", esm_namespace, 1, VM_NATIVE_PURE},
    {"status", esm_status, 1, VM_NATIVE_PURE},
    {"exception", esm_exception, 1, VM_NATIVE_PURE},
    {"isGraphAsync", esm_is_graph_async, 1, VM_NATIVE_PURE},
    {"setHandlers", esm_set_handlers, 2, VM_NATIVE_PURE},
    {"whereOf", esm_where_of, 1, VM_NATIVE_PURE},
};

} // namespace

void vm__modules_setup(Isolate *iso)
{
    iso->SetHostImportModuleDynamicallyCallback(on_dynamic_import);
    iso->SetHostInitializeImportMetaObjectCallback(on_import_meta);
}

void vm__modules_free(Isolate *iso)
{
    Store *st = store(iso, false);
    if (!st)
        return;
    for (Record &r : st->mods) {
        r.module.Reset();
        r.evaluate.Reset();
        r.names.Reset();
    }
    st->import_fn.Reset();
    st->meta_fn.Reset();
    delete st;
    iso->SetData(kStoreSlot, nullptr);
}

extern "C" const vm_table_t vm_esm_table = {"esm", esm_natives,
                                            sizeof esm_natives / sizeof esm_natives[0]};
