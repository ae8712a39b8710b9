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
    warp_check: float = schema_default("stylize", "warp_check")
    new_iterations: int | None = schema_default("stylize", "new_iterations")
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
    stop_new: bool = schema_default("stylize", "stop_new")
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
        """The most optimiser iterations frame t may take, in full-size equivalents (a level at scale s costs
        s² as much; a temporal frame that is all new takes up to ``new_iterations``)."""
        return self.iterations_of(t, new=1.0) + sum(lv["iterations"] * lv["scale"] ** 2 for lv in self.levels)

    @property
    def reads_previous_source(self) -> bool:
        """Whether a temporal frame reads the source frame before it (``warp_check``, the ``residual`` start)."""
        return bool(self.warp_check) or self.temporal_init == "residual"

    def iterations_of(self, t: int, new: float = 0.0) -> int:
        """The most optimiser iterations frame ``t`` gets (frame 1, and every frame without temporal, get
        more); a temporal frame whose share ``new`` (0-1) has nothing reliable to carry over gets more too,
        up to ``new_iterations`` for a frame that is all new."""
        if not (self.temporal and t > 1):
            return self.first_frame_iterations
        return self.iterations + round(max(self.new_ceiling - self.iterations, 0) * min(max(new, 0.0), 1.0))

    @property
    def new_ceiling(self) -> int:
        """``new_iterations``, or by default 4 × iterations, never more than a shot's first frame gets."""
        return new_ceiling(self.new_iterations, self.iterations, self.first_frame_iterations)


def new_ceiling(new_iterations: int | None, iterations: int, first_frame_iterations: int) -> int:
    """The most iterations of a temporal frame that is all new (see ``StyleSettings.iterations_of``)."""
    if new_iterations is not None:
        return new_iterations
    return min(4 * iterations, max(first_frame_iterations, iterations))
