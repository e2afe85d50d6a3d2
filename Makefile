# The two commands of the README:
#   make demo   installs what is needed, builds, and boots a few guests
#   make test   installs what is needed, builds, and runs the whole suite
# The build lives in build/ (ASan+UBSan host code, freestanding guest).
BUILD ?= build
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc)

.PHONY: all deps build demo test bench tsan format-check clean

all: build

deps:
	@./scripts/install-deps

$(BUILD)/CMakeCache.txt: | deps
	CC=clang cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	./scripts/demo $(BUILD)

test: build
	./scripts/check-kvm
	cd $(BUILD) && ctest --output-on-failure -j 2 --timeout 600

# Benchmarks use an optimized build without sanitizers.
bench: deps
	CC=clang cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DDYAD_SANITIZE=OFF $(CMAKE_FLAGS)
	cmake --build build-release -j $(JOBS)
	./tests/bench/run build-release

tsan: deps
	CC=clang cmake -S . -B build-tsan -DDYAD_TSAN=ON $(CMAKE_FLAGS)
	cmake --build build-tsan -j $(JOBS)
	cd build-tsan && ctest --output-on-failure -L integration

format-check: build
	cmake --build $(BUILD) --target format-check

clean:
	rm -rf $(BUILD) build-tsan
