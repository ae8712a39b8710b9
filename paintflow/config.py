"""The render configuration: validated against ``schemas/config.schema.yaml``, defaults filled in
from that schema (the one source of defaults), errors said in a few lines.

The workflow, ``paintflow plan``, the settings dataclasses and the studio all read the config
through :func:`prepare`, so a config that leaves a setting out plans and renders the same value.
"""

from __future__ import annotations

import copy
import difflib
import functools
from pathlib import Path

import yaml

from . import PaintflowError

REPO = Path(__file__).resolve().parents[1]
SCHEMA_PATH = REPO / "schemas" / "config.schema.yaml"


@functools.cache
def schema() -> dict:
    """The config's schema: the shared sections of ``schemas/config.schema.yaml``, and each look's own —
    its name in the list of looks, its settings section (global and per render) and the keys it adds
    to a render — from the look's folder (:mod:`paintflow.looks`)."""
    from .looks import schema_of
    from .registry import LOOKS

    core = yaml.safe_load(SCHEMA_PATH.read_text())
    render = core["$defs"]["render"]["properties"]
    names = sorted(LOOKS, key=lambda n: (n != render["look"]["default"], n))  # the default first
    render["look"] = {
        "enum": names,
        "default": render["look"]["default"],
        "description": "; ".join(f"{n}: {LOOKS[n].description}" for n in names),
    }
    sections = {}
    for name in names:
        look, own = LOOKS[name], schema_of(LOOKS[name])
        if "settings" in own:
            ref = f"#/$defs/{look.section}"
            core["$defs"][look.section] = own["settings"]
            sections[look.section] = {"$ref": ref, "default": {}}
            render[look.section] = {
                "$ref": ref,
                "x-overrides": True,
                "description": f"overrides of the global {look.section} settings",
            }
        render.update(own.get("render", {}))
    props = list(core["properties"].items())
    at = [k for k, _ in props].index("masks") + 1  # the looks' sections after the shared per-video ones
    core["properties"] = dict(props[:at] + list(sections.items()) + props[at:])
    return core


def resolve(node: dict) -> dict:
    """A schema node with its $ref followed (and its own keys on top)."""
    while "$ref" in node:
        target = schema()
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def section_schema(*path: str) -> dict:
    """The (resolved) schema of a config section, e.g. ``section_schema("stylize")``."""
    node = resolve(schema())
    if path and path[0] not in node["properties"]:  # a section only defined in $defs (e.g. a video's matte)
        node, path = resolve(schema()["$defs"][path[0]]), path[1:]
    for key in path:
        node = resolve(node["properties"][key])
    return node


def defaults(*path: str) -> dict:
    """Default values of every property of a section that has one."""
    props = section_schema(*path).get("properties", {})
    return {k: copy.deepcopy(resolve(v)["default"]) for k, v in props.items() if "default" in resolve(v)}


def _fill(node_schema: dict, value):
    """Fill schema defaults into ``value`` (in place), not inside ``x-overrides`` sections."""
    node_schema = resolve(node_schema)
    if not isinstance(value, dict) or node_schema.get("x-overrides"):
        return value
    for key, sub in node_schema.get("properties", {}).items():
        sub = resolve(sub)
        if key not in value and "default" in sub and not sub.get("x-overrides"):
            value[key] = copy.deepcopy(sub["default"])
        if key in value:
            _fill(sub, value[key])
    extra = node_schema.get("additionalProperties")
    if isinstance(extra, dict):
        for key, item in value.items():
            if key not in node_schema.get("properties", {}):
                _fill(extra, item)
    return value


def _where(path) -> str:
    return ".".join(str(p) for p in path) or "(top level)"


