// isolate/v8/vm.cc — the V8 embedding behind isolate/vm.h.
//
// This is the only C++ translation unit family in the tree and the only one
// that sees V8 headers. It owns: the platform, isolate creation from the
// startup snapshot, the trampoline every native function goes through, the
// per-vm table of persistent handles (vm_ref_t), calls from C into JS with
// exception capture, and the heap-limit and termination plumbing.
//
// Invariants:
// - Every entry point opens its own HandleScope and enters the context;
//   no v8::Local outlives the call that made it.
// - Nothing here throws C++ exceptions or unwinds across extern "C".
// - The external-reference list is fixed (one trampoline); the natives'
//   order is fingerprinted into the snapshot header and checked at load.
// - vm_terminate is the only cross-thread entry; the limit reason is an
//   atomic and, once set, sticks: no JS runs again in that vm.

#if !defined(__cplusplus)
#error "C++ only"
#endif

#include <v8-version.h>
#if V8_MAJOR_VERSION != 10 || V8_MINOR_VERSION != 2
#error "isolate/v8 needs V8 10.2 (Debian's libnode-dev, unpacked in build/vendor)"
#endif
#ifdef V8_COMPRESS_POINTERS
#error "libnode108 is built without pointer compression; do not define V8_COMPRESS_POINTERS"
#endif

#include <libplatform/libplatform.h>
#include <v8.h>

#include <atomic>
#include <condition_variable>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unistd.h>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "../vm.h"
#include "internal.h"

using namespace v8;

namespace
{

// ---- the platform: V8's default one, with the event loop told ----------------
//
// V8 posts foreground tasks for an isolate from any thread (an async
// WebAssembly compile finishing on a worker, a FinalizationRegistry's
// cleanup) and expects the embedder to run them soon. The default
// platform only queues them; the loop that owns the isolate would see
// them at its next turn, which may never come (nothing else pending: the
// run ends with the compile's promise unsettled). LoopPlatform hands V8
// the default platform's runners wrapped so that each post wakes the
// isolate's loop (vm_set_wake), and counts the worker tasks in flight so
// that a loop with nothing left waits for them before it ends (vm_drain),
// as Node's platform drains its tasks before 'beforeExit'.

std::mutex g_wake_mu; // guards g_wakes; a wake runs under it
std::unordered_map<Isolate *, std::pair<void (*)(void *), void *>> g_wakes;
std::mutex g_bg_mu;
std::condition_variable g_bg_cv;
size_t g_bg_tasks; // worker tasks posted and not yet done (not the delayed ones)

void wake_isolate(Isolate *iso)
{
    std::lock_guard<std::mutex> lk(g_wake_mu);
    auto it = g_wakes.find(iso);
    if (it != g_wakes.end())
        it->second.first(it->second.second);
}

class CountedTask : public Task
{
  public:
    explicit CountedTask(std::unique_ptr<Task> t) : task_(std::move(t))
    {
        std::lock_guard<std::mutex> lk(g_bg_mu);
        g_bg_tasks++;
    }
    ~CountedTask() override
    {
        task_.reset();
        std::lock_guard<std::mutex> lk(g_bg_mu);
        g_bg_tasks--;
        g_bg_cv.notify_all();
    }
    void Run() override
    {
        task_->Run();
    }

  private:
    std::unique_ptr<Task> task_;
};

class WakingRunner : public TaskRunner
{
  public:
    WakingRunner(std::shared_ptr<TaskRunner> inner, Isolate *iso)
        : inner_(std::move(inner)), iso_(iso)
    {
    }
    void PostTask(std::unique_ptr<Task> t) override
    {
        inner_->PostTask(std::move(t));
        wake_isolate(iso_);
    }
    void PostNonNestableTask(std::unique_ptr<Task> t) override
    {
        inner_->PostNonNestableTask(std::move(t));
        wake_isolate(iso_);
    }
    void PostDelayedTask(std::unique_ptr<Task> t, double s) override
    {
        inner_->PostDelayedTask(std::move(t), s); // runs at a later pump
    }
    void PostNonNestableDelayedTask(std::unique_ptr<Task> t, double s) override
    {
        inner_->PostNonNestableDelayedTask(std::move(t), s);
    }
    void PostIdleTask(std::unique_ptr<IdleTask> t) override
    {
        inner_->PostIdleTask(std::move(t));
    }
    bool IdleTasksEnabled() override
    {
        return inner_->IdleTasksEnabled();
    }
    bool NonNestableTasksEnabled() const override
    {
        return inner_->NonNestableTasksEnabled();
    }
    bool NonNestableDelayedTasksEnabled() const override
    {
        return inner_->NonNestableDelayedTasksEnabled();
    }

  private:
    std::shared_ptr<TaskRunner> inner_;
    Isolate *iso_;
};

class LoopPlatform : public Platform
{
  public:
    explicit LoopPlatform(std::unique_ptr<Platform> inner) : inner_(std::move(inner))
    {
    }
    Platform *inner()
    {
        return inner_.get();
    }
    void forget(Isolate *iso)
    {
        std::lock_guard<std::mutex> lk(mu_);
        runners_.erase(iso);
    }

    PageAllocator *GetPageAllocator() override
    {
        return inner_->GetPageAllocator();
    }
    void OnCriticalMemoryPressure() override
    {
        inner_->OnCriticalMemoryPressure();
    }
    bool OnCriticalMemoryPressure(size_t length) override
    {
        return inner_->OnCriticalMemoryPressure(length);
    }
    int NumberOfWorkerThreads() override
    {
        return inner_->NumberOfWorkerThreads();
    }
    std::shared_ptr<TaskRunner> GetForegroundTaskRunner(Isolate *iso) override
    {
        std::lock_guard<std::mutex> lk(mu_);
        auto &r = runners_[iso];
        if (!r)
            r = std::make_shared<WakingRunner>(inner_->GetForegroundTaskRunner(iso), iso);
        return r;
    }
    void CallOnWorkerThread(std::unique_ptr<Task> t) override
    {
        inner_->CallOnWorkerThread(std::make_unique<CountedTask>(std::move(t)));
    }
    void CallBlockingTaskOnWorkerThread(std::unique_ptr<Task> t) override
    {
        inner_->CallBlockingTaskOnWorkerThread(std::make_unique<CountedTask>(std::move(t)));
    }
    void CallLowPriorityTaskOnWorkerThread(std::unique_ptr<Task> t) override
    {
        inner_->CallLowPriorityTaskOnWorkerThread(std::make_unique<CountedTask>(std::move(t)));
    }
    void CallDelayedOnWorkerThread(std::unique_ptr<Task> t, double s) override
    {
        inner_->CallDelayedOnWorkerThread(std::move(t), s);
    }
    bool IdleTasksEnabled(Isolate *iso) override
    {
        return inner_->IdleTasksEnabled(iso);
    }
    // a job's worker tasks come through CallOnWorkerThread above: counted
    std::unique_ptr<JobHandle> PostJob(TaskPriority p, std::unique_ptr<JobTask> j) override
    {
        return platform::NewDefaultJobHandle(this, p, std::move(j),
                                             static_cast<size_t>(NumberOfWorkerThreads()));
    }
    double MonotonicallyIncreasingTime() override
    {
        return inner_->MonotonicallyIncreasingTime();
    }
    double CurrentClockTimeMillis() override
    {
        return inner_->CurrentClockTimeMillis();
    }
    StackTracePrinter GetStackTracePrinter() override
    {
        return inner_->GetStackTracePrinter();
    }
    TracingController *GetTracingController() override
    {
        return inner_->GetTracingController();
    }
    void DumpWithoutCrashing() override
    {
        inner_->DumpWithoutCrashing();
    }

  private:
    std::unique_ptr<Platform> inner_;
    std::mutex mu_;
    std::unordered_map<Isolate *, std::shared_ptr<WakingRunner>> runners_;
};

std::unique_ptr<LoopPlatform> g_platform; // process-wide by V8's design

const char kMagic[8] = {'S', 'E', 'V', 'M', 'S', 'N', 'P', '1'};

struct BlobHeader {
    char magic[8];
    uint64_t fingerprint;
    char engine[32];
    uint64_t data_len;
};

void trampoline(const FunctionCallbackInfo<Value> &info);

const intptr_t kExternalRefs[] = {
    reinterpret_cast<intptr_t>(trampoline),
    0,
};

uint64_t fingerprint(const std::vector<const vm_native_t *> &natives,
                     const std::vector<const char *> &ns)
{
    uint64_t h = 1469598103934665603ULL;
    auto mix = [&h](const char *s) {
        for (; *s; s++) {
            h ^= static_cast<unsigned char>(*s);
            h *= 1099511628211ULL;
        }
        h ^= 0xff;
        h *= 1099511628211ULL;
    };
    mix(V8::GetVersion());
    for (size_t i = 0; i < natives.size(); i++) {
        mix(ns[i]);
        mix(natives[i]->name);
    }
    return h;
}

char *xstrdup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xstrdup_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *out = nullptr;
    if (vasprintf(&out, fmt, ap) < 0)
        out = nullptr;
    va_end(ap);
    return out;
}

