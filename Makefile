# cubeimg build, test and benchmark targets. See README.md.
GO        ?= go
FUZZTIME  ?= 10s
BENCHTIME ?= 1x
# Build with FFTW3 (single precision, through cgo) when its header is installed.
FFTW_TAG  := $(shell test -f /usr/include/fftw3.h && echo fftw)
TAGS      ?= $(FFTW_TAG)
GOFLAGS_TAGS := $(if $(TAGS),-tags '$(TAGS)',)

.PHONY: all build test test-go vet fuzz bench demo test-slurm clean

DEMO ?= demo

all: build

build:
	$(GO) build $(GOFLAGS_TAGS) -o bin/ ./cmd/...

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) vet $(GOFLAGS_TAGS) ./...

test-go:
	$(GO) test $(GOFLAGS_TAGS) -count=1 -timeout 20m ./...

# test: vet, the unit and acceptance tests, then every fuzz target for FUZZTIME.
test: vet test-go fuzz

fuzz:
	FUZZTIME=$(FUZZTIME) TAGS='$(TAGS)' ./tools/fuzzall.sh

# test-slurm: cubeimg slurm on a one-node Slurm cluster on localhost (tools/test-slurm.sh: installs
# slurm-wlm and munge if missing, needs root, says why and skips where Slurm cannot start).
test-slurm:
	./tools/test-slurm.sh

bench:
	$(GO) test $(GOFLAGS_TAGS) -run '^$$' -bench . -benchtime $(BENCHTIME) -timeout 60m ./...

# demo: simulate a small ALMA-like MS (16 channels, 10 min, a line and continuum sources), image
# it into $(DEMO)/demo.cube with FITS exports, and draw a PNG preview.
demo: build
	rm -rf $(DEMO) && mkdir -p $(DEMO)
	bin/cubeimg simulate -o $(DEMO)/sim.ms --nchan 16 --duration 10m -q
	bin/cubeimg run --vis $(DEMO)/sim.ms --imagename $(DEMO)/demo --imsize 256 --cell 0.1arcsec \
		--weighting briggs --robust 0.5 --niter 2000 --threshold 10mJy --usemask auto-multithresh \
		--max-resident 1GiB --fits --report $(DEMO)/run.json
	bin/cubestore verify $(DEMO)/demo.cube
	bin/cubestore preview $(DEMO)/demo.cube -o $(DEMO)/demo.preview.png
	@echo "demo: $(DEMO)/demo.cube, $(DEMO)/demo.*.fits, $(DEMO)/demo.preview.png, $(DEMO)/run.json"

clean:
	rm -rf bin $(DEMO)
