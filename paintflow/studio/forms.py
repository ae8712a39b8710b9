"""The new-render form: defaults and limits come from the schema, like everything else."""

from __future__ import annotations

import re

from django import forms

from ..config import defaults, section_schema
from ..delivery import FORMATS
from . import project

LOOKS = [
    ("fast", "fast — a feed-forward style, a fraction of a second per frame"),
    ("paint", "painted — optimisation, minutes per frame, the best pictures"),
    ("dream", "dream — DeepDream on every frame"),
    ("music", "music — the fast styles walked through by the video's own sound"),
]
LAYERS = ["relu3_3", "relu4_1", "relu4_2", "relu4_3", "relu5_1", "relu5_2"]


def plain_name(text: str) -> str:
    """A render name the config accepts, made from what was typed (bird-paint → bird_paint)."""
    return "_".join(re.findall(r"[A-Za-z0-9]+", text)) or "render"


def limits(section: str, key: str) -> dict:
    prop = (
        section_schema(section)["properties"][key]
        if section != "videos"
        else section_schema("videos")["additionalProperties"]["properties"][key]
    )
    out = {}
    if "minimum" in prop:
        out["min_value"] = prop["minimum"]
    if "maximum" in prop:
        out["max_value"] = prop["maximum"]
    return out


class NewRenderForm(forms.Form):
    name = forms.CharField(
        max_length=60, help_text="letters and digits, words joined by _ (e.g. bird_paint): the render's folder"
    )
    video = forms.ChoiceField(required=False, help_text="a video already in the project")
    video_upload = forms.FileField(required=False, label="or upload a video")
    start = forms.FloatField(initial=0.0, min_value=0, help_text="seconds")
    duration = forms.FloatField(required=False, min_value=0.01, help_text="seconds (empty: to the end)")
    width = forms.IntegerField(initial=320, **limits("videos", "width"), help_text="processing width in pixels")
    fps = forms.FloatField(required=False, min_value=0.1, max_value=240, help_text="empty: the video's own")
    look = forms.ChoiceField(choices=LOOKS, initial="fast")
    painting = forms.ChoiceField(required=False, label="style painting", help_text="from the gallery")
    painting_upload = forms.FileField(required=False, label="or upload a painting")
    fast_style = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=25,
        label="built-in fast style",
        help_text="0-25, used by the fast look when no painting is chosen",
    )
    iterations = forms.IntegerField(
        initial=defaults("stylize")["iterations"],
        **limits("stylize", "iterations"),
        help_text="painted: optimiser iterations per frame",
    )
    style_weight = forms.FloatField(
        initial=defaults("stylize")["style_weight"], min_value=0, help_text="painted: how strongly the style is imposed"
    )
    layer = forms.ChoiceField(choices=[(x, x) for x in LAYERS], initial="relu4_2", help_text="dream: the layer")
    key = forms.BooleanField(required=False, label="paint only the performer (green-screen key)")
    background = forms.ChoiceField(required=False, help_text="keyed: what the painted performer goes over")
    upscale = forms.TypedChoiceField(choices=[(1, "off"), (2, "2x (waifu2x)")], coerce=int, initial=1)
    formats = forms.MultipleChoiceField(
        choices=[(n, f"{n} — {f.for_whom}") for n, f in FORMATS.items()],
        initial=defaults("encode")["formats"],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="deliver as",
        help_text="each a file (png, exr: a folder of frames) beside the render's .mp4, which is always made",
    )
    layers = forms.BooleanField(
        required=False,
        label="keyed: also the performer alone (with alpha) and the background, as layers for the editor",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["video"].choices = [("", "—")] + [(p.name, p.name) for p in project.videos()]
        self.fields["painting"].choices = [("", "—")] + [(str(p), p.name) for p in project.paintings()]
        from .models import Render

        self.fields["background"].choices = [("original", "the original footage")] + [
            (f"render:{r.name}", f"the render {r.name}") for r in Render.objects.all()
        ]

    # the cards of the page, by field name (the painting is the gallery's radio buttons, drawn apart: a second
    # field named "painting" — the dropdown a substring test let through — sent "" after the click and won)
    FOOTAGE = ("name", "video", "video_upload", "start", "duration", "width", "fps")
    LOOK = ("painting_upload", "fast_style", "iterations", "style_weight", "layer", "key", "background", "upscale")

    @property
    def footage_fields(self):
        return [self[n] for n in self.FOOTAGE]

    @property
    def look_fields(self):
        return [self[n] for n in self.LOOK]

    def clean_name(self):
        from .models import Render

        name = self.cleaned_data["name"]
        if not re.fullmatch(r"[A-Za-z0-9]+(_[A-Za-z0-9]+)*", name):
            raise forms.ValidationError(
                f"{name!r}: use letters and digits, words joined by single _ (e.g. {plain_name(name)!r})"
            )
        if Render.objects.filter(name=name).exists() or project.render_dir(name).exists():
            raise forms.ValidationError(f"a render called {name!r} exists already")
        return name

    def clean(self):
        data = super().clean()
        if not data.get("video") and not data.get("video_upload"):
            self.add_error("video", "choose a video, or upload one")
        if data.get("layers") and not data.get("key"):
            self.add_error("layers", 'layers need the key: tick "paint only the performer"')
        elif data.get("layers") and not any(FORMATS[f].alpha for f in data.get("formats") or []):
            alpha = ", ".join(n for n, f in FORMATS.items() if f.alpha)
            self.add_error("formats", f"the performer layer needs a format with alpha: {alpha}")
        if data.get("look") == "paint" and not data.get("painting") and not data.get("painting_upload"):
            self.add_error("painting", "the painted look needs a style painting")
        return data


class OpenConfigForm(forms.Form):
    name = forms.SlugField(max_length=60)
    config = forms.CharField(
        max_length=1000, help_text="renders/<folder>/config.yaml: a render is a folder of its own under renders/"
    )
