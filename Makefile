# secure-exec-launch — build, test, bench.
#
#   make deps        install Debian packages, unpack V8 10.2, npm ci in js/
#   make             build build/secure-exec-launch (runs deps when needed)
#   make check       deps + build + every test; ends with "N passed, N failed"
#   make check-asan  the unit tests under ASan+UBSan (part of make check)
#   make demo        deps + build + run contrib/examples/hello under --profile strict
#   make bench       every workload against host node (and the same engine) in one run; writes
#                    build/bench/summary.json and the chart build/bench/summary.png
#   make install     the launcher, its libnode, the profiles, the man page and bash completion
#                    under PREFIX (default /usr/local; DESTDIR for a staging root); make uninstall
#   make format / make lint

SHELL := /bin/bash
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:

BUILD    := build
VENDOR   := $(BUILD)/vendor/root/usr
V8_INC   := $(VENDOR)/include/node
V8_LIB   := $(VENDOR)/lib/x86_64-linux-gnu
DEPS_OK  := $(BUILD)/.deps-ok
BIN      := $(BUILD)/secure-exec-launch
OVERLAY_BIN := $(BUILD)/secure-exec-overlay

CC  := gcc
CXX := g++

# The warning list of docs/STYLE.md (house rule 9), errors all.
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wimplicit-function-declaration -Wpointer-arith -Wint-conversion -Wformat=2 \
        -Wswitch-default -Wmisleading-indentation -Wvla -Wundef -Wno-unused-parameter
OPT      ?= -O2 -g
HARDEN   := -D_FORTIFY_SOURCE=2 -fstack-protector-strong
CFLAGS_  := -std=c17 -D_GNU_SOURCE $(WARN) $(HARDEN) -MMD -MP $(OPT) $(EXTRA_CFLAGS) \
        $$(pkg-config --cflags fuse3)
# V8 is built without RTTI and exceptions; the shim matches. Its headers are
# -isystem so their own warnings are not ours.
CXXFLAGS_ := -std=c++17 -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter \
        -fno-rtti -fno-exceptions -isystem $(V8_INC) $(HARDEN) -MMD -MP $(OPT) $(EXTRA_CFLAGS)
SANDBOX_LIBS := -lseccomp -lcap -ljansson -lcares -lresolv -ledit $$(pkg-config --libs fuse3)
LDLIBS_  := -L$(V8_LIB) -lnode -luv -lssl -lcrypto -lz -lbrotlienc -lbrotlidec -lhttp_parser $(SANDBOX_LIBS) -lpthread -lm \
        -Wl,-rpath,'$$ORIGIN/vendor/root/usr/lib/x86_64-linux-gnu'

LIB_C   := bridge/broker.c bridge/path.c bridge/fs.c bridge/runtime.c bridge/process.c bridge/timers.c bridge/module.c bridge/os.c bridge/crypto.c bridge/crypto_cipher.c bridge/crypto_kex.c bridge/zlib.c launcher/cli.c \
        launcher/sandbox.c launcher/cgroup.c launcher/relay.c launcher/check.c launcher/harden.c launcher/landlock.c launcher/run.c launcher/nested.c launcher/seccomp.c \
        fuse-overlay/overlay.c
LIB_CXX := isolate/v8/vm.cc isolate/v8/natives.cc isolate/v8/modules.cc
LIB_CXX += isolate/v8/lazyjs.cc
LIB_CXX += isolate/v8/buffer.cc
LIB_CXX += isolate/v8/message.cc
LIB_CXX += isolate/v8/contextify.cc
LIB_CXX += isolate/v8/serdes.cc
LIB_C   += bridge/quota.c
LIB_C   += launcher/report.c launcher/audit.c launcher/shell.c
LIB_C   += bridge/signal.c bridge/shell.c
LIB_C   += launcher/hint.c
LIB_C   += launcher/job.c launcher/serve.c launcher/serve_req.c
LIB_C   += bridge/http.c
LIB_C   += bridge/net.c
LIB_C   += launcher/netd.c
LIB_C   += launcher/netd_udp.c
LIB_C   += launcher/netd_unix.c
LIB_C   += bridge/dgram.c bridge/child.c bridge/watch.c
LIB_C   += bridge/worker.c
LIB_C   += bridge/crypto_pkey.c
LIB_C   += bridge/tls.c
LIB_C   += launcher/netd_dns.c

OBJ      := $(BUILD)/obj
LIB_OBJS := $(LIB_C:%.c=$(OBJ)/%.o) $(LIB_CXX:%.cc=$(OBJ)/%.o) $(OBJ)/launcher/seccomp_policies.o \
        $(OBJ)/launcher/seccomp_bpf.o $(OBJ)/isolate/v8/lazyjs_data.o