def _message(err) -> str:
    """One or two lines saying the key, where it is, and what is allowed."""
    where = _where(err.absolute_path)
    if err.validator == "additionalProperties":
        allowed = sorted(resolve(err.schema).get("properties", {}))
        extra = sorted(set(err.instance) - set(allowed))
        keys = ", ".join(repr(k) for k in extra)
        place = f"in {where}" if err.absolute_path else "at the top level"
        close = [m for k in extra for m in difflib.get_close_matches(k, allowed, n=1, cutoff=0.5)]
        guess = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
        hint = f"\n  allowed keys {place}: {', '.join(allowed)}" if allowed else ""
        return f"unknown key {keys} {place}{guess}{hint}"
    if err.validator == "required":
        return f"{where}: {err.message}"
    if err.validator == "enum":
        return f"{where} = {err.instance!r} is not one of: {', '.join(map(str, err.validator_value))}"
    if err.validator in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        word = {
            "minimum": "below the minimum",
            "exclusiveMinimum": "not above",
            "maximum": "above the maximum",
            "exclusiveMaximum": "not below",
        }[err.validator]
        return f"{where} = {err.instance!r} is {word} {err.validator_value}"
    if err.validator == "type":
        return f"{where} = {err.instance!r} must be of type {err.validator_value}"
    if err.validator == "pattern" and isinstance(err.instance, str):
        return f"{where} = {err.instance!r} does not match the pattern {err.validator_value}"
    if err.validator == "propertyNames":
        return f"{where}: name {err.instance!r} is not allowed (letters, digits and single underscores)"
    if err.validator in ("minItems", "minProperties"):
        return f"{where} must not be empty"
    return f"{where}: {err.message}"


def validate(config: dict) -> None:
    """Raise PaintflowError naming the first problem (key, place, allowed values) in ≤ 5 lines."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema())
    errors = sorted(validator.iter_errors(config), key=lambda e: (len(e.absolute_path), list(map(str, e.path))))
    if errors:
        best = jsonschema.exceptions.best_match(errors, key=jsonschema.exceptions.relevance)
        raise PaintflowError(f"config: {_message(best)}")


def prepare(config: dict) -> dict:
    """Validate ``config`` and return a copy with every default filled in."""
    raw = copy.deepcopy(dict(config))
    validate(raw)
    if not raw.get("renders") and not raw.get("timelines"):
        raise PaintflowError("config: nothing to make: give renders: (a look over a video) or timelines:")
    _look_smoothing(raw)
    return _fill(schema(), raw)


def _look_smoothing(config: dict) -> None:
    """Each render's ``smooth:`` over its look's own smoothing (Look.smoothing: the keyframe look's flow
    blend), the render's keys winning (``smooth: {method: none}`` turns it off)."""
    from .registry import LOOKS

    for r in (config.get("renders") or {}).values():
        look = LOOKS.get(r.get("look")) if isinstance(r, dict) else None
        if look is not None and look.smoothing:
            r["smooth"] = {**look.smoothing, **(r.get("smooth") or {})}


def load(configfile, overrides: dict | None = None) -> dict:
    """Read, validate and fill a config file (as the workflow sees it)."""
    path = Path(configfile)
    if not path.is_file():
        raise PaintflowError(f"config file not found: {path}")
    try:
        config = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as err:
        raise PaintflowError(f"{path}: not valid YAML: {str(err).splitlines()[0]}") from err
    if not isinstance(config, dict):
        raise PaintflowError(f"{path}: the config must be a mapping of sections (videos:, renders:, …)")
    config.update(overrides or {})
    return prepare(config)


def absolute_paths(config: dict, base) -> dict:
    """The config with every path-typed setting (``format: path`` in the schema: the videos, paintings,
    images, songs, cut lists, models, results) made absolute from ``base``, the config's folder."""
    import re

    base = Path(base).resolve()

    def walk(node: dict, value):
        node = resolve(node)
        if isinstance(value, str):
            if node.get("format") == "path" and value != node.get("x-keyword"):
                return value if Path(value).is_absolute() else str(base / value)
            for branch in map(resolve, node.get("oneOf", [])):  # e.g. a cut list's file, a fast style's painting
                if branch.get("format") == "path" and re.search(branch.get("pattern", ""), value):
                    return walk(branch, value)
            return value
        if isinstance(value, dict):
            props, extra = node.get("properties", {}), node.get("additionalProperties")
            return {
                k: walk(props[k], v) if k in props else walk(extra, v) if isinstance(extra, dict) else v
                for k, v in value.items()
            }
        if isinstance(value, list) and isinstance(node.get("items"), dict):
            return [walk(node["items"], v) for v in value]
        return value

    return walk(schema(), config)


def schema_default(section: str, name: str):
    """A dataclass field whose default is the schema's default of ``section.name``."""
    from dataclasses import field

    return field(default_factory=lambda: defaults(section)[name])


def look_settings(config: dict, render: dict, *sections: str) -> dict:
    """A render's settings of these sections, in order (a look's base sections, then its own): schema
    defaults ← global section ← the render's overrides."""
    out = {}
    for section in sections:
        out.update({**defaults(section), **config.get(section, {}), **render.get(section, {})})
    return out
