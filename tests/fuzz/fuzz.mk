# Fuzzing (docs/security.md): libFuzzer harnesses tests/fuzz/fuzz_*.c.
# Included from GNUmakefile.
#
#   make fuzz          build with clang (ASan, UBSan, libFuzzer) and run
#                      each target for FUZZ_SECONDS; new inputs land in
#                      tests/fuzz/corpus/TARGET/
#   make fuzz-merge    minimise each corpus (libFuzzer -merge=1)
#   make fuzz-replay   run every corpus and crash input once, without
#                      libFuzzer, in this build (part of make test)

FUZZ_CC		?= clang
FUZZ_SECONDS	?= 300
FUZZ_RUNS	?=
export FUZZ_RUNS
FUZZ_OUT	:= $(BUILD)/fuzz
FUZZ_SRCS	:= $(filter-out tests/fuzz/fuzz_common.c, \
		   $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_TARGETS	:= $(FUZZ_SRCS:tests/fuzz/%.c=%)
FUZZ_BINS	:= $(FUZZ_TARGETS:%=$(FUZZ_OUT)/%)
FUZZ_HEADERS	:= $(HEADERS) tests/fuzz/fuzz_common.h tests/unit/fixture.h

# libFuzzer wants coverage in the code under test; the harnesses link
# the fuzzer's main. -Itests/unit: the harnesses build on the fixture.
FUZZ_SAN	:= -fsanitize=address,undefined -fno-sanitize-recover=undefined \
		   -fno-omit-frame-pointer
FUZZ_CFLAGS	:= -std=c99 -D_GNU_SOURCE -O1 -g $(WARNINGS) -Isrc \
		   -Itests/unit $(shell pkg-config --cflags $(PKGS) 2>/dev/null) \
		   $(FUZZ_SAN)
FUZZ_OBJS	:= $(CORE_SRCS:src/%.c=$(FUZZ_OUT)/obj/%.o)
FUZZ_COMMON	:= $(FUZZ_OUT)/obj/fixture.o $(FUZZ_OUT)/obj/fuzz_common.o

.PHONY: fuzz-build fuzz-merge fuzz-seeds

$(FUZZ_OUT)/obj/%.o: src/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_OUT)/obj/fixture.o: tests/unit/fixture.c $(FUZZ_HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_OUT)/obj/fuzz_common.o: tests/fuzz/fuzz_common.c $(FUZZ_HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_OUT)/libmutua.a: $(FUZZ_OBJS)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_OUT)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_COMMON) $(FUZZ_OUT)/libmutua.a \
    $(FUZZ_HEADERS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_COMMON) \
	    $(FUZZ_OUT)/libmutua.a $(LDLIBS)

fuzz-build: $(FUZZ_BINS)

fuzz: deps
	$(MAKE) fuzz-build
	@sh tests/fuzz/run.sh run $(FUZZ_OUT) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-merge: fuzz-build
	@sh tests/fuzz/run.sh merge $(FUZZ_OUT) 0 $(FUZZ_TARGETS)

# The replay: each harness with tests/fuzz/replay.c for a main, in the
# build at hand (make test: SANITIZE=1, gcc with ASan and UBSan).
REPLAY_BINS	:= $(FUZZ_TARGETS:%=$(OUT)/fuzz-replay/%)
REPLAY_COMMON	:= $(OUT)/fuzz-replay/replay.o $(OUT)/fuzz-replay/common.o \
		   $(UNIT_FIXTURE)

$(OUT)/fuzz-replay/replay.o: tests/fuzz/replay.c $(FUZZ_HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -c $< -o $@

$(OUT)/fuzz-replay/common.o: tests/fuzz/fuzz_common.c $(FUZZ_HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -c $< -o $@

$(OUT)/fuzz-replay/fuzz_%: tests/fuzz/fuzz_%.c $(REPLAY_COMMON) $(TOOL_LIBS) \
    $(FUZZ_HEADERS)
	$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(REPLAY_COMMON) \
	    $(TOOL_LIBS) $(LDLIBS)

fuzz-replay: $(REPLAY_BINS)
	@sh tests/fuzz/run.sh replay $(OUT)/fuzz-replay 0 $(FUZZ_TARGETS)

# The signed seeds (tests/fuzz/seeds.c), written into tests/fuzz/corpus/.
$(FUZZ_OUT)/seeds: tests/fuzz/seeds.c $(FUZZ_COMMON) $(FUZZ_OUT)/libmutua.a \
    $(FUZZ_HEADERS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_COMMON) \
	    $(FUZZ_OUT)/libmutua.a $(LDLIBS)

fuzz-seeds: $(FUZZ_OUT)/seeds
	@mkdir -p tests/fuzz/corpus/fuzz_oob_body tests/fuzz/corpus/fuzz_oob_device
	$(FUZZ_OUT)/seeds
