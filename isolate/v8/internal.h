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
