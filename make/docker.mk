# dockwright/make/docker.mk — include it from a service's Makefile:
#
#   SERVICE := web
#   include /opt/dockwright/make/docker.mk
#
# Targets: docker-build, docker-push, docker-deploy, promote, rollback,
# converge, versions, help. Every variable below can be overridden on the command line
# or in the environment (Jenkins sets BUILD_NUMBER and GIT_COMMIT).
# Each target prints what it runs; a failing step stops make. Make itself
# then exits 2 whatever the step's code: run it through make/dwmake
# (`dwmake docker-deploy`) to exit with the step's own code (1 operational,
# 2 bad input, 3 the rollout found a failing host), see docs/jenkins.md.

ifndef SERVICE
$(error SERVICE is not set: put SERVICE := <name> before the include line)
endif

# Where dockwright lives (this file is in its make/ directory).
DOCKWRIGHT     ?= $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
DOCKWRIGHT_BIN ?= $(DOCKWRIGHT)/bin
ANSIBLE_DIR    ?= $(DOCKWRIGHT)/ansible
GO             ?= go
IMAGE_TAGGER   ?= $(DOCKWRIGHT_BIN)/image-tagger
# Each step runs through run-step, which records a failing step's exit code
# for make/dwmake.
RUN_STEP       ?= $(DOCKWRIGHT)/make/run-step

REGISTRY       ?= $(or $(DOCKWRIGHT_REGISTRY),127.0.0.1:5000)
ENV            ?= dev
# Jenkins' values; a local build without them is tagged "local" and cannot
# be pushed (versions are build numbers).
BUILD_NUMBER   ?=
GIT_COMMIT     ?= $(shell git rev-parse HEAD 2>/dev/null)
BASE_IMAGE     ?= scratch
DOCKERFILE     ?= Dockerfile
CONTEXT        ?= .
CANDIDATE      ?= $(SERVICE):$(or $(BUILD_NUMBER),local)
CATALOG        ?= $(or $(DOCKWRIGHT_CATALOG),services.yml)
INVENTORY      ?= $(DOCKWRIGHT_BIN)/ec2-inventory
ANSIBLE_OPTS   ?=
# The rollout (ansible/rollout.yml, docs/ansible.md#rollouts): empty means
# the playbooks' defaults (zone by zone, a whole zone at a time, no bake,
# no minimum, no automatic rollback).
ZONES               ?=
BATCH               ?=
BAKE                ?=
MIN_HEALTHY         ?=
ROLLBACK_ON_FAILURE ?=
# How long a rollout waits for the deploy lock another job of the same
# service and environment holds (docs/dockwright-lock.md; default 10m).
LOCK_WAIT           ?=
# LIMIT=PATTERN: only these hosts (Ansible's --limit); localhost is added,
# since the rollout's control steps (the lock, the plan, the registry's
# tag) run there.
LIMIT               ?=
dw_comma := ,
ROLLOUT_OPTS = $(if $(ZONES),-e zones=$(ZONES)) $(if $(BATCH),-e batch=$(BATCH)) $(if $(BAKE),-e bake=$(BAKE)) \
  $(if $(MIN_HEALTHY),-e min_healthy=$(MIN_HEALTHY)) $(if $(ROLLBACK_ON_FAILURE),-e rollback_on_failure=$(ROLLBACK_ON_FAILURE)) \
  $(if $(LOCK_WAIT),-e lock_wait=$(LOCK_WAIT)) $(if $(LIMIT),--limit '$(LIMIT)$(dw_comma)localhost')
STATE          ?= .dockwright
# Ansible reads dockwright's ansible.cfg (inventory failures are fatal).
export ANSIBLE_CONFIG ?= $(ANSIBLE_DIR)/ansible.cfg
# The catalog, when the file exists, for every dockwright binary.
export DOCKWRIGHT_CATALOG := $(if $(wildcard $(CATALOG)),$(abspath $(CATALOG)))
# A notifiers file (docs/plugins.md): image-tagger promote and the Ansible
# deploy and rollback tell its plugins what happened.
NOTIFY         ?= $(DOCKWRIGHT_NOTIFY)
export DOCKWRIGHT_NOTIFY := $(if $(NOTIFY),$(abspath $(NOTIFY)))

.PHONY: help docker-build docker-push docker-deploy promote rollback converge versions docker-prebuild _need-build

