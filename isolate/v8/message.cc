// isolate/v8/message.cc — messages between isolates (worker_threads): V8's
// ValueSerializer and ValueDeserializer over the structured clone algorithm.
//
// A message is made in one vm (vm_arg_message) and read in another
// (vm_ret_message), each on its own thread; in between it belongs to the
// bridge's queue and touches no isolate. It holds:
// - the serialized bytes, reserved in the budget (one for the process) from
//   the first byte on: a message too large for what is left fails with
//   V8's DataCloneError "Data cannot be cloned, out of memory.";
// - the backing stores of the SharedArrayBuffers met in the value (shared:
//   both sides see the same memory, Atomics work across them);
// - the backing stores of the ArrayBuffers of the transfer list (moved: the
//   sender's buffer is detached, the receiver's gets the same memory, no
//   copy);
// - the C objects of the port handles of the transfer list (the sender's
//   objects read as released from then on), re-made as handles of the
//   receiving vm.
// Invariants: the sender is changed (buffers detached, ports taken) only
// once the whole value serialized; a message read or freed gives its bytes
// back to the budget and frees the ports nobody received.

#include <v8.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "../vm.h"
#include "internal.h"

using namespace v8;

// GCC under ASan takes V8's Nothing<bool>() for a read of an uninitialized
// byte (it is a Maybe with has_value false; its value is never read).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

struct vm_msg_s {
    uint8_t *data = nullptr;
    size_t len = 0, reserved = 0;
    std::shared_ptr<void> budget; // the process's, kept: a message may outlive its sender
    std::vector<std::shared_ptr<BackingStore>> shared, moved;
    std::vector<void *> ports;
    const vm_handle_type_t *port_type = nullptr;
};

namespace
{

Local<String> s(Isolate *iso, const char *text)
{
    return String::NewFromUtf8(iso, text).ToLocalChecked();
}

// The DOMException Node throws, as an Error named DataCloneError (code 25).
void throw_clone_error(Isolate *iso, Local<String> message)
{
    Local<Value> err = Exception::Error(message);
    Local<Context> ctx = iso->GetCurrentContext();
    discard(err.As<Object>()->Set(ctx, s(iso, "name"), s(iso, "DataCloneError")));
    discard(err.As<Object>()->Set(ctx, s(iso, "code"), Integer::New(iso, 25)));
    iso->ThrowException(err);
}

class Writer final : public ValueSerializer::Delegate
{
  public:
    Writer(vm_t *vm, vm_msg_s *m, const vm_handle_type_t *port_type)
        : vm_(vm), iso_(Isolate::GetCurrent()), m_(m), port_type_(port_type)
    {
    }
    ~Writer()
    {
        // a buffer the serializer did not hand over (it failed)
        if (!released_)
            vm_release(vm_, cap_);
    }
    void ThrowDataCloneError(Local<String> message) override
    {
        throw_clone_error(iso_, message);
    }
    // Once per SharedArrayBuffer: V8 writes a reference for its next
    // appearances itself.
    Maybe<uint32_t> GetSharedArrayBufferId(Isolate *, Local<SharedArrayBuffer> sab) override
    {
        m_->shared.push_back(sab->GetBackingStore());
        return Just(static_cast<uint32_t>(m_->shared.size() - 1));
    }
    Maybe<bool> WriteHostObject(Isolate *, Local<Object> obj) override
    {
        void *p;
        if (port_type_ && vm__handle_is(vm_, obj, port_type_, &p)) {
            for (size_t i = 0; i < ports_.size(); i++)
                if (ports_[i] == obj) {
                    ser_->WriteUint32(static_cast<uint32_t>(i));
                    return Just(true);
                }
            throw_clone_error(iso_, s(iso_, "Object that needs transfer was found in message but "
                                            "not listed in transferList"));
            return Nothing<bool>();
        }
        throw_clone_error(iso_, s(iso_, "#<Object> could not be cloned."));
        return Nothing<bool>();
    }
    void *ReallocateBufferMemory(void *old, size_t size, size_t *actual) override
    {
        return vm__budget_realloc(vm_, old, size, &cap_, actual);
    }
    void FreeBufferMemory(void *p) override
    {
        free(p);
    }
    void set_serializer(ValueSerializer *ser)
    {
        ser_ = ser;
    }
    std::vector<Local<Object>> &ports()
    {
        return ports_;
    }
    size_t take_reserved()
    {
        released_ = true;
        return cap_;
    }

  private:
    vm_t *vm_;
    Isolate *iso_;
    vm_msg_s *m_;
    const vm_handle_type_t *port_type_;
    ValueSerializer *ser_ = nullptr;
    std::vector<Local<Object>> ports_;
    size_t cap_ = 0;
    bool released_ = false;
};

class Reader final : public ValueDeserializer::Delegate
{
  public:
    Reader(vm_t *vm, vm_msg_s *m, Local<Array> ports) : vm_(vm), m_(m), ports_(ports)
    {
    }
    void set_deserializer(ValueDeserializer *de)
    {
        de_ = de;
    }
    MaybeLocal<SharedArrayBuffer> GetSharedArrayBufferFromId(Isolate *iso, uint32_t id) override
    {
        if (id >= m_->shared.size()) {
            iso->ThrowException(Exception::Error(s(iso, "Unable to deserialize cloned data.")));
            return MaybeLocal<SharedArrayBuffer>();
        }
        return SharedArrayBuffer::New(iso, m_->shared[id]);
    }
    MaybeLocal<Object> ReadHostObject(Isolate *iso) override
    {
        uint32_t i;
        if (!de_->ReadUint32(&i) || i >= m_->ports.size() || !m_->ports[i]) {
            iso->ThrowException(Exception::Error(s(iso, "Unable to deserialize cloned data.")));
            return MaybeLocal<Object>();
        }
        Local<Object> o = vm__handle_new(vm_, m_->port_type, m_->ports[i]);
        if (o.IsEmpty())
            return MaybeLocal<Object>();
        m_->ports[i] = nullptr; // the handle's now
        if (ports_->Set(iso->GetCurrentContext(), i + 1, o).IsNothing())
            return MaybeLocal<Object>();
        return o;
    }

