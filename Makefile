# pppkit - native pppd plugins for a PPPoE uplink that publishes services.
#
#   make                   build the plugins and tools (pppd 2.4.9 ABI, system headers)
#   make PPPD_ABI=2.5      build against pppd 2.5.x headers (Debian 13's ppp-dev,
#                          fetched into build/pppd-2.5 without touching apt's config)
#   make check             every test tier (unit, load, namespaces, lab, package)
#   make check SANITIZE=1  unit tier and tools under ASan+UBSan
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
CFLAGS   ?= -O2 -g
CXXFLAGS ?= -O2 -g

ifeq ($(PPPD_ABI),2.5)
  PPPD25_DIR := $(BUILD)/pppd-2.5
  PPPD_CPPFLAGS := -I$(PPPD25_DIR)/usr/include
  OUT := $(BUILD)/abi-2.5
  PPPD_HEADERS := $(PPPD25_DIR)/usr/include/pppd/pppdconf.h
else ifeq ($(PPPD_ABI),system)
  PPPD_CPPFLAGS :=
  OUT := $(BUILD)
  PPPD_HEADERS :=
else
  $(error PPPD_ABI must be system or 2.5)
endif

# Required flags live apart from CFLAGS/CXXFLAGS, so that flags given on the
# command line add to them and never drop the sanitizers or hardening.
HARDEN_CFLAGS  := -fstack-protector-strong -fstack-clash-protection -fcf-protection \
                  -D_FORTIFY_SOURCE=2 -Wformat -Werror=format-security
HARDEN_LDFLAGS := -Wl,-z,relro -Wl,-z,now -Wl,--as-needed
ifeq ($(SANITIZE),1)
  SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
  OUT := $(OUT)/san
else
  SAN_FLAGS :=
endif
WARN := -Wall -Wextra -Wshadow -Wno-missing-field-initializers
PK_CFLAGS   = -std=gnu11 -fPIC -fvisibility=hidden $(WARN) $(HARDEN_CFLAGS) $(SAN_FLAGS) $(CFLAGS) $(CPPFLAGS)
PK_CXXFLAGS = -std=c++20 -fPIC -fvisibility=hidden -fvisibility-inlines-hidden $(WARN) -Iplugins -Isupervisor \
              $(HARDEN_CFLAGS) $(SAN_FLAGS) $(CXXFLAGS) $(CPPFLAGS) -DPPPKIT_VERSION='"$(VERSION)"'
PK_LDFLAGS  = $(HARDEN_LDFLAGS) $(SAN_FLAGS) $(LDFLAGS)
LIBS := -lnftables -linih -lcurl -lsystemd