// The run's one memory budget (vm_options_t.heap_limit_mb), one count for
// the whole process: the main isolate and every worker's (vm_options_t.share)
// take from the same Budget. V8's old generation of each isolate is capped
// by its own limit; this counts the rest the guest can make grow, outside
// the heaps: ArrayBuffer and Buffer backing stores (V8 allocates them
// here), arrays the bridges hand over (vm_*_bytes_take), the bridges'
// native buffers in flight (vm_reserve) and messages between threads. A
// reservation is refused when the external bytes plus the heaps' sizes at
// their last GCs would pass the budget; for a backing store V8 then
// collects garbage, retries, and at last throws "RangeError: Array buffer
// allocation failed", as Node does on a failed allocation. Thread-safe:
// bridges reserve from the pool, V8 frees backing stores from its sweeper
// threads, and workers allocate from their own threads.
//
// Freed backing stores are kept, still counted, for the next allocation of
// the same size (glibc would hand the same memory back, but calloc must
// zero it again and large ones come as fresh pages to fault in): zeroed
// again when taken, unless Buffer.allocUnsafe turned zero-filling off for
// its one allocation (the switch, tl_zero_fill, is a Uint32Array of the
// bootstrap's, as Node's zeroFill: one per thread, since each isolate
// allocates on its own) or V8 asked for uninitialized memory it
// overwrites. Only the guest's own freed stores are ever handed back
// unzeroed; new memory is always zeroed, as the process's heap may hold
// what the launcher had before the sandbox was built. A reservation the
// budget refuses frees the kept stores and tries again.
thread_local uint32_t tl_zero_fill = 1; // 0 while Buffer.allocUnsafe allocates
// A bridge's result V8 allocates (v8_buffer) is reserved before V8 asks for
// it, as V8 cannot take a refusal there (it aborts the process): the next
// Allocate of exactly that size takes the reservation instead of making one.
thread_local size_t tl_reserved = 0;
// While an isolate's context is deserialized from the snapshot, a backing
// store the budget refuses is made anyway and counted (V8 cannot take a
// refusal there: it aborts the process); vm_new then gives the isolate up
// (tl_overdrawn), so a worker started with no room left is refused.
thread_local bool tl_deserializing = false;
thread_local bool tl_overdrawn = false;

class Budget final : public ArrayBuffer::Allocator
{
  public:
    explicit Budget(size_t limit) : limit_(limit)
    {
        size_t most = limit ? limit / 2 : kFreedMost;
        freed_most_ = most < kFreedMost ? most : kFreedMost;
    }
    ~Budget() override
    {
        drain();
    }

    bool reserve(size_t n)
    {
        return try_reserve(n) || (drain() && try_reserve(n));
    }
    bool try_reserve(size_t n);
    // Bytes that already exist (arrays taken from a bridge): counted, never refused.
    void charge(size_t n)
    {
        external_.fetch_add(n, std::memory_order_relaxed);
    }
    void release(size_t n)
    {
        external_.fetch_sub(n, std::memory_order_relaxed);
    }
    // Counts vm's heap again (on its thread): the used heap, and what V8
    // counts outside it that did not come through here — WebAssembly
    // memories, mostly (V8 reserves them itself). Returns every heap's
    // side together.
    size_t refresh(vm_t *vm);
    // A vm's heap leaves the count (vm_free).
    void forget(vm_t *vm);
    size_t external() const
    {
        return external_.load(std::memory_order_relaxed);
    }
    size_t heaps() const
    {
        return heap_.load(std::memory_order_relaxed);
    }
    size_t limit() const
    {
        return limit_;
    }

    void *Allocate(size_t n) override
    {
        bool held = n && tl_reserved == n;
        if (held)
            tl_reserved = 0;
        if (void *p = reuse(n)) {
            if (held)
                release(n); // a kept store is counted already
            if (tl_zero_fill)
                memset(p, 0, n);
            return p;
        }
        if (held)
            return kept(calloc(n, 1), n);
        return reserve_or_overdraw(n) ? kept(calloc(n ? n : 1, 1), n) : nullptr;
    }
    void *AllocateUninitialized(size_t n) override
    {
        if (void *p = reuse(n))
            return p;
        return reserve_or_overdraw(n) ? kept(malloc(n ? n : 1), n) : nullptr;
    }
    bool reserve_or_overdraw(size_t n)
    {
        if (reserve(n))
            return true;
        if (!tl_deserializing)
            return false;
        charge(n);
        tl_overdrawn = true;
        return true;
    }
    void Free(void *p, size_t n) override
    {
        if (p && n >= kFreedLeast && n <= freed_most_) {
            std::lock_guard<std::mutex> hold(freed_lock_);
            if (freed_bytes_ + n <= freed_most_) {
                freed_[n].push_back(p);
                freed_bytes_ += n;
                return;
            }
        }
        free(p);
        release(n);
    }
    void *Reallocate(void *p, size_t old, size_t n) override
    {
        if (n > old && !reserve(n - old))
            return nullptr;
        void *q = realloc(p, n ? n : 1);
        if (!q) {
            if (n > old)
                release(n - old);
            return nullptr;
        }
        if (n > old)
            memset(static_cast<char *>(q) + old, 0, n - old);
        else
            release(old - n);
        return q;
    }

  private:
    // Freed backing stores kept: at least a page each, at most half the
    // budget (256 MiB) together.
    static constexpr size_t kFreedLeast = 4096;
    static constexpr size_t kFreedMost = size_t{256} << 20;

    // The vm whose isolate this thread runs, when it takes from this budget.
    vm_t *current_vm();

    // A kept store of exactly n bytes (still counted); nullptr if none.
    void *reuse(size_t n)
    {
        if (n < kFreedLeast || n > freed_most_)
            return nullptr;
        std::lock_guard<std::mutex> hold(freed_lock_);
        auto it = freed_.find(n);
        if (it == freed_.end() || it->second.empty())
            return nullptr;
        void *p = it->second.back();
        it->second.pop_back();
        freed_bytes_ -= n;
        return p;
    }

    // Frees every kept store; false if there was none.
    bool drain()
    {
        std::unordered_map<size_t, std::vector<void *>> out;
        {
            std::lock_guard<std::mutex> hold(freed_lock_);
            if (!freed_bytes_)
                return false;
            out.swap(freed_);
            freed_bytes_ = 0;
        }
        for (auto &f : out)
            for (void *p : f.second) {
                free(p);
                release(f.first);
            }
        return true;
    }

    // The result of a reserved allocation: a failed one gives its bytes back.
    void *kept(void *p, size_t n)
    {
        if (!p)
            release(n);
        return p;
    }

    const size_t limit_; // bytes; 0: count only
    std::atomic<size_t> external_{0};
    std::atomic<size_t> heap_{0};                           // the heaps at their last GCs
    std::mutex freed_lock_;                                 // Free runs on V8's sweeper threads too
    std::unordered_map<size_t, std::vector<void *>> freed_; // by size
    size_t freed_bytes_ = 0;
    size_t freed_most_ = 0;
};

} // namespace

// A C object owned by a JS object (vm_ret_handle).
struct NativeHandle {
    Global<Object> obj;
    const vm_handle_type_t *type;
    void *p; // NULL once released
    vm_t *vm;
};

struct vm_s {
    Isolate *isolate = nullptr;
    // One for the process (workers share their parent's); V8 keeps it
    // alive as long as a backing store it made does.
    std::shared_ptr<Budget> budget;
    size_t budget_heap = 0;  // this isolate's part of budget->heaps()
    size_t budget_since = 0; // reserved on this thread since the last refresh
    Global<Context> context;
    std::vector<const vm_native_t *> natives;
    std::vector<const char *> natives_ns;
    std::vector<Global<Value>> refs; // index = ref - 1
    std::vector<vm_ref_t> free_refs;
    // The async context frame each function ref was made in (index = ref -
    // 1; empty: none), restored around vm_call: a bridge's callback runs in
    // the frame of the JS call that handed it over (AsyncLocalStorage).
    // Kept only once the guest has set a frame (frames_on), so runs that
    // never do pay one flag test.
    std::vector<Global<Value>> frames;
    bool frames_on = false;
    void *userdata = nullptr;
    std::atomic<int> limit{VM_LIMIT_NONE};
    std::mutex interrupt_mu;    // interruptible, against vm_interrupt's threads
    bool interruptible = false; // a shell statement runs
    size_t heap_limit = 0;      // the memory budget, bytes (0: none)
    bool budget_check = false;  // a check_budget interrupt is pending or running
    bool snapshotting = false;  // inside vm_snapshot_build
    vm_ref_t start_fn = 0;
    vm_ref_t reject_hook = 0;
    Global<Value> exception;
    std::string exception_header;
    bool has_exception_header = false;
    Global<ObjectTemplate> handle_tpl;
    std::unordered_set<NativeHandle *> handles; // live ones; vm_free frees the rest
    // JSON.parse's external strings (vm__json_text), by class, and the
    // bytes of the long classes now held.
    std::vector<Global<String>> json_text;
    size_t json_long_bytes = 0;
    // The tick queue's state as JS keeps it (vm_tick_info): [0] nextTick
    // callbacks queued, [1] rejections to report; live once JS took it.
    uint32_t tick_info[2] = {0, 0};
    bool tick_info_live = false;
};

