"""Gatys et al. (2016) style/content losses, total variation and the temporal
loss of Ruder et al. (2016), written from the papers' formulas."""

from __future__ import annotations

import torch


def gram(features: torch.Tensor) -> torch.Tensor:
    """Normalised Gram matrix F Fᵀ / (C·H·W) of activations (1, C, H, W)."""
    _, c, h, w = features.shape
    f = features.reshape(c, h * w)
    return f @ f.t() / (c * h * w)


def relative_mse(value: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """mean((value − target)²) / mean(target²).

    VGG activations differ by orders of magnitude between layers; dividing by the
    target's energy makes every layer's loss start near 1, so the weights in
    config are relative and transfer between resolutions and weight files.
    """
    return torch.mean((value - target) ** 2) / energy(target)


def energy(target: torch.Tensor) -> torch.Tensor:
    """mean(target²), relative_mse's denominator (never zero)."""
    return torch.mean(target**2) + 1e-12


def content_loss(features: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return relative_mse(features, target)


class _GramLoss(torch.autograd.Function):
    """relative_mse(gram(F), A) with a hand-written backward: autograd differentiates F Fᵀ as a product of
    two tensors (two matrix products, F's gradient from each side), while the Gram is symmetric and so is
    the loss's gradient with respect to it, dL/dF = 2 (dL/dG) F / (C·H·W): one matrix product. The Gram
    products are the largest cost of an iteration after the convolutions."""

    @staticmethod
    def forward(ctx, features, target):
        _, c, h, w = features.shape
        diff = gram(features) - target
        denom = energy(target)
        ctx.save_for_backward(features, diff)
        ctx.scale = 2.0 / (c * c * denom * c * h * w)
        return torch.mean(diff**2) / denom

    @staticmethod
    def backward(ctx, grad):
        features, diff = ctx.saved_tensors
        f = features.reshape(diff.shape[0], -1)
        # dL/dG = 2·diff / (C²·denom), symmetric → dL/dF = (dL/dG + dL/dGᵀ) F / n, in F's memory layout
        # (channels-last activations are Fᵀ in memory: the product is then formed as Fᵀ·diff)
        d = diff * (grad * 2 * ctx.scale)  # scaled on the small C×C side, not on the C×HW result
        out = torch.mm(f.t(), d).t() if f.stride(0) == 1 else torch.mm(d, f)
        return out.reshape(features.shape), None


def gram_loss(features: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """relative_mse(gram(features), target), with one matrix product in the backward pass instead of two."""
    return _GramLoss.apply(features, target)


def style_loss(features: dict, targets: dict, weights: dict) -> torch.Tensor:
    """Σ_l w_l · relative_mse(G(F_l), A_l) over the style layers."""
    return sum(weights[name] * gram_loss(features[name], targets[name]) for name in targets)


def tv_loss(image: torch.Tensor) -> torch.Tensor:
    """Squared total variation of an image (N, C, H, W) in [0, 1]."""
    dx = image[..., :, 1:] - image[..., :, :-1]
    dy = image[..., 1:, :] - image[..., :-1, :]
    return torch.mean(dx**2) + torch.mean(dy**2)


def temporal_loss(image: torch.Tensor, warped_prev: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """mean(c · (x − warp(x_{t−1}))²) over all pixels and channels; c in [0, 1]."""
    return torch.mean(mask * (image - warped_prev) ** 2)


def long_term_weights(masks: list[torch.Tensor]) -> list[torch.Tensor]:
    """Ruder et al.'s long-term weights, for masks c_j ordered by increasing j: a pixel counts for frame t-j
    only where no closer frame already covers it reliably, c_long,j = max(c_j - Σ_{k<j} c_k, 0)."""
    out, covered = [], torch.zeros_like(masks[0])
    for c in masks:
        out.append(torch.clamp(c - covered, min=0.0))
        covered = covered + c
    return out


def long_term_loss(image: torch.Tensor, warped: list[torch.Tensor], masks: list[torch.Tensor]) -> torch.Tensor:
    """Σ_j mean(c_long,j · (x − warp_j(x_{t−j}))²)."""
    return sum(temporal_loss(image, w, c) for w, c in zip(warped, long_term_weights(masks)))
