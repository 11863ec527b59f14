// isolate/v8/serdes.cc — the natives behind the v8 module (namespace "v8"):
// Node's Serializer/Deserializer over V8's ValueSerializer and
// ValueDeserializer, and the heap's statistics.
//
// A serializer or deserializer is a handle (vm_ret_handle) owning its V8
// object; the JS object of the guest's class (Serializer, a subclass) is
// passed with each call that may call back into it (_writeHostObject,
// _getDataCloneError, _getSharedArrayBufferId, _readHostObject), so the C
// side holds no JS value between calls. Bytes: the serializer's buffer is
// reserved in the budget as it grows (V8's DataCloneError "out of memory"
// past it) and becomes the released Buffer; a deserializer reads a copy
// of the guest's bytes, reserved too, so the guest changing or detaching
// its buffer meanwhile changes nothing V8 reads. Hostile bytes are V8's
// deserializer's to refuse: it checks every length and tag against the
// data and throws "Unable to deserialize cloned data.".

#include <cstdlib>
#include <cstring>
#include <memory>

#include "internal.h"

using namespace v8;

// GCC under ASan takes V8's Nothing<bool>() for a read of an uninitialized
// byte (see message.cc).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace
{

Local<String> s(Isolate *iso, const char *p)
{
    return String::NewFromUtf8(iso, p).ToLocalChecked();
}

// self[name] when it is a function, else empty (nothing thrown unless a
// getter threw: then *threw).
Local<Function> method(Isolate *iso, Local<Object> self, const char *name, bool *threw)
{
    *threw = false;
    Local<Value> v;
    if (self.IsEmpty())
        return Local<Function>();
    if (!self->Get(iso->GetCurrentContext(), s(iso, name)).ToLocal(&v)) {
        *threw = true;
        return Local<Function>();
    }
    return v->IsFunction() ? v.As<Function>() : Local<Function>();
}

class Writer final : public ValueSerializer::Delegate
{
  public:
    explicit Writer(vm_t *vm) : vm_(vm), ser_(Isolate::GetCurrent(), this)
    {
    }
    ~Writer()
    {
        std::pair<uint8_t *, size_t> b = ser_.Release();
        free(b.first);
        vm_release(vm_, cap_);
    }
    ValueSerializer &ser()
    {
        return ser_;
    }
    void set_self(Local<Object> self)
    {
        self_ = self;
    }
    // The bytes written, and the reservation now the caller's.
    std::pair<uint8_t *, size_t> release(size_t *reserved)
    {
        *reserved = cap_;
        cap_ = 0;
        return ser_.Release();
    }

    void ThrowDataCloneError(Local<String> message) override
    {
        Isolate *iso = Isolate::GetCurrent();
        bool threw;
        Local<Function> f = method(iso, self_, "_getDataCloneError", &threw);
        if (threw)
            return;
        Local<Value> err;
        Local<Value> argv[1] = {message};
        if (f.IsEmpty()) {
            err = Exception::Error(message);
        } else if (!f->Call(iso->GetCurrentContext(), self_, 1, argv).ToLocal(&err)) {
            return;
        }
        iso->ThrowException(err);
    }
    Maybe<bool> WriteHostObject(Isolate *iso, Local<Object> obj) override
    {
        bool threw;
        Local<Function> f = method(iso, self_, "_writeHostObject", &threw);
        if (threw)
            return Nothing<bool>();
        if (f.IsEmpty())
            return ValueSerializer::Delegate::WriteHostObject(iso, obj);
        Local<Value> argv[1] = {obj};
        Local<Value> r;
        if (!f->Call(iso->GetCurrentContext(), self_, 1, argv).ToLocal(&r))
            return Nothing<bool>();
        return Just(true);
    }
    Maybe<uint32_t> GetSharedArrayBufferId(Isolate *iso, Local<SharedArrayBuffer> sab) override
    {
        bool threw;
        Local<Function> f = method(iso, self_, "_getSharedArrayBufferId", &threw);
        if (threw)
            return Nothing<uint32_t>();
        if (f.IsEmpty())
            return ValueSerializer::Delegate::GetSharedArrayBufferId(iso, sab);
        Local<Value> argv[1] = {sab};
        Local<Value> r;
        Local<Context> ctx = iso->GetCurrentContext();
        if (!f->Call(ctx, self_, 1, argv).ToLocal(&r))
            return Nothing<uint32_t>();
        return r->Uint32Value(ctx);
    }
    void *ReallocateBufferMemory(void *old, size_t size, size_t *actual) override
    {
        return vm__budget_realloc(vm_, old, size, &cap_, actual);
    }
    void FreeBufferMemory(void *p) override
    {
        free(p);
    }

  private:
    vm_t *vm_;
    ValueSerializer ser_;
    Local<Object> self_; // during a call only
    size_t cap_ = 0;
};

class Reader final : public ValueDeserializer::Delegate
{
  public:
    Reader(vm_t *vm, uint8_t *data, size_t len)
        : vm_(vm), data_(data), len_(len), de_(Isolate::GetCurrent(), data, len, this)
    {
    }
    ~Reader()
    {
        free(data_);
        vm_release(vm_, len_);
    }
    ValueDeserializer &de()
    {
        return de_;
    }
    const uint8_t *data() const
    {
        return data_;
    }
    void set_self(Local<Object> self)
    {
        self_ = self;
    }
    MaybeLocal<Object> ReadHostObject(Isolate *iso) override
    {
        bool threw;
        Local<Function> f = method(iso, self_, "_readHostObject", &threw);
        if (threw)
            return MaybeLocal<Object>();
        if (f.IsEmpty())
            return ValueDeserializer::Delegate::ReadHostObject(iso);
        // V8 runs no JS while it deserializes; Node lets the guest's
        // _readHostObject run (it reads its own bytes through this same
        // deserializer, over the copy no JS can change or detach).
        Isolate::AllowJavascriptExecutionScope allow(iso);
        Local<Value> r;
        if (!f->Call(iso->GetCurrentContext(), self_, 0, nullptr).ToLocal(&r))
            return MaybeLocal<Object>();
        if (!r->IsObject()) {
            iso->ThrowException(
                Exception::TypeError(s(iso, "readHostObject must return an object")));
            return MaybeLocal<Object>();
        }
        return r.As<Object>();
    }

  private:
    vm_t *vm_;
    uint8_t *data_;
    size_t len_;
    ValueDeserializer de_;
    Local<Object> self_;
};

const vm_handle_type_t writer_type = {"v8.Serializer",
                                      [](void *p) { delete static_cast<Writer *>(p); }};
const vm_handle_type_t reader_type = {"v8.Deserializer",
                                      [](void *p) { delete static_cast<Reader *>(p); }};

Writer *writer_of(vm_call_t *c)
{
    void *p = vm_arg_handle(c, 0, &writer_type);
    if (!p)
        vm_throwf(c, "TypeError", "ERR_INVALID_THIS",
                  "Value of \"this\" must be of type Serializer");
    return static_cast<Writer *>(p);
}

Reader *reader_of(vm_call_t *c)
{
    void *p = vm_arg_handle(c, 0, &reader_type);
    if (!p)
        vm_throwf(c, "TypeError", "ERR_INVALID_THIS",
                  "Value of \"this\" must be of type Deserializer");
    return static_cast<Reader *>(p);
}

// The object a call's callbacks go to, for the call's length.
template <typename T> struct Self {
    Self(T *t, Local<Value> v) : t_(t)
    {
        t_->set_self(v->IsObject() ? v.As<Object>() : Local<Object>());
    }
    ~Self()
    {
        t_->set_self(Local<Object>());
    }
    T *t_;
};

// ---- Serializer ----------------------------------------------------------

void ser_new(vm_call_t *c)
{
    vm_ret_handle(c, &writer_type, new Writer(vm_call_vm(c)));
}

void ser_write_header(vm_call_t *c)
{
    if (Writer *w = writer_of(c))
        w->ser().WriteHeader();
}

// writeValue(h, self, value) -> true, or throws
void ser_write_value(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Writer *w = writer_of(c);
    if (!w)
        return;
    Self<Writer> self(w, info[1]);
    Maybe<bool> ok = w->ser().WriteValue(info.GetIsolate()->GetCurrentContext(), info[2]);
    if (ok.IsJust())
        info.GetReturnValue().Set(ok.FromJust());
}

void ser_release(vm_call_t *c)
{
    Writer *w = writer_of(c);
    if (!w)
        return;
    size_t reserved;
    std::pair<uint8_t *, size_t> b = w->release(&reserved);
    vm_release(vm_call_vm(c), reserved);
    if (!b.first) {
        vm_ret_bytes(c, nullptr, 0);
        return;
    }
    vm_ret_bytes_take(c, b.first, b.second);
}

void ser_transfer_array_buffer(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Writer *w = writer_of(c);
    if (!w)
        return;
    Local<Context> ctx = info.GetIsolate()->GetCurrentContext();
    uint32_t id;
    if (!info[1]->Uint32Value(ctx).To(&id))
        return;
    if (!info[2]->IsArrayBuffer() && !info[2]->IsSharedArrayBuffer()) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE",
                  "arrayBuffer must be an ArrayBuffer or SharedArrayBuffer");
        return;
    }
    if (info[2]->IsArrayBuffer())
        w->ser().TransferArrayBuffer(id, info[2].As<ArrayBuffer>());
}

