"""The painted look's settings as dataclasses whose defaults are read from the schema (the one source of them)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from paintflow.config import schema_default


def _from_config(cls, cfg: dict | None, overrides: dict):
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in {**(cfg or {}), **overrides}.items() if k in names})


@dataclass
class StyleSettings:
    """Everything that shapes a painted frame (config ``stylize:``)."""

    content_layer: str = schema_default("stylize", "content_layer")
    style_layers: tuple = schema_default("stylize", "style_layers")
    content_weight: float = schema_default("stylize", "content_weight")
    style_weight: float = schema_default("stylize", "style_weight")
    tv_weight: float = schema_default("stylize", "tv_weight")
    temporal_weight: float = schema_default("stylize", "temporal_weight")
    temporal: bool = schema_default("stylize", "temporal")
    init: str = schema_default("stylize", "init")
    temporal_init: str = schema_default("stylize", "temporal_init")
    warp_interpolation: str = schema_default("stylize", "warp_interpolation")
    optimizer: str = schema_default("stylize", "optimizer")
    learning_rate: float = schema_default("stylize", "learning_rate")
    iterations: int = schema_default("stylize", "iterations")
    first_frame_iterations: int = schema_default("stylize", "first_frame_iterations")
    tolerance: float = schema_default("stylize", "tolerance")
    min_iterations: int = schema_default("stylize", "min_iterations")
    stop_change: float = schema_default("stylize", "stop_change")
    stop_peak: float = schema_default("stylize", "stop_peak")
    stop_style: float = schema_default("stylize", "stop_style")
    stop_window: int = schema_default("stylize", "stop_window")
    style_scale: float = schema_default("stylize", "style_scale")
    seed: int = schema_default("stylize", "seed")
    levels: list = schema_default("stylize", "levels")
    precision: str = schema_default("stylize", "precision")
    segments: int = schema_default("stylize", "segments")
    preserve_color: str = schema_default("stylize", "preserve_color")
    long_term: list = schema_default("stylize", "long_term")
    passes: int = schema_default("stylize", "passes")
    pass_iterations: int = schema_default("stylize", "pass_iterations")
    pass_blend: float = schema_default("stylize", "pass_blend")
    pass_temporal_from: int = schema_default("stylize", "pass_temporal_from")
    overlap: int = schema_default("stylize", "overlap")
    layer_weights: dict = field(default_factory=dict)

    def __post_init__(self):
        self.style_layers = tuple(self.style_layers)

    @classmethod
    def from_config(cls, cfg: dict | None = None, **overrides) -> StyleSettings:
        return _from_config(cls, cfg, overrides)

    def work_of(self, t: int) -> float:
        """Optimiser iterations of frame t in full-size equivalents (a level at scale s costs s² as much)."""
        return self.iterations_of(t) + sum(lv["iterations"] * lv["scale"] ** 2 for lv in self.levels)

    def iterations_of(self, t: int) -> int:
        """Optimiser iterations frame ``t`` gets (frame 1, and every frame without temporal, get more)."""
        return self.iterations if (self.temporal and t > 1) else self.first_frame_iterations
