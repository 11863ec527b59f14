// isolate/v8/internal.h — shared between the shim's own files; never
// included outside isolate/v8/.
#ifndef SE_ISOLATE_V8_INTERNAL_H
#define SE_ISOLATE_V8_INTERNAL_H

#include <v8.h>

#include <memory>
#include <string>

#include "../vm.h"

// The V8 callback info behind a vm_call_t (valid during the call).
const v8::FunctionCallbackInfo<v8::Value> &vm__info(vm_call_t *c);
// The vm's one context.
v8::Local<v8::Context> vm__context(vm_t *vm);

// Node's "where" header of a message ("file:line\nsource\n   ^\n");
// false when V8 gave no location.
bool vm__where_header(v8::Isolate *iso, v8::Local<v8::Context> ctx, v8::Local<v8::Message> msg,
                      std::string *out);

// Keeps the where header of tc's compile error on the error (modules.cc;
// binding.esm.whereOf reads it back).
void vm__keep_where(v8::Isolate *iso, v8::Local<v8::Context> ctx, const v8::TryCatch &tc);

// The allocator's zero-fill switch (see Budget in vm.cc), for
// Buffer.allocUnsafe; nullptr while the snapshot is being built.
uint32_t *vm__zero_fill(vm_t *vm);
// The tick queue's flags (vm_tick_info) for task.tickInfo(); nullptr
// while the snapshot is being built. The first call makes them live.
uint32_t *vm__tick_info(vm_t *vm);

// JSON.parse's external string for a one-byte text of n bytes, and its
// bytes, to overwrite before each parse: one string per class, made at the
// first use of the class and kept with the isolate. A class is an exact
// length below VM_JSON_SHORT; past it, a size 1.2 times the class below,
// *len bytes (the text is padded with spaces, which JSON allows at its
// end). The long classes hold at most an eighth of the budget (64 MiB)
// together: past it the others are dropped. Every string's bytes are
// counted in the budget until V8 disposes of it. False when the text is
// too long or the budget cannot take it.
#define VM_JSON_SHORT 1024
bool vm__json_text(vm_t *vm, size_t n, char **bytes, size_t *len, v8::Local<v8::String> *out);

// Sets the async context frame (natives.cc, task.setAsyncFrame); the first
// frame that is not undefined makes vm_call restore frames from then on.
void vm__async_frame_set(vm_t *vm, v8::Local<v8::Context> ctx, v8::Local<v8::Value> frame);

// ES module support (modules.cc): the isolate's import() and import.meta
// callbacks, and the records freed before the isolate is disposed.
void vm__modules_setup(v8::Isolate *iso);
void vm__modules_free(v8::Isolate *iso);

// Handles (vm_ret_handle) for the shim's own files: a new one owning p
// (empty with an exception pending; p is then still the caller's); whether
// v is a handle of type, with its object (NULL once released); and taking
// the object away from v's handle (which then reads as released).
v8::Local<v8::Object> vm__handle_new(vm_t *vm, const vm_handle_type_t *type, void *p);
bool vm__handle_is(vm_t *vm, v8::Local<v8::Value> v, const vm_handle_type_t *type, void **p);
void vm__handle_take(vm_t *vm, v8::Local<v8::Value> v, const vm_handle_type_t *type);

// The process's budget, kept alive past vm (a message outlives its
// sender), and bytes given back to it from any thread.
std::shared_ptr<void> vm__budget(vm_t *vm);
void vm__budget_release(void *budget, size_t bytes);

// vm's timeout (contextify.cc): its watchdog thread terminates the running
// JS as the shell's interrupt does (false while another interrupt or a
// limit holds the vm), and the run's thread, once it is back, cancels that
// termination so the run goes on (false when a limit came meanwhile: the
// run ends).
bool vm__timeout_fire(vm_t *vm);
bool vm__timeout_cancel(vm_t *vm);
// When a script's host-defined options mark it as compiled by the vm
// module without the run's loader (contextify.cc): the code of Node's
// error its import() rejects with, and *message; else NULL.
const char *vm__vm_import_refused(v8::Isolate *iso, v8::Local<v8::Data> options,
                                  const char **message);

// A ValueSerializer delegate's ReallocateBufferMemory within the budget
// (message.cc): *cap bytes are reserved so far, grown to size (NULL when the
// budget or malloc refuses: V8 then throws its out-of-memory
// DataCloneError); the holder releases *cap when it frees the buffer or
// hands it on.
void *vm__budget_realloc(vm_t *vm, void *old, size_t size, size_t *cap, size_t *actual);

// Drops a Maybe/MaybeLocal on purpose (the only failure is a pending
// termination, which the caller sees anyway).
template <typename T> inline void discard(const T &)
{
}

#endif
