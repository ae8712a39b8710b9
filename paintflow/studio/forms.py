"""The new-render form: defaults and limits come from the schema, like everything else; the looks and
their settings' fields come from the looks themselves (``Look.form``, typed by each look's schema.yaml),
so a look added to paintflow/looks (or $PAINTFLOW_LOOKS) is in the form without an edit here."""

from __future__ import annotations

import re

from django import forms
from django.core.validators import RegexValidator

from ..config import defaults, resolve, section_schema
from ..delivery import FORMATS
from ..registry import LOOKS
from . import project

FIRST_LOOK = "fast"  # offered first: seconds per frame, a result before anything else


def look_choices() -> list[tuple[str, str]]:
    names = sorted(LOOKS, key=lambda n: (n != FIRST_LOOK, n))
    return [(n, f"{n} — {LOOKS[n].description}") for n in names]


class ParsedField(forms.CharField):
    """A setting typed as text and read by the look's own parser (a zoom's layers over time)."""

    def __init__(self, parse, **kwargs):
        super().__init__(**kwargs)
        self.parse = parse

    def clean(self, value):
        value = super().clean(value)
        if value:
            try:
                self.parse(value)
            except ValueError as err:
                raise forms.ValidationError(str(err)) from None
        return value


def setting_field(look, key: str, label: str, parse=None):
    """(form field, value → config value) for one setting of a look, from its schema (``key``: of its own
    section, or "<section>.<key>" of a section it takes settings from: the layer sheet's "dream.octaves";
    ``parse``: the look's reader of the text typed, for a setting no plain field holds)."""
    section, key = key.split(".") if "." in key else (look.section, key)
    prop = resolve(section_schema(section)["properties"][key])
    if parse is not None:
        return ParsedField(
            parse, required=False, label=f"{look.name}: {label}", help_text=prop.get("description", "")
        ), parse
    branch = next((b for b in prop.get("oneOf", []) if b.get("type") == "integer"), prop)  # e.g. a built-in style
    types = branch.get("type") if isinstance(branch.get("type"), list) else [branch.get("type")]
    common = {"required": False, "label": f"{look.name}: {label}", "help_text": prop.get("description", "")}
    limits = {k: branch[s] for k, s in (("min_value", "minimum"), ("max_value", "maximum")) if s in branch}
    default = prop.get("default")
    if "enum" in prop:
        choices = [(str(v), str(v)) for v in prop["enum"]]
        return forms.ChoiceField(choices=choices, initial=default, **common), str
    if "propertyNames" in prop:  # weighted names (a dream's layers): one chosen, weight 1
        choices = [(v, layer_words(v)) for v in resolve(prop["propertyNames"])["enum"]]
        first = next(iter(default or {}), None)
        return forms.ChoiceField(choices=choices, initial=first, **common), lambda v: {v: 1.0}
    if "array" in types:  # numbers in a row (paint's long_term): "1, 2, 4"
        numbers = RegexValidator(r"^\s*\d+(\s*,\s*\d+)*\s*$", "numbers separated by commas, e.g. 1, 2, 4")
        text = ", ".join(str(v) for v in default or [])
        return forms.CharField(initial=text, validators=[numbers], **common), lambda v: [int(x) for x in v.split(",")]
    if "boolean" in types:
        return forms.BooleanField(initial=default, **common), bool
    if "integer" in types:
        return forms.IntegerField(initial=default, **limits, **common), int
    if "number" in types:
        return forms.FloatField(initial=default, **limits, **common), float
    return forms.CharField(initial=default, **common), str


# what a dream on a layer of each block of the network brings out, for the form (the values stay the layers)
LAYER_WORDS = {
    "1": "colours and fine lines",
    "2": "strokes and edges",
    "3": "textures and patterns",
    "4": "shapes: eyes, scales, arches",
    "5": "things: faces, animals, buildings",
}


def layer_words(layer: str) -> str:
    """ "relu4_2" → "relu4_2 — shapes: eyes, scales, arches" (a layer's name, and what it dreams of)."""
    block = next((c for c in layer if c.isdigit()), "")
    return f"{layer} — {LAYER_WORDS[block]}" if block in LAYER_WORDS else layer


def field_name(look: str, key: str) -> str:
    """The form field of a look's setting: fast__style, layer_sheet__dream__octaves."""
    return f"{look}__{key.replace('.', '__')}"


def look_fields() -> dict:
    """{field name: (look, settings key, form field, converter)} of every look's offered settings."""
    out = {}
    for name, look in LOOKS.items():
        for key, label, *parse in look.form:  # (key, label) or (key, label, the look's parser of its text)
            field, convert = setting_field(look, key, label, *parse)
            out[field_name(name, key)] = (look, key, field, convert)
    return out


