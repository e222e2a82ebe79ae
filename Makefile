# pouch: container engine. See README.md.
# Layout: each source folder becomes a static library; binaries and tests link them.

PREFIX ?= /usr/local
DESTDIR ?=
BUILD ?= build
SAN ?= 0

CC ?= cc
PKGS := jansson libmicrohttpd libarchive libcurl libcrypto libseccomp libcap mount libsystemd gnutls
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wno-format-nonliteral
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 $(WARN) -D_GNU_SOURCE -I. -Ilib $(PKG_CFLAGS) -fno-strict-aliasing
LDFLAGS ?= -Wl,--as-needed
ifeq ($(FUZZ),1)
# Objects for the fuzz targets (make fuzz-bins): coverage instrumentation, ASan and UBSan.
CFLAGS += -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -O1
LDFLAGS += -fsanitize=address,undefined
SHIM_STATIC :=
else ifeq ($(SAN),1)
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -O1
LDFLAGS += -fsanitize=address,undefined
SHIM_STATIC :=
else
SHIM_STATIC := -static
endif

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.1.0)
GIT_COMMIT := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
CFLAGS += -DPOUCH_VERSION='"$(VERSION)"' -DPOUCH_GIT_COMMIT='"$(GIT_COMMIT)"'

# --- sources -------------------------------------------------------------------------------
LIB_SRC := $(wildcard lib/*.c)
RUNTIME_SRC := $(wildcard runtime-wrap/*.c)
SHIM_SRC := $(wildcard runtime-wrap/shim/*.c)
IMAGE_SRC := $(wildcard daemon/image/*.c)
REGISTRY_SRC := $(wildcard daemon/registry/*.c)
DAEMON_SRC := $(filter-out daemon/main.c $(IMAGE_SRC) $(REGISTRY_SRC),$(wildcard daemon/*.c daemon/*/*.c))
CLI_SRC := $(filter-out cli/main.c,$(wildcard cli/*.c))
HOOKS_SRC := $(wildcard hooks/*.c)
LXCFS_SRC := $(wildcard lxcfs-integration/*.c)
QUOTA_SRC := $(wildcard quota/*.c)
RICH_SRC := $(wildcard richmode/*.c)
INIT_SRC := $(wildcard pouch-init/*.c)
UNIT_SRC := $(wildcard tests/unit/test-*.c)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz-*.c)
# the in-process API daemon of tests/harness/ (test-daemon-api-* and the fuzzers link it)
HARNESS_SRC := $(wildcard tests/harness/*.c)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

LIBPOUCH := $(BUILD)/libpouch.a
LIBRUNTIME := $(BUILD)/libruntime.a
LIBDAEMON := $(BUILD)/libdaemon.a
LIBIMAGE := $(BUILD)/libimage.a
LIBREGISTRY := $(BUILD)/libregistry.a
LIBSHIM := $(BUILD)/libshim.a
LIBCLI := $(BUILD)/libcli.a
LIBFEATURES := $(BUILD)/libfeatures.a
LIBINIT := $(BUILD)/libinit.a

BINS := bin/pouchd bin/pouch bin/pouch-shim bin/pouch-init
ifneq ($(BUILD),build)
BINS := $(BUILD)/bin/pouchd $(BUILD)/bin/pouch $(BUILD)/bin/pouch-shim $(BUILD)/bin/pouch-init
endif
BINDIR := $(dir $(firstword $(BINS)))

UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))

.PHONY: all clean install test unit unit-bins integration check-asan demo deps bench fmt fmt-check lint shellcheck fuzz fuzz-bins
all: $(BINS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIBPOUCH): $(call obj,$(LIB_SRC))
$(LIBRUNTIME): $(call obj,$(RUNTIME_SRC))
$(LIBDAEMON): $(call obj,$(DAEMON_SRC))
$(LIBIMAGE): $(call obj,$(IMAGE_SRC))
$(LIBREGISTRY): $(call obj,$(REGISTRY_SRC))
$(LIBSHIM): $(call obj,$(filter-out runtime-wrap/shim/main.c,$(SHIM_SRC)))
$(LIBCLI): $(call obj,$(CLI_SRC))
$(LIBFEATURES): $(call obj,$(HOOKS_SRC) $(LXCFS_SRC) $(QUOTA_SRC) $(RICH_SRC))
# pouch-init links lib/fsutil (libc only) but not the rest of libpouch: it is a static binary
$(LIBINIT): $(call obj,$(filter-out pouch-init/main.c,$(INIT_SRC)) lib/fsutil.c)
$(BUILD)/lib%.a:
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

ALL_LIBS := $(LIBDAEMON) $(LIBREGISTRY) $(LIBIMAGE) $(LIBFEATURES) $(LIBRUNTIME) $(LIBCLI) $(LIBPOUCH)

$(BINDIR)pouchd: $(call obj,daemon/main.c) $(LIBDAEMON) $(LIBREGISTRY) $(LIBIMAGE) $(LIBFEATURES) $(LIBRUNTIME) $(LIBPOUCH)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread

$(BINDIR)pouch: $(call obj,cli/main.c) $(LIBCLI) $(LIBPOUCH)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread

# The shim is linked statically so each one costs as little memory as possible.
$(BINDIR)pouch-shim: $(call obj,runtime-wrap/shim/main.c) $(LIBSHIM) $(LIBRUNTIME) $(LIBPOUCH)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(SHIM_STATIC) -o $@ $^ $(if $(SHIM_STATIC),-Wl$(comma)-Bstatic -ljansson -lseccomp,-ljansson -lseccomp)

comma := ,

# pouch-init is PID 1 inside rich containers of any image (glibc, musl or none): static, and it
# links nothing but its own folder.
$(BINDIR)pouch-init: $(call obj,pouch-init/main.c) $(LIBINIT)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(SHIM_STATIC) -o $@ $^

# Each unit test links only the libraries of the module it tests (by file-name prefix).
test_libs = $(strip \
  $(if $(filter test-lib-%,$(1)),$(LIBPOUCH)) \
  $(if $(filter test-runtime-%,$(1)),$(LIBRUNTIME) $(LIBPOUCH)) \
  $(if $(filter test-shim-%,$(1)),$(LIBSHIM) $(LIBRUNTIME) $(LIBPOUCH)) \
  $(if $(filter test-image-%,$(1)),$(LIBIMAGE) $(LIBPOUCH)) \
  $(if $(filter test-registry-%,$(1)),$(LIBREGISTRY) $(LIBIMAGE) $(LIBPOUCH)) \
  $(if $(filter test-cli-%,$(1)),$(LIBCLI) $(LIBPOUCH)) \
  $(if $(filter test-daemon-api-%,$(1)),$(call obj,$(HARNESS_SRC))) \
  $(if $(filter test-daemon-%,$(1)),$(ALL_LIBS)) \
  $(if $(filter test-features-%,$(1)),$(LIBFEATURES) $(LIBRUNTIME) $(LIBPOUCH)) \
  $(if $(filter test-init-%,$(1)),$(LIBINIT)))

.SECONDEXPANSION:
$(BUILD)/tests/%: tests/unit/%.c $$(call test_libs,$$*)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< -Wl,--start-group $(call test_libs,$*) -Wl,--end-group $(PKG_LIBS) -lcmocka -lpthread

unit-bins: $(UNIT_BINS)

unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done

integration: all
	tests/integration/run.sh

JOBS ?= $(shell nproc 2>/dev/null || echo 2)

test: deps
	$(MAKE) -j$(JOBS) all unit-bins
	$(MAKE) unit
	$(MAKE) check-asan
	$(MAKE) integration

# Unit tests, then the daemon, shim and CLI themselves, under ASan/UBSan (any report aborts).
check-asan:
	$(MAKE) -j$(JOBS) BUILD=build-asan SAN=1 build-asan/bin/pouchd build-asan/bin/pouch build-asan/bin/pouch-shim \
		build-asan/bin/pouch-init unit-bins
	$(MAKE) BUILD=build-asan SAN=1 unit build-asan/bin/pouchd build-asan/bin/pouch build-asan/bin/pouch-shim build-asan/bin/pouch-init
	@if [ "$$(id -u)" = 0 ]; then \
		POUCH_BIN=$(CURDIR)/build-asan/bin ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 timeout --kill-after=30 900 \
			bats tests/integration/00-core-smoke.bats tests/integration/10-engine.bats; \
	else echo "check-asan: integration part skipped (needs root)"; fi

# --- fuzzing (tests/fuzz/README.md) --------------------------------------------------------------
# fuzz-bins builds every tests/fuzz/fuzz-*.c as a libFuzzer binary in build-fuzz/fuzz/, against the
# project's objects built with clang in build-fuzz. tests/harness/*.c becomes an archive linked into
# every target (members are pulled in by the targets that use them). fuzz-init-* targets link
# pouch-init's objects only, as pouch-init itself does.
FUZZ_BUILD := build-fuzz
FUZZ_SECONDS ?= 20
FUZZ_NAMES := $(patsubst tests/fuzz/%.c,%,$(FUZZ_SRC))
FUZZ_BINS := $(patsubst %,$(FUZZ_BUILD)/fuzz/%,$(FUZZ_NAMES))
LIBHARNESS := $(BUILD)/libharness.a
$(LIBHARNESS): $(call obj,$(HARNESS_SRC))
fuzz_libs = $(if $(filter fuzz-init-%,$(1)),$(LIBINIT),$(ALL_LIBS))

fuzz-bins:
	$(MAKE) -j$(JOBS) BUILD=$(FUZZ_BUILD) CC=clang FUZZ=1 $(FUZZ_BINS)

$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz-common.h $(LIBHARNESS) $$(call fuzz_libs,$$*)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $< -Wl,--start-group $(LIBHARNESS) $(call fuzz_libs,$*) \
		-Wl,--end-group $(PKG_LIBS) -lpthread

# Each target runs FUZZ_SECONDS (a quarter of that when named in tests/fuzz/short.list; 0 = the seed corpus
# only, -runs=0) on a scratch copy of its corpus; crash inputs are left in $(FUZZ_BUILD)/artifacts/<name>/.
fuzz: fuzz-bins
	@FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh $(FUZZ_NAMES)

deps:
	./packaging/install-deps.sh

demo: deps
	$(MAKE) all
	./packaging/demo.sh

bench: all
	./bench/run.sh
	./bench/pull.sh
	./bench/quota.sh
	./bench/rich.sh
	./bench/lxcfs.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)/lib/systemd/system $(DESTDIR)/etc/pouch
	install -m 0755 bin/pouchd bin/pouch bin/pouch-shim bin/pouch-init $(DESTDIR)$(PREFIX)/bin/
	sed 's|@PREFIX@|$(PREFIX)|g' packaging/pouchd.service > $(DESTDIR)/lib/systemd/system/pouchd.service
	install -m 0644 packaging/pouchd.socket $(DESTDIR)/lib/systemd/system/pouchd.socket
	test -e $(DESTDIR)/etc/pouch/config.json || install -m 0644 packaging/config.json $(DESTDIR)/etc/pouch/config.json

# --- style: `make lint` runs shellcheck and checks the C formatting (.clang-format) ------------
C_FILES = $(shell git ls-files '*.c' '*.h')
SH_FILES = $(shell git ls-files '*.sh' '*.bash') .ci/run
BATS_FILES = $(shell git ls-files '*.bats')

lint: shellcheck fmt-check

# .shellcheckrc holds the settings (where sourced files are, the one check turned off)
shellcheck:
	shellcheck -x $(SH_FILES)
	shellcheck -x -s bash $(BATS_FILES)

fmt:
	clang-format -i $(C_FILES)

fmt-check:
	@clang-format --dry-run --Werror $(C_FILES) || { echo "fmt-check: run 'make fmt'" >&2; exit 1; }

clean:
	rm -rf build build-asan build-fuzz bin

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
