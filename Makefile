# pppkit - native pppd plugins for a PPPoE uplink that publishes services.
#
#   make                   build the plugins and tools (pppd 2.4.9 ABI, system headers)
#   make PPPD_ABI=2.5      build against pppd 2.5.x headers (Debian 13's ppp-dev,
#                          fetched into build/pppd-2.5 without touching apt's config)
#   make CROSS=aarch64-linux-gnu
#                          cross-build for that GNU triplet into build/cross-arm64
#                          (Debian's g++-aarch64-linux-gnu; the target's -dev packages
#                          unpacked into build/sysroot-arm64 by `make sysroot`)
#   make check             every test tier (unit, load, namespaces, lab, package)
#   make check SANITIZE=1  unit and namespace tiers: plugins (in a sanitized fake pppd),
#                          the pppkit command and the DDNS worker under ASan+UBSan
#   make fuzz              every libFuzzer target for a while (tests/fuzz)
#   make demo              a real PPPoE session in a VM with pppkit at work
#   make bench             speed and memory figures, side by side with the alternatives
#   make deb               the Debian package
#   make lint              clang-format check and clang-tidy
#   make deps              install missing build/test packages (apt)

PPPD_ABI ?= system
SANITIZE ?= 0
BUILD    ?= build
VERSION  := $(shell head -n1 debian/changelog | tr -d '()' | cut -d' ' -f2)

CC  ?= gcc
CXX ?= g++
AR  ?= ar
# SANITIZE=1 builds at -O1 with line tables only (-g1): what ASan asks for,
# with stack traces that still name file:line, and it compiles in about half
# the time of -O2 -g (the sanitized step of CI builds everything again).
ifeq ($(SANITIZE),1)
CFLAGS   ?= -O1 -g1
CXXFLAGS ?= -O1 -g1
else
CFLAGS   ?= -O2 -g
CXXFLAGS ?= -O2 -g
endif

# ---- architecture -------------------------------------------------------------
# The Debian architecture we build for, from dpkg-architecture (debhelper
# exports DEB_HOST_ARCH; a cross build names its GNU triplet with CROSS=).
CROSS ?=
ifneq ($(CROSS),)
  CC  := $(CROSS)-gcc
  CXX := $(CROSS)-g++
  AR  := $(CROSS)-ar
  DEB_HOST_ARCH := $(shell dpkg-architecture -t$(CROSS) -qDEB_HOST_ARCH 2>/dev/null)
  $(if $(DEB_HOST_ARCH),,$(error CROSS=$(CROSS): dpkg-architecture knows no Debian architecture for it))
else ifeq ($(origin DEB_HOST_ARCH),undefined)
  DEB_HOST_ARCH := $(shell dpkg-architecture -qDEB_HOST_ARCH 2>/dev/null)
endif

ifeq ($(PPPD_ABI),2.5)
  PPPD25_DIR := $(BUILD)/pppd-2.5
  PPPD_CPPFLAGS := -I$(PPPD25_DIR)/usr/include
  PPPD_HEADERS := $(PPPD25_DIR)/usr/include/pppd/pppdconf.h
else ifeq ($(PPPD_ABI),system)
  PPPD_CPPFLAGS :=
  PPPD_HEADERS :=
else
  $(error PPPD_ABI must be system or 2.5)
endif

ifneq ($(CROSS),)
  # The target's libraries and headers: its -dev packages unpacked (make sysroot).
  MULTIARCH := $(shell dpkg-architecture -a$(DEB_HOST_ARCH) -qDEB_HOST_MULTIARCH 2>/dev/null)
  SYSROOT ?= $(BUILD)/sysroot-$(DEB_HOST_ARCH)
  CROSS_CPPFLAGS := -isystem $(SYSROOT)/usr/include -isystem $(SYSROOT)/usr/include/$(MULTIARCH)
  CROSS_LDFLAGS := -L$(SYSROOT)/usr/lib/$(MULTIARCH) -Wl,-rpath-link,$(SYSROOT)/usr/lib/$(MULTIARCH) \
                   -Wl,-rpath-link,$(SYSROOT)/lib/$(MULTIARCH)
endif