struct vm_call_s {
    const FunctionCallbackInfo<Value> *info;
    vm_t *vm;
    std::unique_ptr<BackingStore> room; // vm_ret_bytes_room's, until its commit
};

bool Budget::try_reserve(size_t n)
{
    if (!limit_) {
        external_.fetch_add(n, std::memory_order_relaxed);
        return true;
    }
    if (n > limit_)
        return false;
    size_t now = external_.fetch_add(n, std::memory_order_relaxed) + n;
    // On an isolate's thread its heap's side is counted afresh past
    // half the budget and every 1/32 of it reserved: WebAssembly
    // memories grow without a GC.
    if (vm_t *vm = current_vm()) {
        vm->budget_since += n;
        if (vm->budget_since >= limit_ / 32 ||
            now + heap_.load(std::memory_order_relaxed) > limit_ / 2) {
            vm->budget_since = 0;
            refresh(vm);
        }
    }
    if (now + heap_.load(std::memory_order_relaxed) > limit_) {
        external_.fetch_sub(n, std::memory_order_relaxed);
        return false;
    }
    return true;
}

size_t Budget::refresh(vm_t *vm)
{
    HeapStatistics hs;
    vm->isolate->GetHeapStatistics(&hs);
    size_t ours = external(), v8 = hs.external_memory();
    size_t heap = hs.used_heap_size() + (v8 > ours ? v8 - ours : 0);
    if (heap >= vm->budget_heap)
        heap_.fetch_add(heap - vm->budget_heap, std::memory_order_relaxed);
    else
        heap_.fetch_sub(vm->budget_heap - heap, std::memory_order_relaxed);
    vm->budget_heap = heap;
    return heaps();
}

void Budget::forget(vm_t *vm)
{
    heap_.fetch_sub(vm->budget_heap, std::memory_order_relaxed);
    vm->budget_heap = 0;
}

vm_t *Budget::current_vm()
{
    Isolate *iso = Isolate::TryGetCurrent();
    if (!iso)
        return nullptr;
    vm_t *vm = static_cast<vm_t *>(iso->GetData(0));
    return vm && vm->budget.get() == this ? vm : nullptr;
}

namespace
{

void flatten(vm_t *vm, const vm_table_t *const *tables, size_t ntables)
{
    for (size_t t = 0; t < ntables; t++)
        for (size_t i = 0; i < tables[t]->count; i++) {
            vm->natives.push_back(&tables[t]->fns[i]);
            vm->natives_ns.push_back(tables[t]->ns);
        }
}

void trampoline(const FunctionCallbackInfo<Value> &info)
{
    vm_t *vm = static_cast<vm_t *>(info.GetIsolate()->GetData(0));
    int32_t idx = info.Data().As<Int32>()->Value();
    if (idx < 0 || static_cast<size_t>(idx) >= vm->natives.size()) {
        fprintf(stderr, "secure-exec-launch: native index %d out of range\n", idx);
        abort();
    }
    vm_call_s call{&info, vm, {}};
    vm->natives[idx]->fn(&call);
}

Local<String> str(Isolate *iso, const char *s, size_t n)
{
    Local<String> out;
    if (!String::NewFromUtf8(iso, s, NewStringType::kNormal, static_cast<int>(n)).ToLocal(&out))
        return String::Empty(iso);
    return out;
}

Local<String> str(Isolate *iso, const char *s)
{
    return str(iso, s, strlen(s));
}

// Builds globalThis.__se_bridge = { ns: { name: fn, ... }, ... }.
bool install_bridge(vm_t *vm, Local<Context> ctx)
{
    Isolate *iso = vm->isolate;
    Local<Object> bridge = Object::New(iso);
    for (size_t i = 0; i < vm->natives.size(); i++) {
        const vm_native_t *n = vm->natives[i];
        Local<String> nsname = str(iso, vm->natives_ns[i]);
        Local<Value> nsval;
        if (!bridge->Get(ctx, nsname).ToLocal(&nsval))
            return false;
        if (!nsval->IsObject()) {
            nsval = Object::New(iso);
            if (bridge->Set(ctx, nsname, nsval).IsNothing())
                return false;
        }
        Local<FunctionTemplate> tpl = FunctionTemplate::New(
            iso, trampoline, Integer::New(iso, static_cast<int32_t>(i)), Local<Signature>(),
            n->arity, ConstructorBehavior::kThrow, SideEffectType::kHasSideEffect);
        Local<Function> fn;
        if (!tpl->GetFunction(ctx).ToLocal(&fn))
            return false;
        Local<String> name = str(iso, n->name);
        fn->SetName(name);
        if (nsval.As<Object>()->Set(ctx, name, fn).IsNothing())
            return false;
    }
    return ctx->Global()->Set(ctx, str(iso, "__se_bridge"), bridge).IsJust();
}

vm_ref_t ref_new(vm_t *vm, Local<Value> v)
{
    if (!vm->free_refs.empty()) {
        vm_ref_t r = vm->free_refs.back();
        vm->free_refs.pop_back();
        vm->refs[r - 1].Reset(vm->isolate, v);
        return r;
    }
    vm->refs.emplace_back(vm->isolate, v);
    return static_cast<vm_ref_t>(vm->refs.size());
}

void frame_keep(vm_t *vm, vm_ref_t r, Local<Context> ctx)
{
    Local<Value> frame = ctx->GetContinuationPreservedEmbedderData();
    if (frame->IsUndefined())
        return;
    if (vm->frames.size() < r)
        vm->frames.resize(vm->refs.size());
    vm->frames[r - 1].Reset(vm->isolate, frame);
}

Local<Value> frame_of(vm_t *vm, vm_ref_t r)
{
    if (r == 0 || r > vm->frames.size() || vm->frames[r - 1].IsEmpty())
        return Undefined(vm->isolate).As<Value>();
    return vm->frames[r - 1].Get(vm->isolate);
}

Local<Value> ref_get(vm_t *vm, vm_ref_t r)
{
    if (r == 0 || r > vm->refs.size() || vm->refs[r - 1].IsEmpty())
        return Undefined(vm->isolate).As<Value>();
    return vm->refs[r - 1].Get(vm->isolate);
}

// Node's "where" header: "file:line\nsource\n   ^^^\n".
void capture_header(vm_t *vm, Local<Context> ctx, Local<Message> msg)
{
    vm->exception_header.clear();
    vm->has_exception_header = vm__where_header(vm->isolate, ctx, msg, &vm->exception_header);
}

void memory_exceeded(vm_t *vm)
{
    vm_terminate(vm, VM_LIMIT_MEMORY); // (wins over a shell's interrupt)
}

size_t near_heap_limit(void *data, size_t current, size_t)
{
    memory_exceeded(static_cast<vm_t *>(data));
    // Headroom so V8 can unwind instead of aborting; the run ends right after.
    return current + 128 * 1024 * 1024;
}

// Heap and external together past the budget by more than this end the run:
// allocations are refused at the budget itself, the slack keeps a guest
// that filled it with Buffers from dying of its heap's next few objects
// (and of V8 counting freed stores a little later than the allocator).
size_t overdrawn(vm_t *vm)
{
    return vm->heap_limit + vm->heap_limit / 4;
}

// Interrupt after a full GC found heap + external overdrawn: the external
// count may still hold buffers that GC found dead (V8 frees them from its
// sweeper afterwards), so collect everything, let the sweeper finish, and
// count again before ending the run.
void check_budget(Isolate *iso, void *data)
{
    vm_t *vm = static_cast<vm_t *>(data);
    iso->LowMemoryNotification();
    size_t heap = vm->budget->refresh(vm);
    if (heap + vm->budget->external() > overdrawn(vm))
        memory_exceeded(vm);
    vm->budget_check = false;
}

// After every GC the budget learns the heap's side (what external
// allocations may still take). The heap grows within its own limit, so
// after a full GC heap and external together are held to the budget too
// (with a quarter's slack).
void after_gc(Isolate *iso, GCType type, GCCallbackFlags, void *data)
{
    vm_t *vm = static_cast<vm_t *>(data);
    size_t heap = vm->budget->refresh(vm);
    if (type == kGCTypeMarkSweepCompact && vm->heap_limit && !vm->budget_check &&
        heap + vm->budget->external() > overdrawn(vm)) {
        vm->budget_check = true;
        iso->RequestInterrupt(check_budget, vm);
    }
}

void on_oom(const char *location, bool is_heap)
{
    fprintf(stderr, "secure-exec-launch: out of memory (%s%s)\n", is_heap ? "heap: " : "",
            location ? location : "?");
    fflush(stderr);
    _exit(137);
}

void on_fatal(const char *location, const char *message)
{
    fprintf(stderr, "secure-exec-launch: fatal V8 error in %s: %s\n", location ? location : "?",
            message ? message : "?");
    fflush(stderr);
    _exit(134);
}

void on_promise_reject(PromiseRejectMessage message)
{
    Local<Promise> promise = message.GetPromise();
    Isolate *iso = promise->GetIsolate();
    vm_t *vm = static_cast<vm_t *>(iso->GetData(0));
    if (!vm || !vm->reject_hook)
        return;
    int type;
    Local<Value> reason = Undefined(iso);
    switch (message.GetEvent()) {
    case kPromiseRejectWithNoHandler:
        type = 0;
        reason = message.GetValue();
        break;
    case kPromiseHandlerAddedAfterReject:
        type = 1;
        break;
    default:
        return; // resolve/reject after resolved: Node ignores them too
    }
    Local<Context> ctx = iso->GetCurrentContext();
    Local<Value> args[3] = {Integer::New(iso, type), promise, reason};
    Local<Value> hook = ref_get(vm, vm->reject_hook);
    if (!hook->IsFunction())
        return;
    // An exception here would be a bootstrap bug; keep it from leaking into
    // the guest's promise machinery.
    TryCatch tc(iso);
    discard(hook.As<Function>()->Call(ctx, Undefined(iso), 3, args));
}

void setup_isolate(vm_t *vm)
{
    Isolate *iso = vm->isolate;
    iso->SetData(0, vm);
    iso->SetMicrotasksPolicy(MicrotasksPolicy::kExplicit);
    iso->SetOOMErrorHandler(on_oom);
    iso->SetFatalErrorHandler(on_fatal);
    iso->SetPromiseRejectCallback(on_promise_reject);
    iso->AddNearHeapLimitCallback(near_heap_limit, vm);
    vm__modules_setup(iso);
}

} // namespace