void ser_write_uint32(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Writer *w = writer_of(c);
    uint32_t v;
    if (w && info[1]->Uint32Value(info.GetIsolate()->GetCurrentContext()).To(&v))
        w->ser().WriteUint32(v);
}

void ser_write_uint64(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Writer *w = writer_of(c);
    Local<Context> ctx = info.GetIsolate()->GetCurrentContext();
    uint32_t hi, lo;
    if (w && info[1]->Uint32Value(ctx).To(&hi) && info[2]->Uint32Value(ctx).To(&lo))
        w->ser().WriteUint64((static_cast<uint64_t>(hi) << 32) | lo);
}

void ser_write_double(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Writer *w = writer_of(c);
    double v;
    if (w && info[1]->NumberValue(info.GetIsolate()->GetCurrentContext()).To(&v))
        w->ser().WriteDouble(v);
}

void ser_write_raw_bytes(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Writer *w = writer_of(c);
    if (!w)
        return;
    if (!info[1]->IsArrayBufferView()) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE",
                  "The \"source\" argument must be an instance of Buffer, TypedArray, or "
                  "DataView.");
        return;
    }
    Local<ArrayBufferView> v = info[1].As<ArrayBufferView>();
    std::shared_ptr<BackingStore> bs = v->Buffer()->GetBackingStore();
    size_t off = v->ByteOffset(), len = v->ByteLength();
    if (!bs->Data() || off + len > bs->ByteLength()) // detached
        len = 0;
    w->ser().WriteRawBytes(len ? static_cast<uint8_t *>(bs->Data()) + off : nullptr, len);
}