# Required flags live apart from CFLAGS/CXXFLAGS, so that flags given on the
# command line add to them and never drop the sanitizers or hardening.
# Hardening: dpkg-buildflags' hardening=+all set for DEB_HOST_ARCH (without
# its -g/-O, which CFLAGS choose). dpkg 1.21 (Debian 12) does not have the
# "stackclash" and "branch" features yet; they are added here for the
# architectures dpkg 1.22 gives them to: -fcf-protection exists on x86 only,
# arm64's branch protection is -mbranch-protection=standard.
dpkg_flags = $(filter-out -g -O%,$(shell DEB_BUILD_MAINT_OPTIONS=hardening=+all \
    dpkg-architecture -f -a$(DEB_HOST_ARCH) -c dpkg-buildflags --get $(1) 2>/dev/null))
DPKG_CFLAGS   := $(call dpkg_flags,CFLAGS)
DPKG_CXXFLAGS := $(call dpkg_flags,CXXFLAGS)
DPKG_CPPFLAGS := $(call dpkg_flags,CPPFLAGS)
DPKG_LDFLAGS  := $(call dpkg_flags,LDFLAGS)
ifeq ($(strip $(DPKG_CFLAGS)),)  # no dpkg-dev: the same set, by hand
  DPKG_CFLAGS   := -fstack-protector-strong -Wformat -Werror=format-security
  DPKG_CXXFLAGS := $(DPKG_CFLAGS)
  DPKG_CPPFLAGS := -D_FORTIFY_SOURCE=2
  DPKG_LDFLAGS  := -Wl,-z,relro -Wl,-z,now
endif
ARCH_HARDEN := $(if $(filter amd64 arm64 armhf armel,$(DEB_HOST_ARCH)),-fstack-clash-protection) \
               $(if $(filter amd64,$(DEB_HOST_ARCH)),-fcf-protection) \
               $(if $(filter arm64,$(DEB_HOST_ARCH)),-mbranch-protection=standard)
ARCH_HARDEN := $(filter-out $(DPKG_CFLAGS),$(ARCH_HARDEN))
HARDEN_CFLAGS   := $(DPKG_CFLAGS) $(ARCH_HARDEN) $(DPKG_CPPFLAGS) $(CROSS_CPPFLAGS)
HARDEN_CXXFLAGS := $(DPKG_CXXFLAGS) $(ARCH_HARDEN) $(DPKG_CPPFLAGS) $(CROSS_CPPFLAGS)
HARDEN_LDFLAGS  := $(DPKG_LDFLAGS) -Wl,--as-needed $(CROSS_LDFLAGS)
ifeq ($(SANITIZE),1)
  SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else
  SAN_FLAGS :=
endif

# ---- output directories ------------------------------------------------------
# Only plugins/host/pppd_shim.c sees pppd's headers, so only its object and the
# plugins linked with it depend on PPPD_ABI. Everything else (the core library,
# the host's C++ side, the plugins' objects, the pppkit command, tools,
# pppkitd, tests) is built once into SHARED and linked into every ABI's
# plugins. OUT is where one ABI's plugins go:
#   system ABI:  OUT = SHARED = build         [cross-ARCH/] [san/]
#   PPPD_ABI=2.5: SHARED = build, OUT = build/abi-2.5 (its shim in OUT/obj)
# (cross and sanitized builds keep their own trees; OUT=DIR on the command
# line moves a system ABI build, SHARED with it).
ROOT := $(BUILD)$(if $(CROSS),/cross-$(DEB_HOST_ARCH))
SAN_DIR := $(if $(filter 1,$(SANITIZE)),/san)
ifeq ($(PPPD_ABI),2.5)
  OUT := $(ROOT)/abi-2.5$(SAN_DIR)
  SHARED := $(ROOT)$(SAN_DIR)
else
  OUT := $(ROOT)$(SAN_DIR)
  SHARED := $(OUT)
endif
WARN := -Wall -Wextra -Wshadow -Wno-missing-field-initializers
PK_CFLAGS   = -std=gnu11 -fPIC -fvisibility=hidden $(WARN) $(HARDEN_CFLAGS) $(SAN_FLAGS) $(CFLAGS) $(CPPFLAGS)
PK_CXXFLAGS = -std=c++20 -fPIC -fvisibility=hidden -fvisibility-inlines-hidden $(WARN) -Iplugins -Isupervisor \
              $(HARDEN_CXXFLAGS) $(SAN_FLAGS) $(CXXFLAGS) $(CPPFLAGS) -DPPPKIT_VERSION='"$(VERSION)"'
