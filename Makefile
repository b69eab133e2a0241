# The two commands of the README: `make run` and `make test`. Both install what is missing first.
PRESET_DEV := dev
PRESET_REL := release
JOBS ?= 2
# What `make build` leaves in build/bin.
BINARIES := provisio gitlab-sim

.PHONY: run test build build-dev build-fuzz fuzz ui screenshots bench fmt lint bootstrap clean install

bootstrap:
	@scripts/bootstrap

# The web admin: ui/ built into ui/dist, which `provisio serve` serves (--ui-dir).
ui:
	@test -d ui/node_modules || (cd ui && npm ci --no-audit --no-fund)
	cd ui && npm run build

# Release build; binaries in build/bin.
build: ui
	@test -f build/$(PRESET_REL)/build.ninja || cmake --preset $(PRESET_REL)
	cmake --build build/$(PRESET_REL) -j $(JOBS) --target $(BINARIES)

build-dev: ui
	@test -f build/$(PRESET_DEV)/build.ninja || cmake --preset $(PRESET_DEV)
	cmake --build build/$(PRESET_DEV) -j $(JOBS)

# The libFuzzer targets and only the libraries they link (clang; fuzz/CMakeLists.txt).
build-fuzz:
	@test -f build/fuzz/build.ninja || cmake --preset fuzz
	cmake --build build/fuzz -j $(JOBS)

run: bootstrap build
	scripts/run

# Every test, with AddressSanitizer and UndefinedBehaviorSanitizer, against real SQLite files and
# a real PostgreSQL server started by the tests themselves; then each fuzz target for a short
# time (20 s, label `fuzz`).
test: bootstrap build-dev build-fuzz
	cd build/$(PRESET_DEV) && ctest --output-on-failure -j $(JOBS) --timeout 600
	cd build/fuzz && ctest --output-on-failure -j $(JOBS) -L fuzz

# Each fuzz target for FUZZ_SECONDS (600 by default), one after the other, with a report.
FUZZ_SECONDS ?= 600
fuzz: bootstrap build-fuzz
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz

# The browser tests again, keeping their screenshots in docs/screenshots (shown in the README).
screenshots: bootstrap build-dev
	cd build/$(PRESET_DEV) && PROVISIO_E2E_SCREENSHOTS=$(CURDIR)/docs/screenshots ctest --output-on-failure -L e2e

bench: bootstrap build
	cmake --build build/$(PRESET_REL) -j $(JOBS) --target bench_store_bulk bench_sync_bound bench_read_world bench_json_parse pg_cluster
	scripts/bench

# The binary, the web admin, an example configuration, a systemd unit (user `provisio`) and the
# data directory, from `make build`'s output. PREFIX (/usr/local) and DESTDIR are honoured.
PREFIX ?= /usr/local
install:
	PREFIX="$(PREFIX)" DESTDIR="$(DESTDIR)" scripts/install

fmt:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

lint: build-dev
	git ls-files 'src/*.cpp' | xargs clang-tidy -p build/$(PRESET_DEV) --quiet --extra-arg=-Wno-unknown-warning-option

clean:
	rm -rf build