void ser_treat_views(vm_call_t *c)
{
    const auto &info = vm__info(c);
    if (Writer *w = writer_of(c))
        w->ser().SetTreatArrayBufferViewsAsHostObjects(info[1]->BooleanValue(info.GetIsolate()));
}

// ---- Deserializer --------------------------------------------------------

// newDeserializer(view) -> handle over a copy of the view's bytes
void de_new(vm_call_t *c)
{
    const auto &info = vm__info(c);
    if (!info[0]->IsArrayBufferView()) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE",
                  "The \"buffer\" argument must be an instance of Buffer, TypedArray, or "
                  "DataView.");
        return;
    }
    Local<ArrayBufferView> v = info[0].As<ArrayBufferView>();
    size_t len = v->ByteLength();
    vm_t *vm = vm_call_vm(c);
    if (!vm_reserve(vm, len)) {
        vm_throwf(c, "RangeError", "ERR_MEMORY_ALLOCATION_FAILED",
                  "Array buffer allocation failed");
        return;
    }
    uint8_t *copy = static_cast<uint8_t *>(malloc(len ? len : 1));
    if (!copy) {
        vm_release(vm, len);
        vm_throwf(c, "RangeError", "ERR_MEMORY_ALLOCATION_FAILED",
                  "Array buffer allocation failed");
        return;
    }
    size_t got = v->CopyContents(copy, len);
    vm_ret_handle(c, &reader_type, new Reader(vm, copy, got < len ? got : len));
}