PK_LDFLAGS  = $(HARDEN_LDFLAGS) $(SAN_FLAGS) $(LDFLAGS)
# libnftables is not linked: common/nft.cpp dlopen()s libnftables.so.1 per nft::Context
LIBS := -linih -lcurl -lsystemd -lcrypto
LIBS += -lnftnl -lmnl  # common/nfnl.cpp (element batches), supervisor/core/rtnl.cpp; --as-needed drops them elsewhere
LIBS += -lssl  # the DDNS worker's POP3 TLS (plugins/ddns/io/tls.cpp); --as-needed drops it elsewhere

# ---- sources, by convention -------------------------------------------------
#   plugins/common/*.cpp, plugins/<p>/core/*.cpp  -> the pure core library
#   plugins/host/host.cpp + pppd_shim.c           -> the pppd boundary (per ABI)
#   plugins/<p>/*.cpp (plugin.cpp and friends)     -> pppkit-<p>.so
#   plugins/<p>/cli/*.cpp + supervisor/cli/*.cpp   -> the pppkit command
#   plugins/<p>/cli/core/*.cpp                     -> pure cores only the pppkit command uses (the
#                                                     iptables importer): never in a plugin
#   plugins/<p>/bin/<tool>.cpp                     -> one helper binary each
#   plugins/<p>/io/*.cpp                           -> linked into plugins/<p>/bin/ tools only
#   tests/unit/*.cpp                               -> unit-tests (doctest)
#   tests/bench/*.cpp                              -> one bench binary each
PLUGINS   := $(patsubst plugins/%/plugin.cpp,%,$(wildcard plugins/*/plugin.cpp))
CORE_SRCS := $(wildcard plugins/common/*.cpp plugins/*/core/*.cpp)
CLI_CORE_SRCS := $(wildcard plugins/*/cli/core/*.cpp)
CLI_SRCS  := $(wildcard supervisor/cli/*.cpp plugins/*/cli/*.cpp) $(CLI_CORE_SRCS)
TOOL_SRCS := $(wildcard plugins/*/bin/*.cpp)
UNIT_SRCS := $(wildcard tests/unit/*.cpp)
BENCH_SRCS:= $(wildcard tests/bench/*.cpp)

obj = $(patsubst %.cpp,$(SHARED)/obj/%.o,$(1))
CORE_LIB  := $(SHARED)/libpppkit-core.a
SHIM_OBJ  := $(OUT)/obj/plugins/host/pppd_shim.o
HOST_OBJS := $(SHIM_OBJ) $(SHARED)/obj/plugins/host/host.o
SO_FILES  := $(foreach p,$(PLUGINS),$(OUT)/pppkit-$(p).so)
TOOL_BINS := $(foreach t,$(TOOL_SRCS),$(SHARED)/$(notdir $(basename $(t))))
PPPKIT_BIN:= $(if $(CLI_SRCS),$(SHARED)/pppkit)
UNIT_BIN  := $(SHARED)/unit-tests
BENCH_BINS:= $(patsubst tests/bench/%.cpp,$(SHARED)/bench/%,$(BENCH_SRCS))

# ---- pppkitd: the supervisor's pure core joins the core library; the daemon
# is supervisor/pppkitd/*.cpp; every plugin sends its pppd's events to it
# (plugins/host/events.cpp). ----
CORE_SRCS += $(wildcard supervisor/core/*.cpp)
HOST_OBJS += $(SHARED)/obj/plugins/host/events.o $(SHARED)/obj/plugins/host/holdoff.o
PPPKITD_SRCS := $(wildcard supervisor/pppkitd/*.cpp)
PPPKITD_BIN := $(if $(PPPKITD_SRCS),$(SHARED)/pppkitd)

.PHONY: all plugins tools install deps check check-unit check-load check-netns check-e2e check-deb check-fuzz \
        check-cross demo bench deb lint format clean headers-2.5 sysroot
all: plugins tools

# Sanitized plugins run in the fake pppd built with the same sanitizers
# (check-netns below); a real, unsanitized pppd cannot load them.
plugins: $(SO_FILES)
tools: $(PPPKIT_BIN) $(TOOL_BINS)

$(SHARED)/obj/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(PK_CXXFLAGS) -MMD -MP -c $< -o $@

$(SHIM_OBJ): plugins/host/pppd_shim.c plugins/host/pk_host.h $(PPPD_HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(PK_CFLAGS) $(PPPD_CPPFLAGS) -MMD -MP -c $< -o $@

$(CORE_LIB): $(call obj,$(CORE_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

# pppkit-<p>.so: the shim, the host, the adapter, and what it needs of the core.
define plugin_rule
$(OUT)/pppkit-$(1).so: $(HOST_OBJS) $(call obj,$(wildcard plugins/$(1)/*.cpp)) $(CORE_LIB) plugins/host/plugin.ver
	$$(CXX) -shared -o $$@ $(HOST_OBJS) $(call obj,$(wildcard plugins/$(1)/*.cpp)) $(CORE_LIB) \
	    -Wl,--version-script=plugins/host/plugin.ver $$(PK_LDFLAGS) $(LIBS)
endef
$(foreach p,$(PLUGINS),$(eval $(call plugin_rule,$(p))))

$(SHARED)/pppkit: $(call obj,$(CLI_SRCS)) $(CORE_LIB)
	$(CXX) -o $@ $^ $(PK_LDFLAGS) $(LIBS)

tool_io = $(wildcard $(patsubst %/bin/,%/io/,$(dir $(1)))*.cpp)
define tool_rule
$(SHARED)/$(notdir $(basename $(1))): $(call obj,$(1) $(call tool_io,$(1))) $(CORE_LIB)
	$$(CXX) -o $$@ $$^ $$(PK_LDFLAGS) $(LIBS)
endef
$(foreach t,$(TOOL_SRCS),$(eval $(call tool_rule,$(t))))

tools: $(PPPKITD_BIN)
# pppkitd's code (its own and the core library's) in a section per function,
# and the linker keeps only what is reached: less text mapped at rest (make
# bench: idle RSS and PSS)
$(call obj,$(PPPKITD_SRCS) $(CORE_SRCS)): PK_CXXFLAGS += -ffunction-sections -fdata-sections
# and its own objects (the daemon: event handlers, not loops) for size: its
# text is resident whole at rest, -224 kB (make bench: RSS 4,672 -> 4,500 kB)
$(call obj,$(PPPKITD_SRCS)): PK_CXXFLAGS += $(if $(filter 1,$(SANITIZE)),,-Os)
# The C++ runtime linked in (only the parts pppkitd uses): no libstdc++.so,
# libm or libgcc_s to load and relocate in a daemon that runs for months
# (make bench, idle beside inadyn: RSS 6,044 -> 4,672 kB, PSS 3,963 -> 2,873).
# The sanitized build keeps them shared (libasan's operator new and friends).
PPPKITD_LDFLAGS := $(if $(filter 1,$(SANITIZE)),,-static-libstdc++ -static-libgcc)
$(SHARED)/pppkitd: $(call obj,$(PPPKITD_SRCS)) $(CORE_LIB)
	$(CXX) -o $@ $^ $(PK_LDFLAGS) -Wl,--gc-sections $(PPPKITD_LDFLAGS) $(LIBS) -lmnl

# PPPKIT_VERSION comes from debian/changelog as a -D flag, which make does not
# track: the sources that use it depend on the changelog, so a new version
# rebuilds exactly what embeds it (and, through them, the binaries).
VERSION_USERS := $(shell grep -l PPPKIT_VERSION $(CORE_SRCS) $(CLI_SRCS) $(PPPKITD_SRCS) 2>/dev/null)
$(call obj,$(VERSION_USERS)): debian/changelog

$(UNIT_BIN): $(call obj,$(UNIT_SRCS) $(CLI_CORE_SRCS)) $(CORE_LIB)
	$(CXX) -o $@ $^ $(PK_LDFLAGS) $(LIBS)

$(SHARED)/bench/%: $(SHARED)/obj/tests/bench/%.o $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CXX) -o $@ $^ $(PK_LDFLAGS) $(LIBS)

# pppd 2.5.x headers: Debian 13's ppp-dev, unpacked into the build tree.
$(BUILD)/pppd-2.5/usr/include/pppd/pppdconf.h:
	plugins/host/fetch-pppd-headers.sh $(BUILD)/pppd-2.5 trixie $(DEB_HOST_ARCH)
headers-2.5: $(BUILD)/pppd-2.5/usr/include/pppd/pppdconf.h

# The cross target's -dev packages (the Debian release of this machine),
# unpacked into SYSROOT with a private apt configuration.
SYSROOT_PKGS := ppp-dev libnftables-dev libinih-dev libcurl4-openssl-dev libsystemd-dev \
                libssl-dev libmnl-dev libnftnl-dev nlohmann-json3-dev
sysroot:
	$(if $(CROSS),,$(error make sysroot needs CROSS=<GNU triplet>))
	plugins/host/fetch-debs.sh --deps $(SYSROOT) "" $(DEB_HOST_ARCH) $(SYSROOT_PKGS)

-include $(shell find $(sort $(SHARED)/obj $(OUT)/obj) -name '*.d' 2>/dev/null)

# ---- fuzzing (libFuzzer, clang) and sanitizers -----------------------------
#   make fuzz                 every target for FUZZ_SECONDS (300) each, then nft -c
#                             on what the firewall targets accepted
#   make check-fuzz           every target for FUZZ_CHECK_SECONDS (6) each on its
#                             committed corpus (tests/fuzz/corpus/<target>); part of make check
#   make fuzz FUZZ_TARGETS=config   one target
# The core is compiled again with clang and -fsanitize=fuzzer-no-link,address,
# undefined into $(BUILD)/fuzz; crash inputs land in $(BUILD)/fuzz/artifacts.
FUZZ_CXX     ?= clang++
FUZZ_SECONDS ?= 300
FUZZ_CHECK_SECONDS ?= 6
FUZZ_OUT     := $(BUILD)/fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CXXFLAGS = -std=c++20 -g -O1 -Iplugins -Isupervisor -Itests/fuzz $(FUZZ_SAN) \
                -DPPPKIT_VERSION='"$(VERSION)"'
FUZZ_ALL     := $(patsubst tests/fuzz/%.cpp,%,$(filter-out tests/fuzz/oracle.cpp,$(wildcard tests/fuzz/*.cpp)))
FUZZ_TARGETS ?= $(FUZZ_ALL)
FUZZ_CORE    := $(patsubst %.cpp,$(FUZZ_OUT)/obj/%.o,$(CORE_SRCS) $(CLI_CORE_SRCS) tests/fuzz/oracle.cpp)
FUZZ_BINS    := $(foreach t,$(FUZZ_ALL),$(FUZZ_OUT)/fuzz-$(t))

.PHONY: fuzz fuzz-build check-fuzz
fuzz-build: $(FUZZ_BINS)

$(FUZZ_OUT)/obj/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_OUT)/fuzz-%: $(FUZZ_OUT)/obj/tests/fuzz/%.o $(FUZZ_CORE)
	$(FUZZ_CXX) -o $@ $^ $(FUZZ_SAN) -fsanitize=fuzzer $(LIBS)

fuzz: deps fuzz-build
	@tests/fuzz/run.sh "$(BUILD)" $(FUZZ_SECONDS) $(FUZZ_TARGETS)

check-fuzz: fuzz-build
	@FUZZ_SEED=$${FUZZ_SEED:-1} tests/fuzz/run.sh "$(BUILD)" $(FUZZ_CHECK_SECONDS) $(FUZZ_TARGETS)

-include $(shell find $(FUZZ_OUT)/obj -name '*.d' 2>/dev/null)

# SANITIZE=1: the fake pppd host (tests/load/fake_pppd.c) carries the same
# sanitizers as the plugins it loads (ASan's runtime must come first in the
# process); tests/load/build-fake-pppd.sh then finds it current and keeps it.
ifeq ($(SANITIZE),1)
SAN_HOST := $(OUT)/load/fake_pppd
$(SAN_HOST): tests/load/fake_pppd.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O1 -g -Wall -Wextra -Wno-unused-parameter -rdynamic $(SAN_FLAGS) -o $@ $< -ldl
endif
# ---- end of fuzzing and sanitizers ------------------------------------------------

# ---- dependencies ---------------------------------------------------------
deps:
	@tests/install-deps.sh tests/deps.list

# ---- tests ----------------------------------------------------------------
# Every tier prints PASS/FAIL lines and ends with "N passed, N failed".
check: deps
	@$(MAKE) --no-print-directory all $(UNIT_BIN)
ifeq ($(SANITIZE),1)
	@tests/run-all.sh --sanitize "$(OUT)"
else
	@tests/run-all.sh "$(OUT)"
endif

check-unit: $(UNIT_BIN)
	cd $(SHARED) && ./unit-tests

check-load: all
	@tests/run-tier.sh load "$(OUT)"

check-netns: all $(SAN_HOST)
	@tests/run-tier.sh netns "$(OUT)"

# The lab VMs two at a time (one core each under TCG, each VM its own work dir
# and network), the 11-minute pppkitd boot first; E2E_JOBS=1 one after another.
E2E_JOBS ?= $(shell n=$$(nproc); [ "$$n" -ge 2 ] && echo 2 || echo 1)
check-e2e: all
	@PPPKIT_TIER_JOBS=$(E2E_JOBS) PPPKIT_TIER_FIRST=pppkitd tests/run-tier.sh e2e "$(OUT)"

check-deb: deb
	@tests/run-tier.sh deb "$(OUT)"

check-cross:
	@tests/run-tier.sh cross "$(OUT)"

demo: deps all
	@tests/e2e/demo.sh "$(OUT)"

bench: deps all $(BENCH_BINS)
	@tests/bench/run.sh "$(SHARED)"

deb:
	@tests/build-deb.sh "$(BUILD)"

lint: deps
	@tests/lint.sh

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp' '*.c' '*.h')

# ---- install ----------------------------------------------------------------
# make install DESTDIR=DIR: what the package ships, by the same globs as the
# build (debian/rules calls it with DESTDIR=debian/pppkit; man pages, examples
# and docs are left to debhelper). PLUGIN_DIR is pppd's plugin directory for
# the ABI built: dh_ppp's answer, else /usr/lib/pppd/VERSION of the headers.
PPPD_VERSION_H := $(if $(filter 2.5,$(PPPD_ABI)),$(PPPD25_DIR)/usr/include/pppd/pppdconf.h,/usr/include/pppd/patchlevel.h)
PLUGIN_DIR ?= $(or $(shell dh_ppp --plugin-dir 2>/dev/null),\
                   /usr/lib/pppd/$(shell sed -n 's/^\#define[[:space:]]*\(PPPD_\)*VERSION[[:space:]]*"\([0-9.]*\)".*/\2/p' $(PPPD_VERSION_H) 2>/dev/null))
UNITDIR ?= /lib/systemd/system
UNIT_FILES := $(wildcard etc/systemd/*.service etc/systemd/*.socket etc/systemd/*.timer \
                         etc/systemd/*.path etc/systemd/*.target)
# drop-ins for other packages' units (etc/systemd/nftables.service.d/pppkit.conf)
UNIT_DROPINS := $(wildcard etc/systemd/*.d/*.conf)
# /etc files are the administrator's once installed: each is installed only
# where it is absent, so "make install" on a configured host keeps them, and
# a fresh DESTDIR (the package's staging, debian/pppkit) gets every one.
INSTALL_CONF = if [ -e "$(DESTDIR)$$2" ]; then echo "make install: kept $(DESTDIR)$$2 (exists; the shipped one is $$1)"; \
               else install -D -m 0644 "$$1" "$(DESTDIR)$$2"; fi
install: all
	install -d $(DESTDIR)$(PLUGIN_DIR) $(DESTDIR)/usr/sbin $(DESTDIR)/usr/libexec/pppkit $(DESTDIR)/etc/ppp
	install -m 0644 $(SO_FILES) $(DESTDIR)$(PLUGIN_DIR)/
	install -m 0755 $(PPPKIT_BIN) $(PPPKITD_BIN) $(DESTDIR)/usr/sbin/
	$(if $(TOOL_BINS),install -m 0755 $(TOOL_BINS) $(DESTDIR)/usr/libexec/pppkit/)
	$(if $(UNIT_FILES),install -d $(DESTDIR)$(UNITDIR) && install -m 0644 $(UNIT_FILES) $(DESTDIR)$(UNITDIR)/)
	set -e; for f in $(UNIT_DROPINS); do install -D -m 0644 $$f $(DESTDIR)$(UNITDIR)/$${f#etc/systemd/}; done
	set -e; conf() { $(INSTALL_CONF); }; conf etc/pppkit.conf /etc/ppp/pppkit.conf; \
	    for d in rsyslog.d logrotate.d; do for f in $$(ls etc/$$d 2>/dev/null); do conf etc/$$d/$$f /etc/$$d/$$f; done; done
	install -d -m 0700 $(DESTDIR)/var/lib/pppkit
	install -D -m 0644 etc/bash-completion/pppkit $(DESTDIR)/usr/share/bash-completion/completions/pppkit

clean:
	rm -rf $(BUILD) debian/.debhelper debian/pppkit debian/files debian/*.substvars debian/*.log