# ---- sources, by convention -------------------------------------------------
#   plugins/common/*.cpp, plugins/<p>/core/*.cpp  -> the pure core library
#   plugins/host/host.cpp + pppd_shim.c           -> the pppd boundary (per ABI)
#   plugins/<p>/*.cpp (plugin.cpp and friends)     -> pppkit-<p>.so
#   plugins/<p>/cli/*.cpp + supervisor/cli/*.cpp   -> the pppkit command
#   plugins/<p>/bin/<tool>.cpp                     -> one helper binary each
#   tests/unit/*.cpp                               -> unit-tests (doctest)
#   tests/bench/*.cpp                              -> one bench binary each
PLUGINS   := $(patsubst plugins/%/plugin.cpp,%,$(wildcard plugins/*/plugin.cpp))
CORE_SRCS := $(wildcard plugins/common/*.cpp plugins/*/core/*.cpp)
CLI_SRCS  := $(wildcard supervisor/cli/*.cpp plugins/*/cli/*.cpp)
TOOL_SRCS := $(wildcard plugins/*/bin/*.cpp)
UNIT_SRCS := $(wildcard tests/unit/*.cpp)
BENCH_SRCS:= $(wildcard tests/bench/*.cpp)

obj = $(patsubst %.cpp,$(OUT)/obj/%.o,$(1))
CORE_LIB  := $(OUT)/libpppkit-core.a
HOST_OBJS := $(OUT)/obj/plugins/host/pppd_shim.o $(OUT)/obj/plugins/host/host.o
SO_FILES  := $(foreach p,$(PLUGINS),$(OUT)/pppkit-$(p).so)
TOOLS     := $(patsubst plugins/%.cpp,$(OUT)/%,$(TOOL_SRCS))
TOOL_BINS := $(foreach t,$(TOOL_SRCS),$(OUT)/$(notdir $(basename $(t))))
PPPKIT_BIN:= $(if $(CLI_SRCS),$(OUT)/pppkit)
UNIT_BIN  := $(OUT)/unit-tests
BENCH_BINS:= $(patsubst tests/bench/%.cpp,$(OUT)/bench/%,$(BENCH_SRCS))

# ---- pppkitd: the supervisor's pure core joins the core library; the daemon
# is supervisor/pppkitd/*.cpp; every plugin sends its pppd's events to it
# (plugins/host/events.cpp). ----
CORE_SRCS += $(wildcard supervisor/core/*.cpp)
HOST_OBJS += $(OUT)/obj/plugins/host/events.o
PPPKITD_SRCS := $(wildcard supervisor/pppkitd/*.cpp)
PPPKITD_BIN := $(if $(PPPKITD_SRCS),$(OUT)/pppkitd)

.PHONY: all plugins tools deps check check-unit check-load check-netns check-e2e check-deb \
        demo bench deb lint format clean headers-2.5
all: plugins tools

ifeq ($(SANITIZE),1)
# A sanitized .so cannot be loaded by an unsanitized pppd: build only what runs standalone.
plugins:
else
plugins: $(SO_FILES)
endif
tools: $(PPPKIT_BIN) $(TOOL_BINS)

$(OUT)/obj/%.o: %.cpp $(PPPD_HEADERS)
	@mkdir -p $(dir $@)
	$(CXX) $(PK_CXXFLAGS) -MMD -MP -c $< -o $@

$(OUT)/obj/plugins/host/pppd_shim.o: plugins/host/pppd_shim.c plugins/host/pk_host.h $(PPPD_HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(PK_CFLAGS) $(PPPD_CPPFLAGS) -MMD -MP -c $< -o $@

$(CORE_LIB): $(call obj,$(CORE_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# pppkit-<p>.so: the shim, the host, the adapter, and what it needs of the core.
define plugin_rule
$(OUT)/pppkit-$(1).so: $(HOST_OBJS) $(call obj,$(wildcard plugins/$(1)/*.cpp)) $(CORE_LIB) plugins/host/plugin.ver
	$$(CXX) -shared -o $$@ $(HOST_OBJS) $(call obj,$(wildcard plugins/$(1)/*.cpp)) $(CORE_LIB) \
	    -Wl,--version-script=plugins/host/plugin.ver $$(PK_LDFLAGS) $(LIBS)
endef
$(foreach p,$(PLUGINS),$(eval $(call plugin_rule,$(p))))

$(OUT)/pppkit: $(call obj,$(CLI_SRCS)) $(CORE_LIB)
	$(CXX) -o $@ $^ $(PK_LDFLAGS) $(LIBS)

define tool_rule
$(OUT)/$(notdir $(basename $(1))): $(call obj,$(1)) $(CORE_LIB)
	$$(CXX) -o $$@ $$^ $$(PK_LDFLAGS) $(LIBS)
endef
$(foreach t,$(TOOL_SRCS),$(eval $(call tool_rule,$(t))))

tools: $(PPPKITD_BIN)
$(OUT)/pppkitd: $(call obj,$(PPPKITD_SRCS)) $(CORE_LIB)
	$(CXX) -o $@ $^ $(PK_LDFLAGS) $(LIBS)

$(UNIT_BIN): $(call obj,$(UNIT_SRCS)) $(CORE_LIB)
	$(CXX) -o $@ $^ $(PK_LDFLAGS) $(LIBS)

$(OUT)/bench/%: $(OUT)/obj/tests/bench/%.o $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CXX) -o $@ $^ $(PK_LDFLAGS) $(LIBS)

# pppd 2.5.x headers: Debian 13's ppp-dev, unpacked into the build tree.
$(BUILD)/pppd-2.5/usr/include/pppd/pppdconf.h:
	plugins/host/fetch-pppd-headers.sh $(BUILD)/pppd-2.5 trixie
headers-2.5: $(BUILD)/pppd-2.5/usr/include/pppd/pppdconf.h

-include $(shell find $(OUT)/obj -name '*.d' 2>/dev/null)

# ---- dependencies ---------------------------------------------------------
deps:
	@tests/install-deps.sh tests/deps.list

# ---- tests ----------------------------------------------------------------
# Every tier prints PASS/FAIL lines and ends with "N passed, N failed".
check: deps
	@$(MAKE) --no-print-directory all $(UNIT_BIN)
ifeq ($(SANITIZE),1)
	@$(MAKE) --no-print-directory check-unit
else
	@tests/run-all.sh "$(OUT)"
endif

check-unit: $(UNIT_BIN)
	cd $(OUT) && ./unit-tests

check-load: all
	@tests/run-tier.sh load "$(OUT)"

check-netns: all
	@tests/run-tier.sh netns "$(OUT)"

check-e2e: all
	@tests/run-tier.sh e2e "$(OUT)"

check-deb: deb
	@tests/run-tier.sh deb "$(OUT)"

demo: deps all
	@tests/e2e/demo.sh "$(OUT)"

bench: deps all $(BENCH_BINS)
	@tests/bench/run.sh "$(OUT)"

deb:
	@tests/build-deb.sh "$(BUILD)"

lint: deps
	@tests/lint.sh

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp' '*.c' '*.h')

clean:
	rm -rf $(BUILD) debian/.debhelper debian/pppkit debian/files debian/*.substvars debian/*.log