void de_read_header(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Reader *r = reader_of(c);
    if (!r)
        return;
    Self<Reader> self(r, info[1]);
    Maybe<bool> ok = r->de().ReadHeader(info.GetIsolate()->GetCurrentContext());
    if (ok.IsJust())
        info.GetReturnValue().Set(ok.FromJust());
}

void de_read_value(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Reader *r = reader_of(c);
    if (!r)
        return;
    Self<Reader> self(r, info[1]);
    Local<Value> out;
    if (r->de().ReadValue(info.GetIsolate()->GetCurrentContext()).ToLocal(&out))
        info.GetReturnValue().Set(out);
}

void de_transfer_array_buffer(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Reader *r = reader_of(c);
    if (!r)
        return;
    uint32_t id;
    if (!info[1]->Uint32Value(info.GetIsolate()->GetCurrentContext()).To(&id))
        return;
    if (info[2]->IsArrayBuffer())
        r->de().TransferArrayBuffer(id, info[2].As<ArrayBuffer>());
    else if (info[2]->IsSharedArrayBuffer())
        r->de().TransferSharedArrayBuffer(id, info[2].As<SharedArrayBuffer>());
    else
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE",
                  "arrayBuffer must be an ArrayBuffer or SharedArrayBuffer");
}

void de_wire_format_version(vm_call_t *c)
{
    if (Reader *r = reader_of(c))
        vm__info(c).GetReturnValue().Set(r->de().GetWireFormatVersion());
}

void de_read_uint32(vm_call_t *c)
{
    Reader *r = reader_of(c);
    uint32_t v;
    if (!r)
        return;
    if (!r->de().ReadUint32(&v)) {
        vm_throwf(c, "Error", nullptr, "ReadUint32() failed");
        return;
    }
    vm__info(c).GetReturnValue().Set(v);
}

void de_read_uint64(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Reader *r = reader_of(c);
    uint64_t v;
    if (!r)
        return;
    if (!r->de().ReadUint64(&v)) {
        vm_throwf(c, "Error", nullptr, "ReadUint64() failed");
        return;
    }
    Isolate *iso = info.GetIsolate();
    Local<Value> out[2] = {Integer::NewFromUnsigned(iso, static_cast<uint32_t>(v >> 32)),
                           Integer::NewFromUnsigned(iso, static_cast<uint32_t>(v))};
    info.GetReturnValue().Set(Array::New(iso, out, 2));
}

void de_read_double(vm_call_t *c)
{
    Reader *r = reader_of(c);
    double v;
    if (!r)
        return;
    if (!r->de().ReadDouble(&v)) {
        vm_throwf(c, "Error", nullptr, "ReadDouble() failed");
        return;
    }
    vm__info(c).GetReturnValue().Set(v);
}

// readRawBytes(h, length) -> the offset of the bytes in the buffer
void de_read_raw_bytes(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Reader *r = reader_of(c);
    if (!r)
        return;
    int64_t n;
    if (!info[1]->IntegerValue(info.GetIsolate()->GetCurrentContext()).To(&n))
        return;
    const void *p = nullptr;
    if (n < 0 || !r->de().ReadRawBytes(static_cast<size_t>(n), &p)) {
        vm_throwf(c, "Error", nullptr, "ReadRawBytes() failed");
        return;
    }
    info.GetReturnValue().Set(static_cast<double>(static_cast<const uint8_t *>(p) - r->data()));
}

// ---- heap statistics -----------------------------------------------------