// ---- internal.h helpers for the other shim files --------------------------

bool vm__where_header(Isolate *iso, Local<Context> ctx, Local<Message> msg, std::string *out)
{
    if (msg.IsEmpty())
        return false;
    String::Utf8Value file(iso, msg->GetScriptResourceName());
    int line = msg->GetLineNumber(ctx).FromMaybe(0);
    Local<String> src;
    if (!*file || line <= 0 || !msg->GetSourceLine(ctx).ToLocal(&src))
        return false;
    String::Utf8Value srcline(iso, src);
    int start = msg->GetStartColumn(ctx).FromMaybe(0);
    int end = msg->GetEndColumn(ctx).FromMaybe(start + 1);
    // V8's columns on a script's first line count its column offset (vm's
    // columnOffset); the line shown does not
    ScriptOrigin origin = msg->GetScriptOrigin();
    int first = line - origin.LineOffset() == 1 ? origin.ColumnOffset() : 0;
    if (first > 0 && start >= first) {
        start -= first;
        end -= first;
    }
    std::string h = std::string(*file) + ":" + std::to_string(line) + "\n";
    h += *srcline ? *srcline : "";
    h += "\n";
    for (int i = 0; i < start; i++)
        h += ((*srcline && i < srcline.length() && (*srcline)[i] == '\t') ? '\t' : ' ');
    // Node's underline: the columns of the range that lie on the source
    // line (none for an error past its end, such as "Unexpected end of
    // input" on an empty last line).
    int len = *srcline ? srcline.length() : 0;
    int carets = (end < len ? end : len) - start;
    if (carets > 200)
        carets = 200;
    if (carets > 0)
        h.append(static_cast<size_t>(carets), '^');
    h += "\n";
    *out = h;
    return true;
}

const v8::FunctionCallbackInfo<v8::Value> &vm__info(vm_call_t *c)
{
    return *c->info;
}

v8::Local<v8::Context> vm__context(vm_t *vm)
{
    return vm->context.Get(vm->isolate);
}

// ---- process-wide ---------------------------------------------------------

extern "C" int vm_platform_init(const char *flags, int worker_threads)
{
    if (g_platform)
        return 0;
    // The language level of Node 22 where this V8 has it behind a flag:
    // import attributes (`import ... with { type: 'json' }`, import()'s
    // `{ with: {...} }`; Node 18.20 backported them) without the older
    // `assert {}` form, a SyntaxError in Node 22 as here; resizable and
    // growable ArrayBuffer/SharedArrayBuffer (shipped in V8 11.1).
    V8::SetFlagsFromString("--harmony-import-attributes");
    V8::SetFlagsFromString("--harmony-rab-gsab");
    // The startup snapshot is embedded in the binary and checked against it
    // (vm_new's header and fingerprint): a checksum pass over its 4.5 MB at
    // every start proves nothing the binary's own integrity does not.
    V8::SetFlagsFromString("--no-verify-snapshot-checksum");
    // Array buffers a scavenge finds dead are freed in the scavenge, not
    // later by a concurrent job: the memory budget sees them gone at once.
    // Else a store asked for right after a scavenge meets a budget still
    // counting the dead ones, and V8's answer to the refusal is a full GC
    // (Buffer churn under strict's 128 MB: 20-25 % of its time).
    V8::SetFlagsFromString("--no-concurrent-array-buffer-sweeping");
    if (flags && *flags)
        V8::SetFlagsFromString(flags);
    g_platform = std::make_unique<LoopPlatform>(platform::NewDefaultPlatform(worker_threads));
    V8::InitializePlatform(g_platform.get());
    if (!V8::Initialize())
        return -EIO;
    return 0;
}

extern "C" void vm_platform_shutdown(void)
{
    if (!g_platform)
        return;
    V8::Dispose();
    V8::DisposePlatform();
    g_platform.reset();
}

extern "C" const char *vm_engine_version(void)
{
    return V8::GetVersion();
}

// ---- snapshot -------------------------------------------------------------

extern "C" int vm_snapshot_build(const vm_table_t *const *tables, size_t ntables,
                                 const char *bundle, size_t bundle_len, const char *bundle_name,
                                 uint8_t **blob_out, size_t *blob_len, char **err)
{
    *blob_out = nullptr;
    *blob_len = 0;
    vm_t vm;
    // counts, refuses nothing; outlives the creator's arrays
    vm.budget = std::make_shared<Budget>(0);
    vm.snapshotting = true;
    flatten(&vm, tables, ntables);
    StartupData data{nullptr, 0};
    {
        SnapshotCreator creator(kExternalRefs);
        vm.isolate = creator.GetIsolate();
        setup_isolate(&vm);
        {
            HandleScope hs(vm.isolate);
            Local<Context> ctx = Context::New(vm.isolate);
            Context::Scope cs(ctx);
            vm.context.Reset(vm.isolate, ctx);
            if (!install_bridge(&vm, ctx)) {
                *err = xstrdup_printf("cannot install the bridge table");
                vm.context.Reset();
                return -EINVAL;
            }
            TryCatch tc(vm.isolate);
            ScriptOrigin origin(vm.isolate, str(vm.isolate, bundle_name));
            Local<Script> script;
            Local<Value> result;
            if (!Script::Compile(ctx, str(vm.isolate, bundle, bundle_len), &origin)
                     .ToLocal(&script) ||
                !script->Run(ctx).ToLocal(&result)) {
                String::Utf8Value e(vm.isolate, tc.Exception());
                std::string where;
                if (!tc.Message().IsEmpty()) {
                    capture_header(&vm, ctx, tc.Message());
                    where = vm.exception_header;
                }
                Local<Value> stack;
                std::string st;
                if (tc.StackTrace(ctx).ToLocal(&stack)) {
                    String::Utf8Value s(vm.isolate, stack);
                    st = *s ? *s : "";
                }
                *err = xstrdup_printf("bootstrap threw: %s\n%s%s", *e ? *e : "?", where.c_str(),
                                      st.c_str());
                vm.context.Reset();
                return -EINVAL;
            }
            if (!result->IsFunction()) {
                *err = xstrdup_printf("bootstrap did not evaluate to the start function");
                vm.context.Reset();
                return -EINVAL;
            }
            vm.isolate->PerformMicrotaskCheckpoint();
            creator.AddData(ctx, result.As<Function>());
            vm.context.Reset();
            vm.refs.clear();
            vm.frames.clear();
            // Context 0 is the run's; the default context is V8's bare
            // one, that vm.createContext's contexts are made from (a copy
            // of the run's would carry the natives along).
            creator.SetDefaultContext(Context::New(vm.isolate));
            creator.AddContext(ctx);
        }
        data = creator.CreateBlob(SnapshotCreator::FunctionCodeHandling::kKeep);
        vm.isolate = nullptr;
    }
    if (!data.data || data.raw_size <= 0) {
        *err = xstrdup_printf("V8 produced no snapshot blob");
        return -EIO;
    }
    BlobHeader h{};
    memcpy(h.magic, kMagic, sizeof kMagic);
    h.fingerprint = fingerprint(vm.natives, vm.natives_ns);
    snprintf(h.engine, sizeof h.engine, "%s", V8::GetVersion());
    h.data_len = static_cast<uint64_t>(data.raw_size);
    size_t total = sizeof h + static_cast<size_t>(data.raw_size);
    uint8_t *out = static_cast<uint8_t *>(malloc(total));
    if (!out) {
        delete[] data.data;
        return -ENOMEM;
    }
    memcpy(out, &h, sizeof h);
    memcpy(out + sizeof h, data.data, static_cast<size_t>(data.raw_size));
    delete[] data.data;
    *blob_out = out;
    *blob_len = total;
    return 0;
}

