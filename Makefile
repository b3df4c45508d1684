# adverify: set-up, main job and tests.
# `make run` and `make test` install what is missing first (`make deps`, idempotent).
SWIFT ?= swift

.PHONY: deps run test build bench bench-check bench-baseline selftest example docs example-differentiable

deps:
	@command -v $(SWIFT) >/dev/null 2>&1 || { echo "error: swift not found on PATH (install Swift 6.1 or newer from swift.org)"; exit 1; }
	@if pkg-config --exists gsl openblas 2>/dev/null; then \
		echo "deps: GSL $$(pkg-config --modversion gsl) and OpenBLAS $$(pkg-config --modversion openblas) found"; \
	elif command -v apt-get >/dev/null 2>&1; then \
		echo "deps: installing libgsl-dev libopenblas-dev pkg-config with apt-get"; \
		SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq libgsl-dev libopenblas-dev pkg-config >/dev/null && \
		pkg-config --exists gsl openblas; \
	elif [ "$$(uname)" = "Darwin" ]; then \
		echo "deps: GSL/OpenBLAS not found. On macOS run: brew install gsl openblas pkg-config"; \
		echo "      and export PKG_CONFIG_PATH=\"$$(brew --prefix openblas 2>/dev/null)/lib/pkgconfig:$$PKG_CONFIG_PATH\""; \
		exit 1; \
	else \
		echo "deps: GSL and OpenBLAS (with pkg-config files) are required; install them with your package manager"; \
		exit 1; \
	fi

build: deps
	$(SWIFT) build

# The main job: verify the whole catalogue and write reports/ (exit 0 pass, 1 a check failed, 2 bad input).
run: deps
	$(SWIFT) run adverify run cases/

test: deps
	$(SWIFT) test --disable-xctest

# The benchmark (release build): reports/performance.md, performance.json and the SVG plots.
bench: deps
	$(SWIFT) build -c release --product adverify
	$$($(SWIFT) build -c release --show-bin-path)/adverify bench

# CI's performance gate: the quick benchmark against the committed baseline (exit 1 on a
# regression); when the baseline is from another machine and something looks regressed, the
# baseline's revision is benchmarked in the same job and compared with instead (docs/benchmark-ci.md).
bench-check: deps
	bash scripts/bench-gate.sh

# A new baseline from nine quick runs, quiet and with one and two cores busy (about seven minutes).
bench-baseline: deps
	$(SWIFT) build -c release --product adverify
	$$($(SWIFT) build -c release --show-bin-path)/adverify bench --quick --baseline reports/baseline.json --update-baseline --runs 9 --report .build/baseline-report

# The catalogue's mutation score (release build): reports/mutation.md and mutation.json; exit 1
# while a mutant of the rule table or of the network backprop survives.
selftest: deps
	$(SWIFT) build -c release --product adverify
	$$($(SWIFT) build -c release --show-bin-path)/adverify selftest cases/ --quiet

# A user's package (Examples/GradientCheckExample) that depends on adverify by path and checks its
# hand-written gradient with ADCheck from its own swift test: one right, one wrong under withKnownIssue
# (Swift Testing), and the same from an XCTestCase, where a failure goes through XCTFail (the
# fallback the main suite cannot test: CI runs it with --disable-xctest). Both libraries must run:
# the log is checked for the XCTest suite and the Swift Testing run, so neither is skipped unseen.
# Then the differentiable-Swift example (example-differentiable).
example: deps
	cd Examples/GradientCheckExample && mkdir -p .build && \
	{ $(SWIFT) test --enable-xctest --enable-swift-testing >.build/make-example.log 2>&1; status=$$?; \
	  cat .build/make-example.log; [ $$status -eq 0 ] || exit $$status; \
	  grep -q "Test Suite 'LossGradientXCTests' passed" .build/make-example.log || { echo "example: the XCTest tests did not run"; exit 1; }; \
	  grep -Eq "Test run with [0-9]+ tests? .*passed" .build/make-example.log || { echo "example: the Swift Testing tests did not run"; exit 1; }; }
	$(MAKE) example-differentiable

# A Swift ML user's package (Examples/DifferentiableModelExample): models as Differentiable structs,
# a stable softplus and logSumExp with their own @derivative(of:), checked with ADCheck's
# differentiable-Swift checks; the variant with a slip in its registered derivative must fail with
# adverify's message under withKnownIssue. The log must show the run passing with both known issues.
example-differentiable: deps
	cd Examples/DifferentiableModelExample && mkdir -p .build && \
	{ $(SWIFT) test --enable-swift-testing >.build/make-example.log 2>&1; status=$$?; \
	  cat .build/make-example.log; [ $$status -eq 0 ] || exit $$status; \
	  grep -Eq "Test run with [0-9]+ tests? .*passed.* with 2 known issues" .build/make-example.log || { echo "example-differentiable: the Swift Testing run did not pass with its 2 known issues"; exit 1; }; }

# The ADCheck library's DocC catalog (Sources/ADCheck/ADCheck.docc), warnings as errors: a broken
# symbol link or a missing article fails CI. The archive is in .build/plugins/Swift-DocC/outputs.
docs: deps
	$(SWIFT) package --disable-sandbox generate-documentation --target ADCheck --warnings-as-errors