help:
	@echo "dockwright targets for $(SERVICE) (registry $(REGISTRY), env $(ENV)):"
	@echo "  make docker-build                 build $(CANDIDATE) with OCI labels"
	@echo "  make docker-push                  tag with the build's tag set and push (needs BUILD_NUMBER)"
	@echo "  make docker-deploy [ENV=dev]      build, push, deploy to ENV through Ansible"
	@echo "  make promote BUILD=N ENV=staging  point ENV at build N in the registry and deploy it"
	@echo "  make rollback ENV=dev [BUILD=N]   the whole environment back to one build (the previous, or N)"
	@echo "  make converge ENV=dev             every host runs what ENV's tag points at (new hosts join)"
	@echo "  make versions                     builds in the registry, newest first, with env tags"
	@echo "variables: SERVICE REGISTRY BUILD_NUMBER GIT_COMMIT ENV BASE_IMAGE DOCKWRIGHT DOCKWRIGHT_BIN ANSIBLE_DIR CATALOG INVENTORY NOTIFY ANSIBLE_OPTS"
	@echo "rollout: ZONES=false BATCH=N|N% BAKE=SECONDS MIN_HEALTHY=N|N% ROLLBACK_ON_FAILURE=true LOCK_WAIT=DURATION LIMIT=PATTERN"

# A service can add to docker-prebuild (double colon: `docker-prebuild::`) to
# compile what its Dockerfile copies.
docker-prebuild::

docker-build: docker-prebuild
	$(RUN_STEP) docker-build -- docker build -f $(DOCKERFILE) -t $(CANDIDATE) \
	  --build-arg BASE_IMAGE=$(BASE_IMAGE) --build-arg BUILD_NUMBER=$(or $(BUILD_NUMBER),0) \
	  --label org.opencontainers.image.title=$(SERVICE) \
	  --label org.opencontainers.image.version=$(or $(BUILD_NUMBER),local) \
	  --label org.opencontainers.image.revision=$(GIT_COMMIT) \
	  --label org.opencontainers.image.source=$(shell git config --get remote.origin.url 2>/dev/null) \
	  --label io.dockwright.service=$(SERVICE) \
	  $(CONTEXT)

_need-build:
	@test -n "$(BUILD_NUMBER)" || { echo "docker.mk: BUILD_NUMBER is not set (Jenkins sets it; locally: make $(MAKECMDGOALS) BUILD_NUMBER=N)" >&2; \
	  [ -z "$$DOCKWRIGHT_EXIT_FILE" ] || echo "2 docker-push" >"$$DOCKWRIGHT_EXIT_FILE"; exit 2; }

docker-push: _need-build
	@mkdir -p $(STATE)
	$(RUN_STEP) docker-push -- $(IMAGE_TAGGER) push $(CANDIDATE) --service $(SERVICE) --registry $(REGISTRY) \
	  --build-number $(BUILD_NUMBER) $(if $(GIT_COMMIT),--git-commit $(GIT_COMMIT)) -o pinned > $(STATE)/pinned
	@echo "pushed $$(cat $(STATE)/pinned)"

docker-deploy: docker-build docker-push
	$(RUN_STEP) deploy --ansible -- ansible-playbook -i $(INVENTORY) $(ANSIBLE_DIR)/deploy.yml $(ROLLOUT_OPTS) $(ANSIBLE_OPTS) \
	  -e service=$(SERVICE) -e env=$(ENV) -e build=$(BUILD_NUMBER) -e image_pinned=$$(cat $(STATE)/pinned) -e registry=$(REGISTRY)

# promote.yml deploys the build's digest, then moves the environment tag in
# the registry to it (image-tagger promote).
promote:
	@test -n "$(BUILD)" || { echo "docker.mk: promote needs BUILD=N (and ENV=...)" >&2; \
	  [ -z "$$DOCKWRIGHT_EXIT_FILE" ] || echo "2 promote" >"$$DOCKWRIGHT_EXIT_FILE"; exit 2; }
	$(RUN_STEP) promote --ansible -- ansible-playbook -i $(INVENTORY) $(ANSIBLE_DIR)/promote.yml $(ROLLOUT_OPTS) $(ANSIBLE_OPTS) \
	  -e service=$(SERVICE) -e env=$(ENV) -e build=$(BUILD) -e registry=$(REGISTRY)

rollback:
	$(RUN_STEP) rollback --ansible -- ansible-playbook -i $(INVENTORY) $(ANSIBLE_DIR)/rollback.yml $(ROLLOUT_OPTS) $(ANSIBLE_OPTS) \
	  -e service=$(SERVICE) -e env=$(ENV) -e registry=$(REGISTRY) $(if $(BUILD),-e build=$(BUILD))

converge:
	$(RUN_STEP) converge --ansible -- ansible-playbook -i $(INVENTORY) $(ANSIBLE_DIR)/converge.yml $(ROLLOUT_OPTS) $(ANSIBLE_OPTS) \
	  -e service=$(SERVICE) -e env=$(ENV) -e registry=$(REGISTRY)

versions:
	$(RUN_STEP) versions -- $(IMAGE_TAGGER) versions $(SERVICE) --registry $(REGISTRY) -o table