// ---- isolate lifecycle ----------------------------------------------------

extern "C" int vm_new(const vm_options_t *opts, vm_t **out, char **err)
{
    *out = nullptr;
    if (!g_platform) {
        *err = xstrdup_printf("V8 platform not initialised");
        return -EINVAL;
    }
    BlobHeader h;
    if (!opts->snapshot || opts->snapshot_len < sizeof h) {
        *err = xstrdup_printf("no startup snapshot");
        return -EINVAL;
    }
    memcpy(&h, opts->snapshot, sizeof h);
    std::unique_ptr<vm_t> vm(new vm_t());
    flatten(vm.get(), opts->tables, opts->ntables);
    if (memcmp(h.magic, kMagic, sizeof kMagic) != 0 ||
        h.data_len != opts->snapshot_len - sizeof h ||
        strncmp(h.engine, V8::GetVersion(), sizeof h.engine) != 0 ||
        h.fingerprint != fingerprint(vm->natives, vm->natives_ns)) {
        *err = xstrdup_printf("startup snapshot does not match this binary (engine %.32s, "
                              "built for %.32s); rebuild",
                              V8::GetVersion(), h.engine);
        return -EINVAL;
    }
    static thread_local StartupData blob; // V8 reads it during Isolate::New only
    blob.data = reinterpret_cast<const char *>(opts->snapshot + sizeof h);
    blob.raw_size = static_cast<int>(h.data_len);

    vm->userdata = opts->userdata;
    vm->heap_limit = opts->heap_limit_mb << 20;
    vm->budget = opts->share ? opts->share->budget : std::make_shared<Budget>(vm->heap_limit);
    Isolate::CreateParams params;
    params.snapshot_blob = &blob;
    params.external_references = kExternalRefs;
    params.array_buffer_allocator_shared = vm->budget;
    if (opts->heap_limit_mb) {
        // The old generation gets the whole budget (what it holds is
        // counted against external allocations); the young generation is
        // Node's on x64 whatever the budget: a small one (what
        // ConfigureDefaultsFromHeapSize derives from 128 MB) means a
        // scavenge every few hundred KB and allocation-heavy code 1.5-1.9x
        // slower. One WebAssembly memory is held to the budget by the
        // engine's page limit.
        params.constraints.set_max_old_generation_size_in_bytes(vm->heap_limit);
        params.constraints.set_max_young_generation_size_in_bytes(size_t{VM_YOUNG_GEN_MB} << 20);
        if (!opts->share) { // a process-wide flag, set once
            std::string pages = "--wasm-max-mem-pages=" + std::to_string(vm->heap_limit >> 16);
            V8::SetFlagsFromString(pages.c_str());
        }
    }
    // A worker's resourceLimits, within the budget.
    size_t old_gen = opts->old_gen_mb << 20;
    if (old_gen && old_gen < (size_t{VM_MIN_OLD_GEN_MB} << 20))
        old_gen = size_t{VM_MIN_OLD_GEN_MB} << 20;
    if (old_gen && (!vm->heap_limit || old_gen < vm->heap_limit))
        params.constraints.set_max_old_generation_size_in_bytes(old_gen);
    if (opts->young_gen_mb)
        params.constraints.set_max_young_generation_size_in_bytes(opts->young_gen_mb << 20);
    if (opts->stack_kb) {
        uintptr_t here = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
        params.constraints.set_stack_limit(
            reinterpret_cast<uint32_t *>(here - (opts->stack_kb << 10)));
    }
    tl_deserializing = true; // the isolate's own snapshot data too
    tl_overdrawn = false;
    vm->isolate = Isolate::New(params);
    tl_deserializing = false;
    if (!vm->isolate) {
        *err = xstrdup_printf("cannot create a V8 isolate");
        return -ENOMEM;
    }
    // Entered for the vm's whole life: one isolate per thread, and V8's
    // "current isolate" (used by Exception::*, among others) must be it.
    vm->isolate->Enter();
    setup_isolate(vm.get());
    vm->isolate->AddGCEpilogueCallback(after_gc, vm.get());
    bool overdrawn = false;
    {
        HandleScope hs(vm->isolate);
        tl_deserializing = true;
        Local<Context> ctx;
        if (!Context::FromSnapshot(vm->isolate, 0).ToLocal(&ctx))
            ctx = Local<Context>();
        tl_deserializing = false;
        // only a worker is refused for it: the main isolate's snapshot is
        // the run's floor (counted; the budget stops what comes after)
        overdrawn = tl_overdrawn && opts->share;
        tl_overdrawn = false;
        if (!overdrawn) {
            if (ctx.IsEmpty()) {
                *err = xstrdup_printf("cannot create the context from the snapshot");
                vm_free(vm.release());
                return -EINVAL;
            }
            vm->context.Reset(vm->isolate, ctx);
            Context::Scope cs(ctx);
            Local<Function> start;
            if (!ctx->GetDataFromSnapshotOnce<Function>(0).ToLocal(&start)) {
                *err = xstrdup_printf("the snapshot carries no start function");
                vm_free(vm.release());
                return -EINVAL;
            }
            vm->start_fn = ref_new(vm.get(), start);
        }
    }
    if (overdrawn) { /* its handles are gone: the isolate can go */
        *err = xstrdup_printf("the memory budget has no room for a new isolate");
        vm_free(vm.release());
        return -ENOMEM;
    }
    *out = vm.release();
    return 0;
}

extern "C" void vm_free(vm_t *vm)
{
    if (!vm)
        return;
    if (vm->isolate) {
        vm->isolate->SetPromiseRejectCallback(nullptr);
        vm__modules_free(vm->isolate);
        for (NativeHandle *h : vm->handles) {
            if (h->p)
                h->type->free(h->p);
            h->obj.Reset();
            delete h;
        }
        vm->handles.clear();
        vm->handle_tpl.Reset();
        for (auto &g : vm->refs)
            g.Reset();
        for (auto &g : vm->frames)
            g.Reset();
        vm->exception.Reset();
        for (auto &g : vm->json_text)
            g.Reset();
        vm->context.Reset();
        vm->isolate->Exit();
        vm_set_wake(vm, nullptr, nullptr);
        vm->isolate->Dispose();
        g_platform->forget(vm->isolate);
        vm->budget->forget(vm);
    }
    delete vm;
}

extern "C" void *vm_userdata(vm_t *vm)
{
    return vm->userdata;
}

extern "C" vm_ref_t vm_start_fn(vm_t *vm)
{
    return vm->start_fn;
}

extern "C" void vm_terminate(vm_t *vm, vm_limit_t why)
{
    // the first reason stays, but a limit wins over the shell's interrupt
    int cur = vm->limit.load();
    while ((cur == VM_LIMIT_NONE || (cur == VM_LIMIT_INTERRUPT && why != VM_LIMIT_INTERRUPT)) &&
           !vm->limit.compare_exchange_weak(cur, why))
        ;
    vm->isolate->TerminateExecution();
}

extern "C" void vm_interruptible_begin(vm_t *vm)
{
    std::lock_guard<std::mutex> g(vm->interrupt_mu);
    vm->interruptible = true;
}

// An interrupt's start or end (under interrupt_mu): from NONE to INTERRUPT
// terminates execution, unless a limit or another interrupt holds the vm;
// back to NONE cancels the termination, unless a limit came meanwhile.
static bool interrupt_swap(vm_t *vm, int from, int to)
{
    if (!vm->limit.compare_exchange_strong(from, to))
        return false;
    if (to == VM_LIMIT_INTERRUPT)
        vm->isolate->TerminateExecution();
    else
        vm->isolate->CancelTerminateExecution();
    return true;
}

extern "C" bool vm_interruptible_end(vm_t *vm)
{
    std::lock_guard<std::mutex> g(vm->interrupt_mu);
    vm->interruptible = false;
    return interrupt_swap(vm, VM_LIMIT_INTERRUPT, VM_LIMIT_NONE);
}

extern "C" bool vm_interrupt(vm_t *vm)
{
    std::lock_guard<std::mutex> g(vm->interrupt_mu);
    if (!vm->interruptible)
        return false;
    interrupt_swap(vm, VM_LIMIT_NONE, VM_LIMIT_INTERRUPT);
    return true;
}

bool vm__timeout_fire(vm_t *vm)
{
    std::lock_guard<std::mutex> g(vm->interrupt_mu);
    return interrupt_swap(vm, VM_LIMIT_NONE, VM_LIMIT_INTERRUPT);
}

bool vm__timeout_cancel(vm_t *vm)
{
    std::lock_guard<std::mutex> g(vm->interrupt_mu);
    return interrupt_swap(vm, VM_LIMIT_INTERRUPT, VM_LIMIT_NONE);
}

extern "C" vm_limit_t vm_limit(vm_t *vm)
{
    return static_cast<vm_limit_t>(vm->limit.load());
}

extern "C" void vm_run_microtasks(vm_t *vm)
{
    if (vm->limit.load() != VM_LIMIT_NONE)
        return;
    HandleScope hs(vm->isolate);
    Context::Scope cs(vm__context(vm));
    vm->isolate->PerformMicrotaskCheckpoint();
}

