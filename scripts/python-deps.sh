#!/usr/bin/env bash
# The export tests run the generated PyTorch scripts in real PyTorch (and ONNX's checker): Debian's python3-torch and
# python3-onnx, installed here when missing, as scripts/e2e.sh does for Chromium. When they cannot be installed the
# tests that need them are skipped and print why (src/export/testing/torch-python.ts); the test command goes on.
set -uo pipefail
if /usr/bin/python3 -c "import torch, onnx, numpy" 2>/dev/null; then exit 0; fi
echo "Installing Debian's python3-torch and python3-onnx for the export tests…"
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
if $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-torch python3-onnx >/dev/null; then
  echo "installed: $(/usr/bin/python3 -c 'import torch; print("torch", torch.__version__)')"
else
  echo "could not install python3-torch/python3-onnx (apt-get install -y python3-torch python3-onnx): the tests that need them will say they skipped"
fi
exit 0
