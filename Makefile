# dockwright — build, test, lint and benchmark every binary.
#
#   make test    unit + integration tests (-race), real Ansible included
#   make build   every tools/<name> into bin/<name>
#   make plugins the shipped plugins into bin/plugins/
#   make lint    gofmt, go vet, staticcheck, ansible-lint
#   make bench   Go benchmarks and bench/*.sh (see docs/benchmarks.md)

GO      ?= go
BINS    := $(notdir $(wildcard tools/*))
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
LDFLAGS := -s -w -X github.com/dockwright/dockwright/internal/version.Version=$(VERSION)
# urfave_cli_no_docs drops cli's markdown/man generators (and their init cost).
TAGS    := urfave_cli_no_docs
STATICCHECK_VERSION := v0.8.2
# Distribution v3, the second registry generation the tests run against
# (keep in step with internal/registrytest.V3Version).
REGISTRY_V3 := v3.1.2

.PHONY: all build plugins test test-deps fuzz lint bench proto demo demo-clean clean help

all: build

help:
	@echo "targets: build plugins test lint bench demo clean"

build: $(addprefix bin/,$(BINS))

# Static binaries (CGO_ENABLED=0): the hosts run some of them (the
# bootstrap playbook copies keep-n-retention), and a build machine's glibc
# must never matter there.
bin/%: FORCE
	CGO_ENABLED=0 $(GO) build -trimpath -tags '$(TAGS)' -ldflags '$(LDFLAGS)' -o $@ ./tools/$*

FORCE:

# plugins builds the shipped plugins (plugins/<kind>-<name>) into
# bin/plugins/dockwright-plugin-<kind>-<name>: DOCKWRIGHT_PLUGIN_DIR=bin/plugins.
PLUGINS := $(filter-out sdk README.md,$(notdir $(wildcard plugins/*)))
plugins: $(addprefix bin/plugins/dockwright-plugin-,$(PLUGINS))

bin/plugins/dockwright-plugin-%: FORCE
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $@ ./plugins/$*

# test-deps checks what the tests run for real and installs it when it can
# (root with apt-get, as on CI); otherwise it says exactly what is missing.
test-deps:
	@command -v $(GO) >/dev/null || { echo "missing: Go toolchain ($(GO))"; exit 1; }
	@command -v gcc >/dev/null || { echo "missing: gcc (go test -race needs cgo): apt-get install -y gcc"; exit 1; }
	@if ! command -v ansible-inventory >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing ansible (Debian package) for the inventory tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ansible >/dev/null; \
	  else \
	    echo "missing: ansible (ansible-inventory, ansible-playbook): sudo apt-get install -y ansible"; exit 1; \
	  fi; \
	fi
	@if ! command -v docker-registry >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing docker-registry (Debian's Distribution 2.8) for the registry tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-registry >/dev/null; \
	  else \
	    echo "missing: docker-registry (Distribution 2.8): sudo apt-get install -y docker-registry"; exit 1; \
	  fi; \
	fi
	@docker info >/dev/null 2>&1 || { echo "missing: a Docker Engine answering on $${DOCKER_HOST:-unix:///var/run/docker.sock} (the Engine tests use it)"; exit 1; }
	@command -v flock >/dev/null || { echo "missing: flock (util-linux)"; exit 1; }
	@for p in chromium:chromium xmllint:libxml2-utils /usr/sbin/sshd:openssh-server sudo:sudo /usr/sbin/nginx:nginx docker-credential-ecr-login:amazon-ecr-credential-helper; do \
	  cmd=$${p%%:*}; pkg=$${p#*:}; \
	  if ! command -v $$cmd >/dev/null; then \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	      echo "installing $$pkg (health-dashboard's browser and JUnit schema tests; the fleet's hosts; the hosts' ECR credential helper)"; \
	      added=; [ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; added=1; }; \
	      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$pkg >/dev/null; rc=$$?; \
	      [ -z "$$added" ] || rm -f /usr/sbin/policy-rc.d; [ $$rc = 0 ] || exit 1; \
	    else \
	      echo "missing: $$cmd: sudo apt-get install -y $$pkg"; exit 1; \
	    fi; \
	  fi; \
	done
	@for mod in docker:python3-docker boto3:python3-boto3; do \
	  m=$${mod%%:*}; pkg=$${mod#*:}; \
	  if ! /usr/bin/python3 -c "import $$m" 2>/dev/null; then \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	      echo "installing $$pkg (Ansible's community.docker / community.aws modules) for the end-to-end test"; \
	      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$pkg >/dev/null || exit 1; \
	    else \
	      echo "missing: $$pkg: sudo apt-get install -y $$pkg"; exit 1; \
	    fi; \
	  fi; \
	done
	@test -x .cache/bin/registry || { echo "building Distribution $(REGISTRY_V3) into .cache/bin/registry for the registry tests"; \
	  GOBIN=$(CURDIR)/.cache/bin $(GO) install github.com/distribution/distribution/v3/cmd/registry@$(REGISTRY_V3); }
	@$(GO) mod download

# -timeout: the end-to-end test (demo/) runs ~20 minutes, past go test's
# default 10.
test: test-deps
	$(GO) test -race -count=1 -timeout 60m ./...
	$(MAKE) --no-print-directory fuzz

# fuzz runs each fuzz target briefly from its seed corpus (go test -fuzz
# takes one target at a time). FUZZTIME=1m make fuzz for a longer run.
# The default is a count, not a duration: Go 1.26's fuzz coordinator can
# report a spurious "context deadline exceeded" when a -fuzztime duration
# runs out on a busy machine (golang/go#75804, fixed in Go 1.27); a count
# has no deadline to race.
FUZZTIME ?= 20000x
FUZZ_TARGETS := envconfig:FuzzParseLayer envconfig:FuzzOverride envconfig:FuzzParseRef inventory:FuzzDecodeMatchesSDK
fuzz:
	@for pt in $(FUZZ_TARGETS); do \
	  $(GO) test -run '^$$' -fuzz "^$${pt#*:}$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./internal/$${pt%%:*}/ || exit 1; \
	done

lint:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "not gofmt-formatted:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...
	@command -v ansible-lint >/dev/null || { echo "missing: ansible-lint (the roles and playbooks are linted too): sudo apt-get install -y ansible-lint"; exit 1; }
	cd ansible && ANSIBLE_NOCOLOR=1 ansible-lint --nocolor

bench: build
	$(GO) test -p 1 -run '^$$' -bench . -benchmem -count 5 ./internal/inventory/ ./internal/registry/ ./internal/retention/ ./internal/envconfig/ ./internal/health/
	bash bench/ec2-inventory.sh
	bash bench/registry-pruner.sh
	bash bench/keep-n-retention.sh
	bash bench/env-config-resolver.sh
	bash bench/health-dashboard.sh
	bash bench/fleet-up.sh

# proto regenerates the plugin contracts' Go code (committed) from
# plugins/sdk/proto/plugin.proto: protoc from Debian (protobuf-compiler),
# the Go generators from the module proxy into .cache/bin.
PROTOC_GEN_GO := v1.36.12
PROTOC_GEN_GO_GRPC := v1.6.2
proto:
	@command -v protoc >/dev/null || { echo "missing: protoc: sudo apt-get install -y protobuf-compiler"; exit 1; }
	GOBIN=$(CURDIR)/.cache/bin $(GO) install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO)
	GOBIN=$(CURDIR)/.cache/bin $(GO) install google.golang.org/grpc/cmd/protoc-gen-go-grpc@$(PROTOC_GEN_GO_GRPC)
	cd plugins/sdk/proto && PATH=$(CURDIR)/.cache/bin:$$PATH protoc --go_out=. --go_opt=paths=source_relative \
	  --go-grpc_out=. --go-grpc_opt=paths=source_relative plugin.proto

# demo runs the main job end to end on this machine (demo/demo.sh says how);
# demo-clean removes what it created.
demo:
	bash demo/demo.sh

demo-clean:
	bash demo/clean.sh

clean:
	rm -rf bin bench/out
