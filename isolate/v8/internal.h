// isolate/v8/internal.h — shared between the shim's own files; never
// included outside isolate/v8/.
#ifndef SE_ISOLATE_V8_INTERNAL_H
#define SE_ISOLATE_V8_INTERNAL_H

#include <v8.h>

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

// JSON.parse's buffer for a one-byte source text of n bytes (natives.cc):
// one per vm, grown as needed up to an eighth of the budget (64 MiB at
// most) and counted in it; every buffer it outgrows is kept, unchanged,
// until the isolate is disposed. NULL when n does not fit.
char *vm__json_scratch(vm_t *vm, size_t n);
// For a text shorter than VM_JSON_SHORT, instead: the vm's one external
// string of that length and its bytes (to overwrite before each parse),
// made at the first use of each length and kept with the isolate. False
// when the budget cannot take it.
#define VM_JSON_SHORT 1024
bool vm__json_short(vm_t *vm, size_t n, char **bytes, v8::Local<v8::String> *out);

// ES module support (modules.cc): the isolate's import() and import.meta
// callbacks, and the records freed before the isolate is disposed.
void vm__modules_setup(v8::Isolate *iso);
void vm__modules_free(v8::Isolate *iso);

// Drops a Maybe/MaybeLocal on purpose (the only failure is a pending
// termination, which the caller sees anyway).
template <typename T> inline void discard(const T &)
{
}

#endif
