"""The API reference page, rendered on the server from the OpenAPI document.

Swagger UI (kept as the "console" for trying calls) fails axe (nested interactive controls,
contrast); the reference that every user reads is plain DSFR HTML built from the same
document, so what it says cannot drift from what the API does.
"""

from dataclasses import dataclass, field
from functools import lru_cache

from drf_spectacular.generators import SchemaGenerator

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str  # "path" or "query"
    type: str
    required: bool
    description: str


@dataclass(frozen=True)
class Property:
    name: str
    type: str
    description: str


@dataclass
class Operation:
    anchor: str
    method: str
    path: str
    summary: str
    description: str
    parameters: list[Parameter] = field(default_factory=list)
    response: str = ""  # the name of the response schema
    properties: list[Property] = field(default_factory=list)


@dataclass
class Tag:
    name: str
    operations: list[Operation] = field(default_factory=list)


def _ref_name(schema: dict) -> str:
    ref = schema.get("$ref") or schema.get("items", {}).get("$ref", "")
    return ref.rsplit("/", 1)[-1]


def _type(schema: dict, components: dict) -> str:
    if "$ref" in schema:
        target = components.get(_ref_name(schema), {})
        if "enum" in target:
            return "texte parmi : " + ", ".join(str(v) for v in target["enum"])
        return f"objet {_ref_name(schema)}"
    if "allOf" in schema:
        return _type(schema["allOf"][0], components)
    kind = schema.get("type", "objet")
    if kind == "array":
        return f"liste de ({_type(schema.get('items', {}), components)})"
    names = {"integer": "entier", "string": "texte", "number": "nombre", "boolean": "booléen"}
    label = names.get(kind, kind)
    if schema.get("format") == "date":
        label = "date (AAAA-MM-JJ)"
    elif schema.get("format") == "date-time":
        label = "date et heure (ISO 8601)"
    if "enum" in schema:
        label += " parmi : " + ", ".join(str(v) for v in schema["enum"] if v is not None)
    if schema.get("nullable"):
        label += ", ou null"
    return label


def _properties(name: str, components: dict) -> list[Property]:
    schema = components.get(name, {})
    if name.startswith("Paginated"):
        schema = components.get(_ref_name(schema["properties"]["results"]), {})
    return [
        Property(key, _type(value, components), value.get("description", ""))
        for key, value in schema.get("properties", {}).items()
    ]


def build(document: dict) -> list[Tag]:
    """Operations of an OpenAPI 3 document grouped by tag, in the document's order.

    Returns [Tag(name, operations=[Operation(...)])]; a response schema's fields are listed
    (for a paginated list, the fields of one result).
    """
    components = document.get("components", {}).get("schemas", {})
    tags: dict[str, Tag] = {}
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if not operation:
                continue
            response = operation.get("responses", {}).get("200", {})
            schema = response.get("content", {}).get("application/json", {}).get("schema", {})
            response_name = _ref_name(schema)
            entry = Operation(
                anchor=operation["operationId"],
                method=method.upper(),
                path=path,
                summary=operation.get("summary", ""),
                description=operation.get("description", ""),
                parameters=[
                    Parameter(
                        p["name"],
                        p["in"],
                        _type(p.get("schema", {}), components),
                        bool(p.get("required")),
                        p.get("description", "").split("\n\n")[0],
                    )
                    for p in operation.get("parameters", [])
                ],
                response=response_name,
                properties=_properties(response_name, components) if response_name else [],
            )
            tag = (operation.get("tags") or ["API"])[0]
            tags.setdefault(tag, Tag(tag)).operations.append(entry)
    return list(tags.values())


@lru_cache(maxsize=1)
def reference() -> list[Tag]:
    """The API's own reference (the document only changes with the code: computed once)."""
    return build(SchemaGenerator().get_schema(request=None, public=True))