extern "C" void vm_pump(vm_t *vm)
{
    while (platform::PumpMessageLoop(g_platform->inner(), vm->isolate,
                                     platform::MessageLoopBehavior::kDoNotWait)) {
    }
}

extern "C" void vm_set_wake(vm_t *vm, void (*wake)(void *), void *arg)
{
    std::lock_guard<std::mutex> lk(g_wake_mu);
    if (wake)
        g_wakes[vm->isolate] = {wake, arg};
    else
        g_wakes.erase(vm->isolate);
}

extern "C" bool vm_drain(vm_t *vm)
{
    {
        std::unique_lock<std::mutex> lk(g_bg_mu);
        g_bg_cv.wait(lk, [] { return g_bg_tasks == 0; });
    }
    bool ran = false;
    while (platform::PumpMessageLoop(g_platform->inner(), vm->isolate,
                                     platform::MessageLoopBehavior::kDoNotWait))
        ran = true;
    return ran;
}

extern "C" void vm_heap_stats(vm_t *vm, vm_heap_stats_t *out)
{
    HeapStatistics hs;
    vm->isolate->GetHeapStatistics(&hs);
    out->total = static_cast<double>(hs.total_heap_size());
    out->used = static_cast<double>(hs.used_heap_size());
    out->limit = static_cast<double>(hs.heap_size_limit());
    out->external = static_cast<double>(hs.external_memory());
    out->malloced = static_cast<double>(hs.malloced_memory());
    // V8 10.2 has no separate array-buffer counter; external memory is
    // dominated by ArrayBuffer backing stores.
    out->array_buffers = static_cast<double>(hs.external_memory());
}

// ---- calls from C into JS -------------------------------------------------

static Local<ArrayBuffer> owned_buffer(vm_t *vm, void *data, size_t len);

static Local<Value> to_v8(vm_t *vm, const vm_val_t &v)
{
    Isolate *iso = vm->isolate;
    switch (v.type) {
    case VM_T_NULL:
        return Null(iso);
    case VM_T_BOOL:
        return Boolean::New(iso, v.u.b);
    case VM_T_NUMBER:
        return Number::New(iso, v.u.num);
    case VM_T_STRING:
        return str(iso, v.u.str.p, v.u.str.len);
    case VM_T_BYTES_TAKE:
        return Uint8Array::New(owned_buffer(vm, const_cast<char *>(v.u.str.p), v.u.str.len), 0,
                               v.u.str.len);
    case VM_T_FUNCTION:
    case VM_T_OBJECT:
    case VM_T_BYTES:
    case VM_T_BIGINT:
    case VM_T_SYMBOL:
    case VM_T_OTHER:
        return ref_get(vm, v.u.ref);
    case VM_T_UNDEFINED:
    default:
        return Undefined(iso);
    }
}

// Bytes a call was to take, freed when the call does not happen.
static void drop_taken(int argc, const vm_val_t *argv)
{
    for (int i = 0; i < argc; i++)
        if (argv[i].type == VM_T_BYTES_TAKE)
            free(const_cast<char *>(argv[i].u.str.p));
}

extern "C" int vm_call(vm_t *vm, vm_ref_t fn, int argc, const vm_val_t *argv, vm_ref_t *result)
{
    if (result)
        *result = 0;
    if (vm->limit.load() != VM_LIMIT_NONE) {
        drop_taken(argc, argv);
        return VM_TERMINATED;
    }
    Isolate *iso = vm->isolate;
    HandleScope hs(iso);
    Local<Context> ctx = vm__context(vm);
    Context::Scope cs(ctx);
    Local<Value> f = ref_get(vm, fn);
    if (!f->IsFunction()) {
        drop_taken(argc, argv);
        return VM_THREW;
    }
    // the usual few arguments on the stack: a call per read or timer
    Local<Value> few[8];
    std::vector<Local<Value>> many;
    Local<Value> *args = few;
    if (argc > 8) {
        many.resize(static_cast<size_t>(argc));
        args = many.data();
    }
    for (int i = 0; i < argc; i++)
        args[i] = to_v8(vm, argv[i]);
    TryCatch tc(iso);
    Local<Value> r;
    Local<Value> outer;
    if (vm->frames_on) {
        outer = ctx->GetContinuationPreservedEmbedderData();
        ctx->SetContinuationPreservedEmbedderData(frame_of(vm, fn));
    }
    bool ok = f.As<Function>()->Call(ctx, Undefined(iso), argc > 0 ? argc : 0, args).ToLocal(&r);
    if (vm->frames_on)
        ctx->SetContinuationPreservedEmbedderData(outer.IsEmpty() ? Undefined(iso).As<Value>()
                                                                  : outer);
    if (!ok) {
        if (vm->limit.load() != VM_LIMIT_NONE || tc.HasTerminated())
            return VM_TERMINATED;
        vm->exception.Reset(iso, tc.Exception());
        capture_header(vm, ctx, tc.Message());
        return VM_THREW;
    }
    if (vm->limit.load() != VM_LIMIT_NONE)
        return VM_TERMINATED;
    if (result)
        *result = ref_new(vm, r);
    return VM_OK;
}

extern "C" void vm_take_exception(vm_t *vm, vm_ref_t *exception, char **header)
{
    HandleScope hs(vm->isolate);
    *exception = vm->exception.IsEmpty() ? 0 : ref_new(vm, vm->exception.Get(vm->isolate));
    vm->exception.Reset();
    *header = vm->has_exception_header ? strdup(vm->exception_header.c_str()) : nullptr;
    vm->has_exception_header = false;
}

static void free_backing(void *data, size_t len, void *budget)
{
    free(data);
    static_cast<Budget *>(budget)->release(len);
}

// An ArrayBuffer owning malloc'd data, counted in the budget until the GC
// frees it.
static Local<ArrayBuffer> owned_buffer(vm_t *vm, void *data, size_t len)
{
    vm->budget->charge(len);
    return ArrayBuffer::New(
        vm->isolate, ArrayBuffer::NewBackingStore(data, len, free_backing, vm->budget.get()));
}

// A new store (v8_store) or ArrayBuffer (v8_buffer) of len bytes for a
// native call's result, made by V8 from the budget as Buffer.allocUnsafe's store is (zeroed only
// when zero is set), or an empty handle with the allocation failure thrown. V8 then counts it in
// its young generation, so results that die young (a stream's chunks, a cipher's updates) go in a
// scavenge, and a freed store of the size is taken again; a malloc'd store handed over
// (owned_buffer) is found only by a full GC when the external memory piles up.
static std::unique_ptr<BackingStore> v8_store(vm_call_t *c, size_t len, bool zero)
{
    Isolate *iso = c->vm->isolate;
    if (!len)
        return ArrayBuffer::NewBackingStore(iso, 0);
    if (!vm_reserve(c->vm, len)) {
        vm_throw_alloc_failed(c);
        return nullptr;
    }
    tl_reserved = len;
    uint32_t zero_fill = tl_zero_fill;
    tl_zero_fill = zero;
    std::unique_ptr<BackingStore> store = ArrayBuffer::NewBackingStore(iso, len);
    tl_zero_fill = zero_fill;
    if (tl_reserved) { // not taken: nothing V8 allocated here had that size
        tl_reserved = 0;
        c->vm->budget->release(len);
    }
    return store;
}

static Local<ArrayBuffer> v8_buffer(vm_call_t *c, size_t len, bool zero)
{
    std::unique_ptr<BackingStore> store = v8_store(c, len, zero);
    if (!store)
        return Local<ArrayBuffer>();
    return ArrayBuffer::New(c->vm->isolate, std::move(store));
}

// A new ArrayBuffer of len bytes, copied from data (if any), or an empty
// handle with the allocation failure thrown.
static Local<ArrayBuffer> new_buffer(vm_call_t *c, const void *data, size_t len)
{
    Local<ArrayBuffer> ab = v8_buffer(c, len, !data);
    if (!ab.IsEmpty() && data && len)
        memcpy(ab->Data(), data, len);
    return ab;
}

// A malloc'd copy of n doubles as a Float64Array (small: never refused).
static Local<Float64Array> new_f64(vm_t *vm, const double *v, size_t n)
{
    void *p = malloc(n ? n * sizeof(double) : 1);
    if (!p) {
        fprintf(stderr, "secure-exec-launch: out of memory\n");
        _exit(137);
    }
    memcpy(p, v, n * sizeof(double));
    return Float64Array::New(owned_buffer(vm, p, n * sizeof(double)), 0, n);
}

extern "C" bool vm_reserve(vm_t *vm, size_t bytes)
{
    if (vm->budget->reserve(bytes))
        return true;
    if (Isolate::TryGetCurrent() != vm->isolate || !vm->heap_limit || bytes > vm->heap_limit)
        return false;
    // Dead arrays may hold what is missing; V8 does the same for its own.
    vm->isolate->LowMemoryNotification();
    return vm->budget->reserve(bytes);
}

