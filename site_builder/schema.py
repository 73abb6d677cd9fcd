"""JSON Schema of the front matter, for editors (yaml-language-server) and ``briefs schema``."""

from __future__ import annotations

import json
from typing import Any

from site_builder.fields import DATE_PATTERN, FIELDS, SLUG_PATTERN, FieldSpec
from site_builder.model import Corpus

_TEXT = {"type": "string", "minLength": 1}


def _property(spec: FieldSpec, corpus: Corpus | None) -> dict[str, Any]:
    prop: dict[str, Any]
    if spec.kind == "text":
        prop = dict(_TEXT)
    elif spec.kind == "text-or-list":
        prop = {"anyOf": [_TEXT, {"type": "array", "items": _TEXT, "minItems": 1}]}
    elif spec.kind == "list":
        items: dict[str, Any] = dict(_TEXT)
        if corpus is not None and spec.name == "themes":
            items = {"enum": list(corpus.themes)}
        elif corpus is not None and spec.name == "regions":
            items = {"enum": list(corpus.regions)}
        prop = {"type": "array", "items": items, "minItems": 1, "uniqueItems": True}
    elif spec.kind == "date":
        prop = {"type": "string", "pattern": DATE_PATTERN}
    elif spec.kind == "bool":
        prop = {"type": "boolean"}
    elif spec.kind == "choice":
        prop = {"enum": list(spec.choices)}
    elif spec.kind == "language":
        prop = {"type": "string", "pattern": "^[a-z]{2}$"}
    else:
        prop = {"type": "string", "pattern": SLUG_PATTERN}
    prop["description"] = spec.description
    return prop


def front_matter_schema(corpus: Corpus | None = None) -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12); with a corpus, theme and region ids are enums."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://country-briefs.invalid/brief-front-matter.schema.json",
        "title": "Country brief front matter",
        "type": "object",
        "additionalProperties": False,
        "required": [name for name, spec in FIELDS.items() if spec.required],
        "properties": {name: _property(spec, corpus) for name, spec in FIELDS.items()},
    }


def schema_json(corpus: Corpus | None = None) -> str:
    """Return the schema as indented, stable JSON text."""
    return json.dumps(front_matter_schema(corpus), indent=2, ensure_ascii=False) + "\n"