// heapSpaces() -> [[name, size, used, available, physical], ...]
void heap_spaces(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Isolate *iso = info.GetIsolate();
    size_t n = iso->NumberOfHeapSpaces();
    Local<Array> out = Array::New(iso, static_cast<int>(n));
    Local<Context> ctx = iso->GetCurrentContext();
    for (size_t i = 0; i < n; i++) {
        HeapSpaceStatistics hs;
        if (!iso->GetHeapSpaceStatistics(&hs, i))
            continue;
        Local<Value> row[5] = {s(iso, hs.space_name()),
                               Number::New(iso, static_cast<double>(hs.space_size())),
                               Number::New(iso, static_cast<double>(hs.space_used_size())),
                               Number::New(iso, static_cast<double>(hs.space_available_size())),
                               Number::New(iso, static_cast<double>(hs.physical_space_size()))};
        if (out->Set(ctx, static_cast<uint32_t>(i), Array::New(iso, row, 5)).IsNothing())
            return;
    }
    info.GetReturnValue().Set(out);
}

void heap_code(vm_call_t *c)
{
    HeapCodeStatistics hs;
    vm__info(c).GetIsolate()->GetHeapCodeAndMetadataStatistics(&hs);
    double v[] = {
        static_cast<double>(hs.code_and_metadata_size()),
        static_cast<double>(hs.bytecode_and_metadata_size()),
        static_cast<double>(hs.external_script_source_size()),
        static_cast<double>(hs.cpu_profiler_metadata_size()),
    };
    vm_ret_f64(c, v, sizeof v / sizeof v[0]);
}

void cached_data_version_tag(vm_call_t *c)
{
    vm__info(c).GetReturnValue().Set(ScriptCompiler::CachedDataVersionTag());
}

void is_one_byte(vm_call_t *c)
{
    const auto &info = vm__info(c);
    info.GetReturnValue().Set(info[0]->IsString() && info[0].As<String>()->IsOneByte());
}

const vm_native_t v8_natives[] = {
    {"newSerializer", ser_new, 0, VM_NATIVE_PURE},
    {"writeHeader", ser_write_header, 1, VM_NATIVE_PURE},
    {"writeValue", ser_write_value, 3, VM_NATIVE_PURE},
    {"releaseBuffer", ser_release, 1, VM_NATIVE_PURE},
    {"serTransferArrayBuffer", ser_transfer_array_buffer, 3, VM_NATIVE_PURE},
    {"writeUint32", ser_write_uint32, 2, VM_NATIVE_PURE},
    {"writeUint64", ser_write_uint64, 3, VM_NATIVE_PURE},
    {"writeDouble", ser_write_double, 2, VM_NATIVE_PURE},
    {"writeRawBytes", ser_write_raw_bytes, 2, VM_NATIVE_PURE},
    {"treatViewsAsHostObjects", ser_treat_views, 2, VM_NATIVE_PURE},
    {"newDeserializer", de_new, 1, VM_NATIVE_PURE},
    {"readHeader", de_read_header, 2, VM_NATIVE_PURE},
    {"readValue", de_read_value, 2, VM_NATIVE_PURE},
    {"deTransferArrayBuffer", de_transfer_array_buffer, 3, VM_NATIVE_PURE},
    {"wireFormatVersion", de_wire_format_version, 1, VM_NATIVE_PURE},
    {"readUint32", de_read_uint32, 1, VM_NATIVE_PURE},
    {"readUint64", de_read_uint64, 1, VM_NATIVE_PURE},
    {"readDouble", de_read_double, 1, VM_NATIVE_PURE},
    {"readRawBytes", de_read_raw_bytes, 2, VM_NATIVE_PURE},
    {"heapSpaces", heap_spaces, 0, VM_NATIVE_PURE},
    {"heapCode", heap_code, 0, VM_NATIVE_PURE},
    {"cachedDataVersionTag", cached_data_version_tag, 0, VM_NATIVE_PURE},
    {"isOneByte", is_one_byte, 1, VM_NATIVE_PURE},
};

} // namespace

extern "C" const vm_table_t vm_serdes_table = {"v8", v8_natives,
                                               sizeof v8_natives / sizeof v8_natives[0]};