namespace
{
// The bytes of one of vm__json_text's strings, counted in the budget
// until V8 disposes of the string.
class JsonText final : public String::ExternalOneByteStringResource
{
  public:
    JsonText(vm_t *vm, size_t len) : vm_(vm), data_(static_cast<char *>(calloc(len, 1))), len_(len)
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
    char *bytes()
    {
        return data_;
    }
    void Dispose() override
    {
        free(data_);
        vm_->budget->release(len_);
        delete this;
    }

  private:
    vm_t *vm_;
    char *data_;
    size_t len_;
};

} // namespace

uint32_t *vm__tick_info(vm_t *vm)
{
    if (vm->snapshotting)
        return nullptr;
    vm->tick_info_live = true;
    return vm->tick_info;
}

extern "C" const uint32_t *vm_tick_info(vm_t *vm)
{
    return vm->tick_info_live ? vm->tick_info : nullptr;
}

uint32_t *vm__zero_fill(vm_t *vm)
{
    return vm->snapshotting ? nullptr : &tl_zero_fill;
}

bool vm__json_text(vm_t *vm, size_t n, char **bytes, size_t *len, Local<String> *out)
{
    Isolate *iso = vm->isolate;
    size_t most = vm->heap_limit ? vm->heap_limit / 8 : size_t{64} << 20;
    if (most > size_t{64} << 20)
        most = size_t{64} << 20;
    size_t k = 0, size = n;
    if (n == 0)
        return false;
    if (n >= VM_JSON_SHORT) {
        for (size = VM_JSON_SHORT; size < n; k++)
            size += size / 5;
        if (size > most)
            return false;
    }
    size_t slot = n < VM_JSON_SHORT ? n : VM_JSON_SHORT + k;
    if (vm->json_text.size() <= slot)
        vm->json_text.resize(slot + 1);
    Global<String> &g = vm->json_text[slot];
    if (g.IsEmpty()) {
        if (n >= VM_JSON_SHORT && vm->json_long_bytes + size > most) {
            // V8 frees the others when it collects them
            for (size_t i = VM_JSON_SHORT; i < vm->json_text.size(); i++)
                vm->json_text[i].Reset();
            vm->json_long_bytes = 0;
        }
        if (!vm->budget->reserve(size))
            return false;
        auto *res = new JsonText(vm, size);
        Local<String> str;
        if (!res->bytes() || !String::NewExternalOneByte(iso, res).ToLocal(&str)) {
            res->Dispose();
            return false;
        }
        g.Reset(iso, str);
        if (n >= VM_JSON_SHORT)
            vm->json_long_bytes += size;
    }
    *out = g.Get(iso);
    *bytes = const_cast<char *>(out->As<String>()->GetExternalOneByteStringResource()->data());
    *len = size;
    return true;
}

std::shared_ptr<void> vm__budget(vm_t *vm)
{
    return vm->budget;
}

void vm__budget_release(void *budget, size_t bytes)
{
    static_cast<Budget *>(budget)->release(bytes);
}

extern "C" void vm_release(vm_t *vm, size_t bytes)
{
    vm->budget->release(bytes);
}

extern "C" void vm_charge(vm_t *vm, size_t bytes)
{
    vm->budget->charge(bytes);
}

extern "C" void vm_throw_alloc_failed(vm_call_t *c)
{
    Isolate *iso = c->info->GetIsolate();
    iso->ThrowException(Exception::RangeError(str(iso, "Array buffer allocation failed")));
}

extern "C" vm_ref_t vm_new_bytes_take(vm_t *vm, uint8_t *data, size_t len)
{
    HandleScope hs(vm->isolate);
    Context::Scope cs(vm__context(vm));
    return ref_new(vm, Uint8Array::New(owned_buffer(vm, data, len), 0, len));
}

extern "C" void vm_ref_free(vm_t *vm, vm_ref_t ref)
{
    if (ref == 0 || ref > vm->refs.size() || vm->refs[ref - 1].IsEmpty())
        return;
    vm->refs[ref - 1].Reset();
    if (ref <= vm->frames.size())
        vm->frames[ref - 1].Reset();
    vm->free_refs.push_back(ref);
}

extern "C" bool vm_ref_is_true(vm_t *vm, vm_ref_t ref)
{
    HandleScope hs(vm->isolate);
    return ref_get(vm, ref)->BooleanValue(vm->isolate);
}

extern "C" double vm_ref_number(vm_t *vm, vm_ref_t ref, double dflt)
{
    HandleScope hs(vm->isolate);
    Local<Value> v = ref_get(vm, ref);
    return v->IsNumber() ? v.As<Number>()->Value() : dflt;
}

extern "C" void vm_set_promise_reject_hook(vm_t *vm, vm_ref_t fn)
{
    if (vm->reject_hook)
        vm_ref_free(vm, vm->reject_hook);
    vm->reject_hook = fn;
}

// ---- inside native callbacks ----------------------------------------------

extern "C" vm_t *vm_call_vm(vm_call_t *c)
{
    return c->vm;
}

extern "C" int vm_argc(vm_call_t *c)
{
    return c->info->Length();
}

extern "C" vm_type_t vm_arg_type(vm_call_t *c, int i)
{
    Local<Value> v = (*c->info)[i];
    if (v->IsUndefined())
        return VM_T_UNDEFINED;
    if (v->IsNull())
        return VM_T_NULL;
    if (v->IsBoolean())
        return VM_T_BOOL;
    if (v->IsNumber())
        return VM_T_NUMBER;
    if (v->IsString())
        return VM_T_STRING;
    if (v->IsArrayBufferView())
        return VM_T_BYTES;
    if (v->IsFunction())
        return VM_T_FUNCTION;
    if (v->IsBigInt())
        return VM_T_BIGINT;
    if (v->IsSymbol())
        return VM_T_SYMBOL;
    if (v->IsObject())
        return VM_T_OBJECT;
    return VM_T_OTHER;
}

extern "C" double vm_arg_num(vm_call_t *c, int i)
{
    Local<Value> v = (*c->info)[i];
    return v->IsNumber() ? v.As<Number>()->Value() : 0.0;
}

extern "C" int64_t vm_arg_int(vm_call_t *c, int i)
{
    Local<Value> v = (*c->info)[i];
    if (!v->IsNumber())
        return 0;
    double d = v.As<Number>()->Value();
    if (d != d)
        return 0;
    if (d >= 9.2e18)
        return INT64_MAX;
    if (d <= -9.2e18)
        return INT64_MIN;
    return static_cast<int64_t>(d);
}

extern "C" bool vm_arg_bool(vm_call_t *c, int i)
{
    return (*c->info)[i]->BooleanValue(c->info->GetIsolate());
}

extern "C" char *vm_arg_str(vm_call_t *c, int i, size_t *len)
{
    Isolate *iso = c->info->GetIsolate();
    Local<Value> v = (*c->info)[i];
    Local<String> s;
    if (v->IsString())
        s = v.As<String>();
    else if (!v->ToString(iso->GetCurrentContext()).ToLocal(&s))
        return nullptr;
    /* a short string (a path, a name) in one pass: no unit of UTF-16
     * takes more than 3 bytes; a long one is measured first */
    int units = s->Length();
    size_t n =
        units <= 4096 ? static_cast<size_t>(units) * 3 : static_cast<size_t>(s->Utf8Length(iso));
    char *out = static_cast<char *>(malloc(n + 1));
    if (!out) {
        iso->ThrowException(Exception::RangeError(str(iso, "out of memory")));
        return nullptr;
    }
    n = static_cast<size_t>(
        s->WriteUtf8(iso, out, static_cast<int>(n + 1), nullptr,
                     String::REPLACE_INVALID_UTF8 | String::NO_NULL_TERMINATION));
    out[n] = '\0';
    if (len)
        *len = n;
    return out;
}

extern "C" int vm_arg_bytes(vm_call_t *c, int i, uint8_t **data, size_t *len)
{
    Local<Value> v = (*c->info)[i];
    if (!v->IsArrayBufferView())
        return -EINVAL;
    Local<ArrayBufferView> view = v.As<ArrayBufferView>();
    uint8_t *base = static_cast<uint8_t *>(view->Buffer()->Data());
    *data = base ? base + view->ByteOffset() : nullptr;
    *len = view->ByteLength();
    return 0;
}

extern "C" vm_ref_t vm_arg_ref(vm_call_t *c, int i)
{
    Local<Value> v = (*c->info)[i];
    vm_ref_t r = ref_new(c->vm, v);
    if (c->vm->frames_on && v->IsFunction())
        frame_keep(c->vm, r, c->info->GetIsolate()->GetCurrentContext());
    return r;
}

void vm__async_frame_set(vm_t *vm, Local<Context> ctx, Local<Value> frame)
{
    if (!frame->IsUndefined())
        vm->frames_on = true;
    ctx->SetContinuationPreservedEmbedderData(frame);
}

extern "C" void vm_ret_undefined(vm_call_t *c)
{
    c->info->GetReturnValue().SetUndefined();
}

extern "C" void vm_ret_bool(vm_call_t *c, bool v)
{
    c->info->GetReturnValue().Set(v);
}