LIB_A    := $(BUILD)/libsecure-exec.a

JS_SRCS  := $(shell find js -path js/node_modules -prune -o -name '*.js' -print 2>/dev/null) js/build.mjs

BUNDLE   := $(BUILD)/js/bootstrap.js
# undici and the web streams: compiled at first use, not in the snapshot
# (isolate/v8/lazyjs.cc); js/build.mjs writes it with the bundle.
LAZYJS   := $(BUILD)/js/lazy.js
# acorn and regexpu-core: the RegExp v flag's rewrite (js/node/internal/regexp-v.js)
LAZYJS_RE := $(BUILD)/js/lazy-regexp.js
LAZYJS_TR46 := $(BUILD)/js/lazy-tr46.js
SNAPSHOT := $(BUILD)/snapshot.bin
MKSNAP   := $(BUILD)/se-mksnapshot

UNIT_SRCS := $(wildcard tests/unit/test_*.c) tests/unit/main.c
UNIT_BIN  := $(BUILD)/tests/unit-tests
ASAN      := $(BUILD)/asan
ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
ASAN_OBJS := $(LIB_C:%.c=$(ASAN)/%.o) $(LIB_CXX:%.cc=$(ASAN)/%.o) $(OBJ)/launcher/seccomp_policies.o \
        $(OBJ)/launcher/seccomp_bpf.o $(OBJ)/isolate/v8/lazyjs_data.o
ASAN_UNIT := $(ASAN)/unit-tests
ASAN_BIN  := $(ASAN)/secure-exec-launch

.PHONY: all deps check check-unit check-asan check-fuzz check-integration check-matrix demo bench \
        format check-format lint clean install uninstall

all: $(BIN) $(OVERLAY_BIN)

deps:
	@bash contrib/build/deps.sh
	@mkdir -p $(BUILD) && touch $(DEPS_OK)

$(DEPS_OK): contrib/build/deps.sh js/package-lock.json
	@bash contrib/build/deps.sh
	@mkdir -p $(BUILD) && touch $@

# ---- objects ------------------------------------------------------------

$(OBJ)/%.o: %.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_) -c $< -o $@

$(OBJ)/%.o: %.cc | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS_) -c $< -o $@

$(LIB_A): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

# ---- the JS bundle and the startup snapshot -------------------------------

$(BUNDLE) $(LAZYJS) $(LAZYJS_RE) $(LAZYJS_TR46) &: $(JS_SRCS) js/package-lock.json | $(DEPS_OK)
	@mkdir -p $(dir $@)
	node js/build.mjs $(BUNDLE) $(LAZYJS) $(LAZYJS_RE) $(LAZYJS_TR46)

$(OBJ)/isolate/v8/lazyjs_data.o: isolate/v8/lazyjs_data.S $(LAZYJS) $(LAZYJS_RE) $(LAZYJS_TR46)
	@mkdir -p $(dir $@)
	$(CC) -DSE_LAZYJS_FETCH='"$(LAZYJS)"' -DSE_LAZYJS_REGEXP='"$(LAZYJS_RE)"' \
	    -DSE_LAZYJS_TR46='"$(LAZYJS_TR46)"' -c $< -o $@

$(MKSNAP): $(OBJ)/launcher/mksnapshot.o $(LIB_A)
	$(CXX) -o $@ $^ $(LDLIBS_)

$(SNAPSHOT): $(MKSNAP) $(BUNDLE)
	$(MKSNAP) $(BUNDLE) $@

$(OBJ)/launcher/snapshot.o: launcher/snapshot.S $(SNAPSHOT)
	@mkdir -p $(dir $@)
	$(CC) -DLCH_SNAPSHOT_PATH='"$(SNAPSHOT)"' -c $< -o $@