class ManyFiles(forms.ClearableFileInput):
    allow_multiple_selected = True


class ManyFilesField(forms.FileField):
    """Several files in one field (a look that learns from many paintings)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, widget=ManyFiles(), **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        return [super(ManyFilesField, self).clean(f, initial) for f in files]


def looks_that(wanted) -> str:
    """The names of the looks ``wanted(look)`` is true of, as the page's data-look attribute lists them."""
    return " ".join(name for name, look in LOOKS.items() if wanted(look))


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


def width_field():
    return forms.IntegerField(initial=320, **limits("videos", "width"), help_text="processing width in pixels")


def upscale_field():
    return forms.TypedChoiceField(choices=[(1, "off"), (2, "2x (waifu2x)")], coerce=int, initial=1)


def formats_field(label: str, help_text: str):
    """The delivery formats to tick (the H.264 .mp4 is always made)."""
    return forms.MultipleChoiceField(
        choices=[(n, f"{n} — {f.for_whom}") for n, f in FORMATS.items()],
        initial=defaults("encode")["formats"],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=label,
        help_text=help_text,
    )


class NewRenderForm(forms.Form):
    name = forms.CharField(
        max_length=60, help_text="letters and digits, words joined by _ (e.g. bird_paint): the render's folder"
    )
    video = forms.ChoiceField(required=False, help_text="a video already in the project")
    video_upload = forms.FileField(required=False, label="or upload a video")
    start = forms.FloatField(initial=0.0, min_value=0, help_text="seconds")
    duration = forms.FloatField(required=False, min_value=0.01, help_text="seconds (empty: to the end)")
    width = width_field()
    fps = forms.FloatField(required=False, min_value=0.1, max_value=240, help_text="empty: the video's own")
    look = forms.ChoiceField(choices=look_choices, initial=FIRST_LOOK)
    painting = forms.MultipleChoiceField(
        required=False,
        label="style painting",
        help_text="from the gallery (a look that learns from several: tick them)",
    )
    painting_upload = ManyFilesField(required=False, label="or upload paintings")
    song_upload = forms.FileField(
        required=False, label="song", help_text="its sound drives the look (empty: the video's own sound)"
    )
    smooth = forms.ChoiceField(
        required=False,
        label="smoothing over time",
        help_text="blend: mix in the previous frame; flow_blend: warped along the motion first (less ghosting); "
        "gradient: only the colours and shading follow the previous frame, every stroke is the frame's own",
    )
    key = forms.BooleanField(required=False, label="paint only the performer (green-screen key)")
    background = forms.ChoiceField(required=False, help_text="keyed: what the painted performer goes over")
    upscale = upscale_field()
    formats = formats_field(
        "deliver as", "each a file (png, exr: a folder of frames) beside the render's .mp4, which is always made"
    )
    layers = forms.BooleanField(
        required=False,
        label="keyed: also the performer alone (with alpha) and the background, as layers for the editor",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.settings = look_fields()
        for name, (look, _, field, _) in self.settings.items():
            field.look = look.name  # the page shows a look's fields when that look is chosen
            self.fields[name] = field
        methods = section_schema("smooth")["properties"]["method"]["enum"]
        self.fields["smooth"].choices = [("", "the look's own")] + [(m, m) for m in methods]
        self.fields["smooth"].look = looks_that(lambda look: look.smooths)
        self.fields["song_upload"].look = looks_that(lambda look: look.sound)
        self.fields["painting_upload"].look = self.painted_looks
        self.fields["video"].choices = video_choices()
        self.fields["painting"].choices = [("", "—")] + [(str(p), p.name) for p in project.paintings()]
        from .models import Render

        self.fields["background"].choices = [("original", "the original footage")] + [
            (f"render:{r.name}", f"the render {r.name}") for r in Render.objects.all()
        ]

    # the cards of the page, by field name (the painting is the gallery's radio buttons, drawn apart: a second
    # field named "painting" — the dropdown a substring test let through — sent "" after the click and won)
    FOOTAGE = ("name", "video", "video_upload", "start", "duration", "width", "fps")
    LOOK = (
        "painting_upload",
        "song_upload",
        "smooth",
        "key",
        "background",
        "upscale",
    )  # and each look's own settings (look_fields)

    @property
    def footage_fields(self):
        return [self[n] for n in self.FOOTAGE]

    @property
    def pictured_looks(self):
        """Looks with a picture of their choices (the fast look's built-in styles), for the form."""
        return [(name, look) for name, look in LOOKS.items() if look.choices is not None]

    @property
    def look_fields(self):
        return [self[n] for n in (*self.settings, *self.LOOK)]

    def look_settings(self, data: dict) -> dict:
        """{settings key: config value} of the chosen look's fields that were filled in."""
        out = {}
        for name, (look, key, _, convert) in self.settings.items():
            if look.name == data.get("look") and data.get(name) not in (None, ""):
                out[key] = convert(data[name])
        return out

    def clean_name(self):
        return check_new_name(self.cleaned_data["name"])

    def clean(self):
        data = super().clean()
        if not data.get("video") and not data.get("video_upload"):
            self.add_error("video", "choose a video, or upload one")
        if data.get("layers") and not data.get("key"):
            self.add_error("layers", 'layers need the key: tick "paint only the performer"')
        elif data.get("layers") and not any(FORMATS[f].alpha for f in data.get("formats") or []):
            alpha = ", ".join(n for n, f in FORMATS.items() if f.alpha)
            self.add_error("formats", f"the performer layer needs a format with alpha: {alpha}")
        look = LOOKS.get(data.get("look"))
        chosen = len(data.get("painting") or []) + len(data.get("painting_upload") or [])
        if look and look.paintings and not chosen:
            self.add_error("painting", f"the {look.name} look learns from paintings: tick several, or upload them")
        elif look and look.painting_required and not chosen:
            self.add_error("painting", f"the {look.name} look needs a style painting: click one, or upload one")
        elif look and not (look.paintings or look.blend) and chosen > 1:
            self.add_error("painting", f"the {look.name} look paints with one painting: choose one")
        return data

    @property
    def painted_looks(self) -> str:
        """The looks that take a painting (the gallery and the upload are shown for them alone)."""
        return looks_that(lambda look: look.painting or look.blend or look.paintings)

    @property
    def many_paintings(self) -> str:
        """The looks that take several paintings, to learn from or blended (the gallery's tick boxes for them)."""
        return looks_that(lambda look: look.paintings or look.blend)


def video_choices() -> list[tuple[str, str]]:
    """The videos of the project and the sample clips paintflow comes with, for a form's dropdown."""
    return (
        [("", "—")]
        + [(p.name, p.name) for p in project.videos()]
        + [(project.SAMPLE + p.name, f"{p.name} (a sample clip)") for p in project.sample_videos()]
    )


def check_new_name(name: str) -> str:
    """A new render's or timeline's name: a config key, not taken by an entry or a folder of the project."""
    from .models import Render

    if not re.fullmatch(r"[A-Za-z0-9]+(_[A-Za-z0-9]+)*", name):
        raise forms.ValidationError(
            f"{name!r}: use letters and digits, words joined by single _ (e.g. {plain_name(name)!r})"
        )
    if Render.objects.filter(name=name).exists() or project.render_dir(name).exists():
        raise forms.ValidationError(f"a render called {name!r} exists already")
    return name


class NewTimelineForm(forms.Form):
    """A timeline: an edit (one video) whose shots are each given a look on its page."""

    name = forms.CharField(max_length=60, help_text="letters and digits, words joined by _ (e.g. band_video)")
    video = forms.ChoiceField(required=False, help_text="the edit, exported from the video editor")
    video_upload = forms.FileField(required=False, label="or upload it")
    width = width_field()
    cut_list = forms.FileField(
        required=False,
        label="the editor's cut list",
        help_text="a CMX 3600 .edl, a Final Cut Pro 7 .xml or an OpenTimelineIO .otio of the same edit: its shots "
        "and dissolves exactly (empty: the shots are found in the picture)",
    )
    cuts = forms.CharField(
        required=False,
        label="or where its shots start",
        help_text='frame numbers or times of the video, e.g. "41, 12.5s, 1:02.5"',
        validators=[RegexValidator(r"^[\s\d.,:sS]*$", 'frame numbers or times, separated by commas: "41, 12.5s"')],
    )
    upscale = upscale_field()
    formats = formats_field("deliver the master as", "each a file beside the master's .mp4, which is always made")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["video"].choices = video_choices()

    def clean_name(self):
        return check_new_name(self.cleaned_data["name"])

    def clean(self):
        data = super().clean()
        if not data.get("video") and not data.get("video_upload"):
            self.add_error("video", "choose a video, or upload one")
        if data.get("cut_list") and data.get("cuts"):
            self.add_error("cuts", "give the cut list or where the shots start, not both")
        return data

    def cut_frames(self) -> list:
        """The cuts typed, as the config takes them: numbers as frames, the rest as times."""
        items = [x.strip() for x in (self.cleaned_data.get("cuts") or "").split(",") if x.strip()]
        return [int(x) if x.isdigit() else x for x in items]


class OpenConfigForm(forms.Form):
    name = forms.SlugField(max_length=60)
    config = forms.CharField(
        max_length=1000, help_text="renders/<folder>/config.yaml: a render is a folder of its own under renders/"
    )