extern "C" void vm_ret_num(vm_call_t *c, double v)
{
    c->info->GetReturnValue().Set(v);
}

extern "C" void vm_ret_bigint_u64(vm_call_t *c, uint64_t v)
{
    c->info->GetReturnValue().Set(BigInt::NewFromUnsigned(c->info->GetIsolate(), v));
}

extern "C" void vm_ret_str(vm_call_t *c, const char *s, size_t len)
{
    c->info->GetReturnValue().Set(str(c->info->GetIsolate(), s, len));
}

extern "C" void vm_ret_f64(vm_call_t *c, const double *v, size_t n)
{
    c->info->GetReturnValue().Set(new_f64(c->vm, v, n));
}

extern "C" bool vm_ret_bytes(vm_call_t *c, const uint8_t *data, size_t len)
{
    Local<ArrayBuffer> ab = new_buffer(c, data, len);
    if (ab.IsEmpty())
        return false;
    c->info->GetReturnValue().Set(Uint8Array::New(ab, 0, len));
    return true;
}

extern "C" uint8_t *vm_ret_bytes_room(vm_call_t *c, size_t cap)
{
    c->room = v8_store(c, cap ? cap : 1, false);
    return c->room ? static_cast<uint8_t *>(c->room->Data()) : nullptr;
}

extern "C" void vm_ret_bytes_commit(vm_call_t *c, size_t len)
{
    if (!c->room || len > c->room->ByteLength()) {
        fprintf(stderr, "secure-exec-launch: vm_ret_bytes_commit of %zu bytes past its room\n",
                len);
        abort();
    }
    // A shorter result is copied to a store of its size, so its .buffer is
    // exactly the result, as Node's (a store cut in place would come back
    // to the allocator at a size the next room does not ask for).
    std::unique_ptr<BackingStore> store = std::move(c->room);
    if (len < store->ByteLength()) {
        std::unique_ptr<BackingStore> exact = v8_store(c, len, false);
        if (!exact)
            return;
        memcpy(exact->Data(), store->Data(), len);
        store = std::move(exact);
    }
    Local<ArrayBuffer> ab = ArrayBuffer::New(c->vm->isolate, std::move(store));
    c->info->GetReturnValue().Set(Uint8Array::New(ab, 0, len));
}

extern "C" void vm_ret_bytes_take(vm_call_t *c, uint8_t *data, size_t len)
{
    c->info->GetReturnValue().Set(Uint8Array::New(owned_buffer(c->vm, data, len), 0, len));
}

extern "C" void vm_ret_ref(vm_call_t *c, vm_ref_t ref)
{
    c->info->GetReturnValue().Set(ref_get(c->vm, ref));
}

// ---- handles ---------------------------------------------------------------

static void handle_gone(const WeakCallbackInfo<NativeHandle> &info)
{
    NativeHandle *h = info.GetParameter();
    h->obj.Reset();
    if (h->p)
        h->type->free(h->p);
    h->vm->handles.erase(h);
    delete h;
}

Local<Object> vm__handle_new(vm_t *vm, const vm_handle_type_t *type, void *p)
{
    Isolate *iso = vm->isolate;
    if (vm->handle_tpl.IsEmpty()) {
        Local<ObjectTemplate> tpl = ObjectTemplate::New(iso);
        tpl->SetInternalFieldCount(1);
        vm->handle_tpl.Reset(iso, tpl);
    }
    Local<Object> o;
    if (!vm->handle_tpl.Get(iso)->NewInstance(iso->GetCurrentContext()).ToLocal(&o))
        return o; // an exception (termination) is pending
    NativeHandle *h = new NativeHandle{Global<Object>(iso, o), type, p, vm};
    o->SetAlignedPointerInInternalField(0, h);
    h->obj.SetWeak(h, handle_gone, WeakCallbackType::kParameter);
    vm->handles.insert(h);
    return o;
}

extern "C" void vm_ret_handle(vm_call_t *c, const vm_handle_type_t *type, void *p)
{
    Local<Object> o = vm__handle_new(c->vm, type, p);
    if (o.IsEmpty()) {
        type->free(p);
        return;
    }
    c->info->GetReturnValue().Set(o);
}

// The live NativeHandle that is v, of this type (p may be NULL: released).
static NativeHandle *handle_of(vm_t *vm, Local<Value> v, const vm_handle_type_t *type)
{
    if (!v->IsObject() || v->IsArrayBuffer() || v->IsArrayBufferView())
        return nullptr;
    Local<Object> o = v.As<Object>();
    if (o->InternalFieldCount() != 1)
        return nullptr;
    auto *h = static_cast<NativeHandle *>(o->GetAlignedPointerFromInternalField(0));
    // Only ours are in the set; the identity check rules out a stale pointer.
    if (!h || !vm->handles.count(h) || h->type != type || h->obj != o)
        return nullptr;
    return h;
}

static NativeHandle *arg_handle(vm_call_t *c, int i, const vm_handle_type_t *type)
{
    return handle_of(c->vm, (*c->info)[i], type);
}

bool vm__handle_is(vm_t *vm, Local<Value> v, const vm_handle_type_t *type, void **p)
{
    NativeHandle *h = handle_of(vm, v, type);
    if (!h)
        return false;
    *p = h->p;
    return true;
}

void vm__handle_take(vm_t *vm, Local<Value> v, const vm_handle_type_t *type)
{
    if (NativeHandle *h = handle_of(vm, v, type))
        h->p = nullptr;
}

extern "C" void *vm_arg_handle(vm_call_t *c, int i, const vm_handle_type_t *type)
{
    NativeHandle *h = arg_handle(c, i, type);
    return h ? h->p : nullptr;
}

extern "C" void vm_handle_release(vm_call_t *c, int i, const vm_handle_type_t *type)
{
    NativeHandle *h = arg_handle(c, i, type);
    if (h && h->p) {
        h->type->free(h->p);
        h->p = nullptr;
    }
}

static Local<Value> make_error(Isolate *iso, Local<Context> ctx, const vm_error_t *e)
{
    Local<String> msg = str(iso, e->message ? e->message : "");
    Local<Value> err;
    const char *type = e->type ? e->type : "Error";
    if (!strcmp(type, "TypeError"))
        err = Exception::TypeError(msg);
    else if (!strcmp(type, "RangeError"))
        err = Exception::RangeError(msg);
    else if (!strcmp(type, "SyntaxError"))
        err = Exception::SyntaxError(msg);
    else
        err = Exception::Error(msg);
    Local<Object> o = err.As<Object>();
    if (e->errnum)
        discard(o->Set(ctx, str(iso, "errno"), Integer::New(iso, e->errnum)));
    if (e->code)
        discard(o->Set(ctx, str(iso, "code"), str(iso, e->code)));
    if (e->syscall)
        discard(o->Set(ctx, str(iso, "syscall"), str(iso, e->syscall)));
    if (e->path)
        discard(o->Set(ctx, str(iso, "path"), str(iso, e->path)));
    if (e->dest)
        discard(o->Set(ctx, str(iso, "dest"), str(iso, e->dest)));
    return err;
}

extern "C" void vm_throw(vm_call_t *c, const vm_error_t *e)
{
    Isolate *iso = c->info->GetIsolate();
    iso->ThrowException(make_error(iso, iso->GetCurrentContext(), e));
}

extern "C" void vm_throw_ref(vm_call_t *c, vm_ref_t ref)
{
    c->info->GetIsolate()->ThrowException(ref_get(c->vm, ref));
}

extern "C" vm_ref_t vm_new_error(vm_t *vm, const vm_error_t *e)
{
    HandleScope hs(vm->isolate);
    Local<Context> ctx = vm__context(vm);
    Context::Scope cs(ctx);
    return ref_new(vm, make_error(vm->isolate, ctx, e));
}

extern "C" vm_ref_t vm_new_array(vm_t *vm, const vm_val_t *items, size_t n)
{
    HandleScope hs(vm->isolate);
    Context::Scope cs(vm__context(vm));
    std::vector<Local<Value>> v(n);
    for (size_t i = 0; i < n; i++)
        v[i] = to_v8(vm, items[i]);
    return ref_new(vm, Array::New(vm->isolate, v.data(), n));
}

extern "C" vm_ref_t vm_new_f64(vm_t *vm, const double *v, size_t n)
{
    HandleScope hs(vm->isolate);
    Context::Scope cs(vm__context(vm));
    return ref_new(vm, new_f64(vm, v, n));
}

extern "C" double *vm_f64_data(vm_t *vm, vm_ref_t ref, size_t *n)
{
    HandleScope hs(vm->isolate);
    Local<Value> v = ref_get(vm, ref);
    if (v.IsEmpty() || !v->IsFloat64Array())
        return nullptr;
    Local<Float64Array> a = v.As<Float64Array>();
    *n = a->Length();
    return reinterpret_cast<double *>(static_cast<uint8_t *>(a->Buffer()->Data()) +
                                      a->ByteOffset());
}

extern "C" void vm_throwf(vm_call_t *c, const char *type, const char *code, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    vm_error_t e{};
    e.type = type;
    e.code = code;
    e.message = buf;
    vm_throw(c, &e);
}