$(OBJ)/launcher/seccomp_policies.o: launcher/seccomp_policies.S $(wildcard launcher/seccomp/*.policy) | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) -c $< -o $@

# The policies compiled to BPF at build time: a run loads them as they are.
MKSECCOMP := $(BUILD)/se-mkseccomp
$(MKSECCOMP): launcher/mkseccomp.c launcher/seccomp.c launcher/seccomp.h $(OBJ)/launcher/seccomp_policies.o \
        | $(DEPS_OK)
	$(CC) $(CFLAGS_) -DLCH_SECCOMP_TOOL -o $@ launcher/mkseccomp.c launcher/seccomp.c \
	    $(OBJ)/launcher/seccomp_policies.o -lseccomp

$(BUILD)/seccomp/%.bpf: $(MKSECCOMP)
	@mkdir -p $(dir $@)
	$(MKSECCOMP) $* $@

$(OBJ)/launcher/seccomp_bpf.o: launcher/seccomp_bpf.S $(BUILD)/seccomp/strict.bpf $(BUILD)/seccomp/default.bpf \
        $(BUILD)/seccomp/overlay.bpf $(BUILD)/seccomp/strict+run.bpf $(BUILD)/seccomp/default+run.bpf
	@mkdir -p $(dir $@)
	$(CC) -DLCH_BPF_STRICT='"$(BUILD)/seccomp/strict.bpf"' \
	    -DLCH_BPF_DEFAULT='"$(BUILD)/seccomp/default.bpf"' \
	    -DLCH_BPF_OVERLAY='"$(BUILD)/seccomp/overlay.bpf"' \
	    -DLCH_BPF_STRICT_RUN='"$(BUILD)/seccomp/strict+run.bpf"' \
	    -DLCH_BPF_DEFAULT_RUN='"$(BUILD)/seccomp/default+run.bpf"' -c $< -o $@

$(OBJ)/launcher/profiles.o: launcher/profiles.S $(wildcard profiles/*.profile)
	@mkdir -p $(dir $@)
	$(CC) -c $< -o $@

$(BIN): $(OBJ)/launcher/main.o $(OBJ)/launcher/snapshot.o $(OBJ)/launcher/profiles.o $(LIB_A)
	$(CXX) -o $@ $^ $(LDLIBS_)

# ---- the node_modules overlay (fuse-overlay/) --------------------------------

FUSE_LIBS   := $$(pkg-config --libs fuse3)

$(OVERLAY_BIN): $(OBJ)/fuse-overlay/main.o $(OBJ)/fuse-overlay/overlay.o
	$(CC) -o $@ $^ $(FUSE_LIBS) -lpthread

# ---- tests ----------------------------------------------------------------

HEADERS := $(wildcard bridge/*.h isolate/*.h launcher/*.h fuse-overlay/*.h tests/unit/*.h)

$(UNIT_BIN): $(UNIT_SRCS) $(OBJ)/launcher/snapshot.o $(LIB_A) $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_) -o $@ $(UNIT_SRCS) $(OBJ)/launcher/snapshot.o $(LIB_A) \
	    $$(pkg-config --cflags --libs check) -lstdc++ $(LDLIBS_) \
	    -Wl,-rpath,'$(CURDIR)/$(V8_LIB)'

$(LIB_C:%.c=$(ASAN)/%.o): $(ASAN)/%.o: %.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_) $(ASAN_FLAGS) -c $< -o $@

$(LIB_CXX:%.cc=$(ASAN)/%.o): $(ASAN)/%.o: %.cc | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS_) $(ASAN_FLAGS) -c $< -o $@

ASAN_UNIT_OBJS := $(UNIT_SRCS:%.c=$(ASAN)/%.o)

$(ASAN_UNIT_OBJS): $(ASAN)/%.o: %.c $(HEADERS) | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_) $(ASAN_FLAGS) $$(pkg-config --cflags check) -c $< -o $@

$(ASAN_UNIT): $(ASAN_UNIT_OBJS) $(OBJ)/launcher/snapshot.o $(ASAN_OBJS)
	$(CXX) $(ASAN_FLAGS) -o $@ $^ $$(pkg-config --libs check) $(LDLIBS_) \
	    -Wl,-rpath,'$(CURDIR)/$(V8_LIB)'

# The launcher itself under ASan+UBSan: the fs and permission tests drive
# every bridge path through it (tests/run-all.sh).
$(ASAN)/launcher/main.o: launcher/main.c $(HEADERS) | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_) $(ASAN_FLAGS) -c $< -o $@

$(ASAN_BIN): $(ASAN)/launcher/main.o $(OBJ)/launcher/snapshot.o $(OBJ)/launcher/profiles.o $(ASAN_OBJS)
	$(CXX) $(ASAN_FLAGS) -o $@ $^ $(LDLIBS_) -Wl,-rpath,'$(CURDIR)/$(V8_LIB)'

# Native probes behind the OS wall: launcher/sandbox.c with a C probe in
# place of the isolate (tests/security/wall.sh runs them).
WALL_PROBE := $(BUILD)/tests/wall-probe
$(WALL_PROBE): tests/security/wall_probe.c $(LIB_A) $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_) -o $@ tests/security/wall_probe.c $(LIB_A) $(SANDBOX_LIBS) -lpthread

check-unit: $(UNIT_BIN)
	$(UNIT_BIN)

# malloc_context_size=4: a leak is matched against lsan.supp by its
# allocation's top frames only, so a native called from JS (with libnode
# frames below it) is not hidden by the libnode suppression.
check-asan: $(ASAN_UNIT)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1:malloc_context_size=4 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/unit/lsan.supp:print_suppressions=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	$(ASAN_UNIT)

# The profile parser under libFuzzer (+ASan/UBSan); not part of make check
# (make check runs each target on its seed corpus once: tests/run-all.sh).
FUZZ_SECONDS ?= 60
$(BUILD)/fuzz/fuzz_profile: tests/fuzz/fuzz_profile.c bridge/broker.c bridge/broker.h | $(DEPS_OK)
	@mkdir -p $(dir $@)
	clang -g -O1 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -o $@ tests/fuzz/fuzz_profile.c bridge/broker.c

# The supervisor's socket broker's control messages, the same way.
$(BUILD)/fuzz/fuzz_netd: tests/fuzz/fuzz_netd.c launcher/netd.c launcher/netd_dns.c launcher/netd_udp.c launcher/netd_unix.c launcher/netd.h bridge/broker.c \
    launcher/cli.c bridge/netproto.h | $(DEPS_OK)
	@mkdir -p $(dir $@)
	clang -g -O1 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -o $@ tests/fuzz/fuzz_netd.c \
	    launcher/netd.c launcher/netd_dns.c launcher/netd_udp.c launcher/netd_unix.c launcher/cli.c bridge/broker.c \
	    -lcares -lresolv -ljansson -lpthread

# serve's request checks, streamed UTF-8 and options (launcher/serve_req.c),
# each request it takes parsed back by the member's job parser.
$(BUILD)/fuzz/fuzz_serve: tests/fuzz/fuzz_serve.c launcher/serve_req.c launcher/job.c launcher/cli.c \
    bridge/broker.c launcher/serve.h launcher/job.h | $(DEPS_OK)
	@mkdir -p $(dir $@)
	clang -g -O1 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -o $@ tests/fuzz/fuzz_serve.c \
	    launcher/serve_req.c launcher/job.c launcher/cli.c bridge/broker.c -ljansson

check-fuzz: $(BUILD)/fuzz/fuzz_profile $(BUILD)/fuzz/fuzz_netd $(BUILD)/fuzz/fuzz_serve
	@mkdir -p $(BUILD)/fuzz/corpus-profile $(BUILD)/fuzz/corpus-netd $(BUILD)/fuzz/corpus-serve
	$(BUILD)/fuzz/fuzz_profile -max_total_time=$(FUZZ_SECONDS) -max_len=8192 \
	    $(BUILD)/fuzz/corpus-profile tests/fuzz/corpus/profile
	$(BUILD)/fuzz/fuzz_netd -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	    $(BUILD)/fuzz/corpus-netd tests/fuzz/corpus/netd
	$(BUILD)/fuzz/fuzz_serve -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	    $(BUILD)/fuzz/corpus-serve tests/fuzz/corpus/serve

check-integration: $(BIN)
	bash tests/integration/run.sh --bin $(BIN)

check-matrix: $(BIN)
	bash tests/matrix/run.sh --bin $(BIN)

# Everything, each part's summary folded into one closing line.
check: deps
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory $(BIN) $(OVERLAY_BIN) $(UNIT_BIN) $(ASAN_UNIT) $(ASAN_BIN) $(WALL_PROBE)
	@bash tests/run-all.sh

# The example runs from a copy anybody may read: run as root, the guest is
# an unprivileged user outside, and this tree may sit in a private folder.
demo: deps
	@$(MAKE) --no-print-directory $(BIN)
	@d=$$(mktemp -d) && chmod 755 $$d && cp -r contrib/examples/hello $$d/ && chmod -R a+rX $$d && \
	    echo "$(BIN) --profile strict --app $$d/hello $$d/hello/index.js" && \
	    $(BIN) --profile strict --app $$d/hello $$d/hello/index.js; s=$$?; rm -rf $$d; exit $$s

# bench/serve.sh's client: C threads (Python's lock spread a round of
# requests over tens of milliseconds and timed itself)
$(BUILD)/bench/serve-load: bench/serve-load.c
	@mkdir -p $(dir $@)
	$(CC) -std=c17 -O2 -Wall -Wextra -Werror -pthread -o $@ $<

bench: $(BIN) $(BUILD)/bench/serve-load
	@rm -f $(BUILD)/bench/summary.jsonl
	bash bench/startup.sh
	bash bench/fs.sh
	bash bench/overlay.sh
	bash bench/modules.sh
	bash bench/memory.sh
	bash bench/url.sh
	bash bench/output.sh
	bash bench/loopback.sh
	bash bench/http.sh
	bash bench/serve.sh
	bash bench/shell.sh
	bash bench/processes.sh
	bash bench/worker.sh
	bash bench/crypto.sh
	bash bench/tls.sh
	python3 bench/summary.py draw $(BUILD)/bench/summary.jsonl $(BUILD)/bench/summary.json \
	    $(BUILD)/bench/summary.png

# ---- install ----------------------------------------------------------------

# The launcher finds libnode by its rpath, $ORIGIN/vendor/root/usr/lib/...
# (LDLIBS_): the binary goes, as it was built, into a folder of its own
# under lib/ with libnode at that path beside it, and bin/ gets a relative
# symbolic link to it ($ORIGIN and /proc/self/exe, by which serve starts
# its members, both name the real file). DESTDIR stages the tree in
# another root; the link and the rpath are relative, so the tree works
# wherever it lands.
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
PKGLIBDIR  ?= $(PREFIX)/lib/secure-exec-launch
DATADIR    ?= $(PREFIX)/share
MANDIR     ?= $(DATADIR)/man
COMPDIR    ?= $(DATADIR)/bash-completion/completions
PKGDATADIR := $(DATADIR)/secure-exec-launch
LIBNODE    := libnode.so.108
# build/vendor/... less build/: where the rpath looks, from the binary's folder
INST_V8LIB := $(patsubst $(BUILD)/%,%,$(V8_LIB))
PROFILES   := $(notdir $(wildcard profiles/*.profile))

install: $(BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(PKGLIBDIR)/$(INST_V8LIB) \
	    $(DESTDIR)$(PKGDATADIR)/profiles $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(COMPDIR)
	install -m 755 $(BIN) $(DESTDIR)$(PKGLIBDIR)/secure-exec-launch
	install -m 644 $(V8_LIB)/$(LIBNODE) $(DESTDIR)$(PKGLIBDIR)/$(INST_V8LIB)/$(LIBNODE)
	ln -sfn "$$(realpath -m --relative-to=$(BINDIR) $(PKGLIBDIR)/secure-exec-launch)" \
	    $(DESTDIR)$(BINDIR)/secure-exec-launch
	install -m 644 $(addprefix profiles/,$(PROFILES)) $(DESTDIR)$(PKGDATADIR)/profiles/
	install -m 644 docs/secure-exec-launch.1 $(DESTDIR)$(MANDIR)/man1/secure-exec-launch.1
	install -m 644 contrib/bash-completion/secure-exec-launch $(DESTDIR)$(COMPDIR)/secure-exec-launch

# What install put there, file by file; then the folders it made for the
# launcher alone, when nothing else was put in them (bin/, man1/ and the
# completions folder are shared: they stay).
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/secure-exec-launch $(DESTDIR)$(PKGLIBDIR)/secure-exec-launch \
	    $(DESTDIR)$(PKGLIBDIR)/$(INST_V8LIB)/$(LIBNODE) \
	    $(addprefix $(DESTDIR)$(PKGDATADIR)/profiles/,$(PROFILES)) \
	    $(DESTDIR)$(MANDIR)/man1/secure-exec-launch.1 $(DESTDIR)$(COMPDIR)/secure-exec-launch
	@d=$(INST_V8LIB); while :; do \
	    [ ! -d "$(DESTDIR)$(PKGLIBDIR)/$$d" ] || rmdir --ignore-fail-on-non-empty "$(DESTDIR)$(PKGLIBDIR)/$$d"; \
	    [ "$$d" != "$${d%/*}" ] || break; d=$${d%/*}; done
	@for d in $(DESTDIR)$(PKGLIBDIR) $(DESTDIR)$(PKGDATADIR)/profiles $(DESTDIR)$(PKGDATADIR); do \
	    [ ! -d "$$d" ] || rmdir --ignore-fail-on-non-empty "$$d"; done

# ---- form -------------------------------------------------------------------

FORMAT_SRCS := $(shell git ls-files '*.c' '*.h' '*.cc' 2>/dev/null)

format:
	clang-format -i $(FORMAT_SRCS)

check-format:
	@clang-format --dry-run --Werror $(FORMAT_SRCS) && echo "format: ok"

lint: check-format
	@bash contrib/build/lint.sh

clean:
	rm -rf $(OBJ) $(ASAN) $(BUILD)/js $(BUILD)/tests $(LIB_A) $(SNAPSHOT) $(MKSNAP) $(BIN)

-include $(shell find $(BUILD)/obj $(BUILD)/asan -name '*.d' 2>/dev/null)
