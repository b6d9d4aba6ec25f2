# Entry points:
#   make test        lint (ruff format --check, ruff check) and the offline tests; no cluster, no Pulumi CLI
#   make engine      build the Pulumi CLI, language host and Kubernetes provider from Go modules (cached)
#   make demo        engine + `pulumi up` of the cluster and user1 stacks in render mode, on a local backend
#   make cluster     build etcd, kube-apiserver, kube-controller-manager and kubectl from Go modules (cached)
#   make e2e         the real engine's up / preview --diff / destroy workflows: render mode, and against a
#                    local control plane with the upstream CRDs
#   make bench       pulumi up against kubectl apply on the local control plane; ten attendees in parallel
#   make format      ruff format + autofix
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: test lint format venv engine cluster demo demo-clean e2e bench clean

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

lint: venv
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint
	$(BIN)/python -m pytest -m "not e2e"

engine:
	bash tools/engine/build.sh

cluster:
	bash tools/controlplane/build.sh

demo: venv
	$(BIN)/python tools/local_pulumi.py demo

demo-clean:
	rm -rf .demo .pulumi-state rendered

e2e: venv engine cluster
	$(BIN)/python -m pytest -m e2e

bench: venv engine cluster
	$(BIN)/python benchmarks/cluster_bench.py

clean: demo-clean
	rm -rf $(VENV) .pytest_cache .ruff_cache
