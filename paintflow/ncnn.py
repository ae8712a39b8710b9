"""Run an ncnn model (``.param`` text + ``.bin`` weights) as a torch module.

Only the layer types waifu2x's models use are implemented: Input, Convolution,
Deconvolution, Split, Pooling (global average), InnerProduct, Scale (by a
second blob), Crop (to a reference blob) and Eltwise (sum). The layer list is
executed in file order, which ncnn guarantees to be topological.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from . import PaintflowError

MAGIC = 7767517
TAG_FP16 = 0x01306B47
TAG_FP32 = 0x00000000


@dataclass
class Layer:
    kind: str
    name: str
    bottoms: list
    tops: list
    params: dict


def parse_param(text: str) -> list[Layer]:
    lines = [line.split() for line in text.splitlines() if line.strip()]
    if not lines or int(lines[0][0]) != MAGIC:
        raise PaintflowError("not an ncnn .param file (bad magic number)")
    layers = []
    for fields in lines[2:]:
        kind, name, nb, nt = fields[0], fields[1], int(fields[2]), int(fields[3])
        bottoms, tops = fields[4 : 4 + nb], fields[4 + nb : 4 + nb + nt]
        params = {}
        for item in fields[4 + nb + nt :]:
            key, value = item.split("=", 1)
            key = int(key)
            if key <= -23300:  # array: -(23300 + id)=count,v1,v2…
                params[-key - 23300] = [float(v) for v in value.split(",")[1:]]
            else:
                params[key] = float(value) if "." in value or "e" in value else int(value)
        layers.append(Layer(kind, name, bottoms, tops, params))
    return layers


class BlobReader:
    """Sequential reader of an ncnn .bin: tagged weight arrays, raw float32 biases."""

    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def tagged(self, count: int) -> np.ndarray:
        (tag,) = struct.unpack_from("<I", self.data, self.pos)
        self.pos += 4
        if tag == TAG_FP16:
            arr = np.frombuffer(self.data, "<f2", count, self.pos).astype(np.float32)
            self.pos += (count * 2 + 3) // 4 * 4
            return arr
        if tag == TAG_FP32:
            return self.raw(count)
        raise PaintflowError(f"unsupported ncnn weight storage tag {tag:#x}")

    def raw(self, count: int) -> np.ndarray:
        arr = np.frombuffer(self.data, "<f4", count, self.pos).copy()
        self.pos += count * 4
        return arr


class _Zeros(BlobReader):
    """Stand-in reader giving zero weights (a state dict fills them afterwards)."""

    def __init__(self):
        super().__init__(b"")

    def tagged(self, count: int) -> np.ndarray:
        return np.zeros(count, np.float32)

    raw = tagged


def _activation(kind: int, params: list | None):
    if kind == 0:
        return None
    if kind == 1:
        return nn.ReLU()
    if kind == 2:
        return nn.LeakyReLU(params[0] if params else 0.0)
    if kind == 4:
        return nn.Sigmoid()
    raise PaintflowError(f"unsupported ncnn activation type {kind}")


class NcnnNet(nn.Module):
    """A torch module equivalent to one ncnn graph with a single input and output."""

    def __init__(self, layers: list[Layer], reader: BlobReader | None = None):
        """Build from parsed layers; weights from ``reader``, or zeros to be filled by a state dict."""
        super().__init__()
        self.layers = layers
        reader = reader or _Zeros()
        self.mods = nn.ModuleDict()
        for layer in self.layers:
            p = layer.params
            if layer.kind in ("Convolution", "Deconvolution"):
                out_c, k, size = p[0], p[1], p[6]
                in_c = size // (out_c * k * k)
                w = reader.tagged(size).reshape(out_c, in_c, k, k)
                b = reader.raw(out_c) if p.get(5, 0) else None
                stride, pad = p.get(3, 1), p.get(4, 0)
                if layer.kind == "Convolution":
                    m = nn.Conv2d(in_c, out_c, k, stride, pad, bias=b is not None)
                    m.weight.data = torch.from_numpy(w)
                else:  # ncnn stores [out][in][k][k]; torch's transposed conv wants [in][out]
                    m = nn.ConvTranspose2d(in_c, out_c, k, stride, pad, bias=b is not None)
                    m.weight.data = torch.from_numpy(np.ascontiguousarray(w.transpose(1, 0, 2, 3)))
                if b is not None:
                    m.bias.data = torch.from_numpy(b)
                act = _activation(p.get(9, 0), p.get(10))
                self.mods[layer.name] = nn.Sequential(m, act) if act else m
            elif layer.kind == "InnerProduct":
                out_c, size = p[0], p[2]
                lin = nn.Linear(size // out_c, out_c, bias=bool(p.get(1, 0)))
                lin.weight.data = torch.from_numpy(reader.tagged(size).reshape(out_c, size // out_c))
                if p.get(1, 0):
                    lin.bias.data = torch.from_numpy(reader.raw(out_c))
                act = _activation(p.get(9, 0), p.get(10))
                self.mods[layer.name] = nn.Sequential(lin, act) if act else lin
            elif layer.kind == "Pooling":
                if not (p.get(0) == 1 and p.get(4) == 1):
                    raise PaintflowError(f"{layer.name}: only global average pooling is supported")
            elif layer.kind == "Scale":
                if p.get(0) != -233:
                    raise PaintflowError(f"{layer.name}: only Scale by a second blob is supported")
            elif layer.kind == "Eltwise":
                if p.get(0, 1) != 1 or p.get(1):
                    raise PaintflowError(f"{layer.name}: only plain Eltwise sum is supported")
            elif layer.kind not in ("Input", "Split", "Crop"):
                raise PaintflowError(f"unsupported ncnn layer type {layer.kind} ({layer.name})")
        if reader.pos != len(reader.data):
            raise PaintflowError(f"{len(reader.data) - reader.pos} bytes left after reading all weights")
        self.input_name = self.layers[0].tops[0]
        self.output_name = self.layers[-1].tops[0]
        self.requires_grad_(False).eval()

    @classmethod
    def from_files(cls, param_path, bin_path) -> NcnnNet:
        try:
            return cls(parse_param(Path(param_path).read_text()), BlobReader(Path(bin_path).read_bytes()))
        except PaintflowError as err:
            raise PaintflowError(f"{param_path}: {err}") from err

    def to_cache(self) -> dict:
        """A plain, ``torch.load(weights_only=True)``-safe form of the converted model."""
        return {"layers": [vars(layer) for layer in self.layers], "state_dict": self.state_dict()}

    @classmethod
    def from_cache(cls, cache: dict) -> NcnnNet:
        net = cls([Layer(**layer) for layer in cache["layers"]])
        net.load_state_dict(cache["state_dict"])
        return net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        blobs = {self.input_name: x}
        for layer in self.layers:
            ins = [blobs[b] for b in layer.bottoms]
            kind = layer.kind
            if kind == "Input":
                continue
            if kind == "Split":
                for top in layer.tops:
                    blobs[top] = ins[0]
                continue
            if kind in ("Convolution", "Deconvolution"):
                out = self.mods[layer.name](ins[0])
            elif kind == "Pooling":
                out = ins[0].mean(dim=(2, 3))
            elif kind == "InnerProduct":
                out = self.mods[layer.name](ins[0].flatten(1))
            elif kind == "Scale":
                out = ins[0] * ins[1][:, :, None, None]
            elif kind == "Crop":
                ox, oy = layer.params.get(0, 0), layer.params.get(1, 0)
                h, w = ins[1].shape[2:]
                out = ins[0][:, :, oy : oy + h, ox : ox + w]
            else:  # Eltwise sum
                out = ins[0] + ins[1]
            blobs[layer.tops[0]] = out
        return blobs[self.output_name]