  private:
    vm_t *vm_;
    vm_msg_s *m_;
    Local<Array> ports_;
    ValueDeserializer *de_ = nullptr;
};

} // namespace

void *vm__budget_realloc(vm_t *vm, void *old, size_t size, size_t *cap, size_t *actual)
{
    if (size > *cap && !vm_reserve(vm, size - *cap))
        return nullptr;
    void *p = realloc(old, size);
    if (!p) {
        if (size > *cap)
            vm_release(vm, size - *cap);
        return nullptr;
    }
    if (size > *cap)
        *cap = size;
    *actual = size;
    return p;
}

extern "C" vm_msg_t *vm_arg_message(vm_call_t *c, int i, int list,
                                    const vm_handle_type_t *port_type)
{
    const auto &info = vm__info(c);
    Isolate *iso = info.GetIsolate();
    Local<Context> ctx = iso->GetCurrentContext();
    vm_t *vm = vm_call_vm(c);
    std::unique_ptr<vm_msg_s> m(new vm_msg_s());
    m->budget = vm__budget(vm);
    m->port_type = port_type;
    Writer w(vm, m.get(), port_type);
    ValueSerializer ser(iso, &w);
    w.set_serializer(&ser);
    std::vector<Local<ArrayBuffer>> buffers;
    Local<Value> lv = info[list];
    if (!lv->IsUndefined() && !lv->IsNull()) {
        if (!lv->IsArray()) {
            iso->ThrowException(
                Exception::TypeError(s(iso, "Optional transferList argument must be an iterable")));
            return nullptr;
        }
        Local<Array> arr = lv.As<Array>();
        for (uint32_t k = 0; k < arr->Length(); k++) {
            Local<Value> v;
            if (!arr->Get(ctx, k).ToLocal(&v))
                return nullptr;
            void *p;
            if (v->IsArrayBuffer()) {
                Local<ArrayBuffer> ab = v.As<ArrayBuffer>();
                for (auto &b : buffers)
                    if (b == ab) {
                        throw_clone_error(iso,
                                          s(iso, "Transfer list contains duplicate ArrayBuffer"));
                        return nullptr;
                    }
                if (!ab->IsDetachable()) {
                    throw_clone_error(iso, s(iso, "An ArrayBuffer is not transferable"));
                    return nullptr;
                }
                if (ab->WasDetached()) {
                    throw_clone_error(iso, s(iso, "An ArrayBuffer is detached and could not be "
                                                  "cloned."));
                    return nullptr;
                }
                ser.TransferArrayBuffer(static_cast<uint32_t>(buffers.size()), ab);
                buffers.push_back(ab);
            } else if (port_type && vm__handle_is(vm, v, port_type, &p)) {
                if (!p) {
                    throw_clone_error(iso, s(iso, "MessagePort in transfer list is already "
                                                  "detached"));
                    return nullptr;
                }
                for (auto &o : w.ports())
                    if (o == v) {
                        throw_clone_error(iso, s(iso, "Transfer list contains duplicate "
                                                      "MessagePort"));
                        return nullptr;
                    }
                w.ports().push_back(v.As<Object>());
                m->ports.push_back(p);
            } else {
                throw_clone_error(iso, s(iso, "Found invalid value in transferList."));
                return nullptr;
            }
        }
    }
    ser.WriteHeader();
    if (ser.WriteValue(ctx, info[i]).IsNothing()) {
        m->ports.clear(); // still the sender's
        return nullptr;
    }
    std::pair<uint8_t *, size_t> out = ser.Release();
    m->data = out.first;
    m->len = out.second;
    m->reserved = w.take_reserved();
    for (auto &ab : buffers) {
        m->moved.push_back(ab->GetBackingStore());
        ab->Detach();
    }
    for (auto &o : w.ports())
        vm__handle_take(vm, o, port_type);
    return m.release();
}

extern "C" size_t vm_message_ports(vm_msg_t *m, void ***ports)
{
    *ports = m->ports.data();
    return m->ports.size();
}

extern "C" void vm_message_free(vm_msg_t *m)
{
    if (!m)
        return;
    for (void *p : m->ports)
        if (p)
            m->port_type->free(p);
    free(m->data);
    if (m->reserved)
        vm__budget_release(m->budget.get(), m->reserved);
    delete m;
}

extern "C" void vm_ret_message(vm_call_t *c, vm_msg_t *m)
{
    const auto &info = vm__info(c);
    Isolate *iso = info.GetIsolate();
    Local<Context> ctx = iso->GetCurrentContext();
    Local<Array> result = Array::New(iso, static_cast<int>(m->ports.size() + 1));
    Reader r(vm_call_vm(c), m, result);
    ValueDeserializer de(iso, m->data, m->len, &r);
    r.set_deserializer(&de);
    for (size_t k = 0; k < m->moved.size(); k++)
        de.TransferArrayBuffer(static_cast<uint32_t>(k), ArrayBuffer::New(iso, m->moved[k]));
    Local<Value> v;
    if (de.ReadHeader(ctx).FromMaybe(false) && de.ReadValue(ctx).ToLocal(&v) &&
        result->Set(ctx, 0, v).IsJust())
        info.GetReturnValue().Set(result);
    vm_message_free(m);
}
