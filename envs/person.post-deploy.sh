#!/usr/bin/env bash
# mediapipe without its own dependencies (GUI OpenCV, jax): its selfie segmentation needs none of them.
set -euo pipefail
pip install --no-deps mediapipe==0.10.21
