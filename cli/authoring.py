"""Help for people who write events: ``uspk new KIND`` prints a commented template of a
kind, generated from its model, and ``uspk actors`` lists the actors events may name.

Templates are read from each model's fields and JSON Schema, never written by hand, so
a kind declared later gets its template with no change here. Heavy imports (pydantic,
the models, the store) happen inside the commands: ``uspk --help`` stays fast.
"""

from __future__ import annotations

import json
import textwrap
from typing import Any, get_args

import click

from cli.context import open_session
from cli.kinds import KIND
from cli.params import KNOWN_AT_HELP, MOMENT, format_option

DATE_PLACEHOLDER = "YYYY-MM-DD"
EDTF_MARK = r"^\d{4}"  # how a date field's schema pattern begins (events.model.EDTF_PATTERN)
COMMENT_WIDTH = 88
NUMBER = "a number"
GENERIC_DESCRIPTIONS = ("EDTF date",)  # what _shape says shorter


# -- uspk new ---------------------------------------------------------------------------


@click.command()
@click.argument("kind", type=KIND, required=False)
@click.option("--list", "listing", is_flag=True, help="List the kinds with one line each.")
def new(kind: str | None, listing: bool) -> None:
    """Print a commented YAML template of an event of KIND.

    Replace every <placeholder> (and YYYY-MM-DD), uncomment the optional fields you
    need, then check it with `uspk append --dry-run FILE`. Without KIND, or with
    --list, list the kinds. `uspk actors` lists the actor ids events may name.
    """
    from events.kinds import happening_models, model_for

    if listing or kind is None:
        rows = [
            (m.kind_name(), ", ".join(_own_required(m)) or "-", kind_summary(m))
            for m in happening_models()
        ]
        widths = [max(len(row[i]) for row in rows) for i in (0, 1)]
        for name, fields, what in rows:  # aligned columns: kind, fields to fill, what it is
            click.echo(f"{name:<{widths[0]}}  {fields:<{widths[1]}}  {what}")
        return
    click.echo(template(model_for(kind)), nl=False)


def kind_summary(model: type) -> str:
    """What a kind is, in one sentence: its model's docstring's first, else its label."""
    from events.kinds import label

    doc = " ".join((model.__doc__ or "").split())
    if doc and doc != " ".join(_happening_doc().split()):
        first, stop, _ = doc.partition(". ")
        return first + ("." if stop or not first.endswith(".") else "")
    return label(model.kind_name()).capitalize() + "."


def _own_required(model: type) -> list[str]:
    """The fields a kind requires beyond what every happening carries."""
    return [n for n, f in model.model_fields.items() if f.is_required() and n not in _common()]


def _happening_doc() -> str:
    from events.model import Happening

    return (Happening.__doc__ or "").strip()


def _common() -> set[str]:
    from events.model import Happening

    return {*Happening.model_fields, "kind"}


def template(model: type, values: dict[str, Any] | None = None) -> str:
    """The commented YAML template of ``model``'s kind: required fields to fill, optional
    ones commented out, each with what the schema says of it. ``values`` fills fields in
    (``uspk draft``): a filled field is shown, optional or not; a nested one (a source)
    takes a dict, or a list of one dict, of its own fields."""
    values = values or {}
    schema = model.model_json_schema()
    kind = model.kind_name()
    lines = [
        f"# A new {kind} event. Replace every <placeholder> and {DATE_PLACEHOLDER}; uncomment",
        "# the optional fields you need. Check it with: uspk append --dry-run FILE",
        f"kind: {kind}",
    ]
    fields = [n for n in model.model_fields if n not in ("id", "kind")]
    required = [n for n in fields if model.model_fields[n].is_required()]
    names = ["id", *required, *(n for n in fields if n not in required)]
    for name in names:
        lines += _field_lines(model, name, schema, top_level=True, values=values)
    return "\n".join(lines) + "\n"


def _field_lines(
    model: type, name: str, schema: dict, top_level: bool, values: dict[str, Any] | None = None
) -> list[str]:
    """A field's YAML lines: its comment, its placeholder (or its value from ``values``)
    or nested block; commented out when the field is optional and not filled."""
    info = model.model_fields[name]
    value = (values or {}).get(name)
    inner = value[0] if isinstance(value, list) and value and isinstance(value[0], dict) else value
    prop = _resolve(schema["properties"][name], schema)
    nested = _nested_model(info.annotation)
    if prop.get("type") == "array":
        prop = {**prop, "items": _resolve(_item(prop), schema)}
    required = info.is_required() or name in _either(model) or value is not None  # shown
    sort = _ref_sort(info)
    about = _describe(name, prop, info.is_required(), sort)
    defs = {"$defs": schema.get("$defs", {})}
    given = inner if isinstance(inner, dict) else None
    if nested is not None and "properties" in _item(prop):
        block = [f"{name}:", *_object_lines(nested, {**_item(prop), **defs}, "  - ", given)]
    elif nested is not None and "properties" in prop:
        block = [f"{name}:", *_object_lines(nested, {**prop, **defs}, "  ", given)]
    elif value is not None:
        block = [f"{name}: {json.dumps(value, ensure_ascii=False)}"]
    else:
        block = [f"{name}: {_placeholder(name, prop, sort)}"]
    if top_level:
        block = [*_comment_lines(about), *block]
    else:
        block[0] += f"  # {about}"
    if required:
        return block
    # an optional field is commented out; its description already is a comment
    return [line if line.startswith("#") else f"# {line}" if line else "#" for line in block]


def _either(model: type) -> set[str]:
    """Where the model's schema asks for one of several fields (a source: its title or
    its url), the fields of the first way, shown as fields to fill."""
    alternatives = model.model_json_schema().get("anyOf", [])
    return set(alternatives[0].get("required", [])) if len(alternatives) > 1 else set()


def _object_lines(
    model: type, schema: dict, lead: str, values: dict[str, Any] | None = None
) -> list[str]:
    """The fields of a nested model (a source, an actor), required first, indented under
    their parent; ``lead`` starts the first line ("  - " for a list's item)."""
    either = _either(model)
    names = sorted(
        model.model_fields,
        key=lambda n: not (model.model_fields[n].is_required() or n in either),
    )
    lines = [line for n in names for line in _field_lines(model, n, schema, False, values)]
    indent = " " * len(lead)
    return [lead + lines[0], *(indent + line for line in lines[1:])]


def _nested_model(annotation: Any) -> type | None:
    """The pydantic model a field holds (itself, in a list, or optional), if any."""
    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for inner in get_args(annotation):
        found = _nested_model(inner)
        if found is not None:
            return found
    return None


def _comment_lines(text: str) -> list[str]:
    return textwrap.wrap(text, COMMENT_WIDTH - 2, initial_indent="# ", subsequent_indent="# ")


def _describe(name: str, prop: dict, required: bool, sort: str | None) -> str:
    """What a field holds, in words: description, required or not, its shape."""
    description = prop.get("description") or _item(prop).get("description") or ""
    if sort or description.startswith(GENERIC_DESCRIPTIONS):
        description = ""  # a reference's or a date's generic text says less than its shape
    if description.endswith(".") and not description.endswith(".."):
        description = description[:-1]
    words = [description, _shape(prop, sort), "required" if required else "optional"]
    if prop.get("x-other-forms"):
        words.insert(2, "or another form (uspk schema shows them all)")
    text = "; ".join(w for w in words if w) + "."
    return text[0].upper() + text[1:]


def _shape(prop: dict, sort: str | None) -> str:
    if "enum" in prop:
        return "one of: " + ", ".join(map(str, prop["enum"]))
    if prop.get("type") == "array":
        least = f" (at least {prop['minItems']})" if prop.get("minItems") else ""
        if "properties" in _item(prop):
            return f"a list{least} of entries, each with the fields below"
        return f"a list{least} of: {_shape(_item(prop), sort)}"
    if sort:
        return "an actor id (see uspk actors)" if sort == "actor" else f"the {sort}'s id"
    if _is_date(prop):
        return "a date: YYYY-MM-DD, YYYY-MM or YYYY; a trailing ~ approximate, ? uncertain"
    if prop.get("type") == "boolean":
        return "true or false"
    if "properties" in prop:
        return "the fields below"
    if _is_number(prop):
        return "a number"
    if "pattern" in prop and not prop.get("description"):
        return f"text matching {prop['pattern']}"
    if prop.get("type") == "string":
        return f"text up to {prop['maxLength']} characters" if "maxLength" in prop else "text"
    return ""


def _placeholder(name: str, prop: dict, sort: str | None) -> str:
    """A field's YAML value to replace: quoted, so that it reads as text whatever it says."""
    if prop.get("type") == "array":
        count = max(1, prop.get("minItems", 1))
        item = _placeholder(name, _item(prop), sort)
        return "[" + ", ".join([item] * count) + "]"
    if "const" in prop:
        return json.dumps(prop["const"])
    if "enum" in prop:
        return json.dumps("<" + " | ".join(map(str, prop["enum"])) + ">")
    if _is_number(prop):
        return json.dumps(f"<{name.replace('_', ' ')}: {NUMBER}>")
    if prop.get("type") == "boolean":
        return json.dumps(prop.get("default", False))
    if sort:
        return json.dumps(f"<{sort} id>")
    if name != "id" and _is_slug(prop):  # the id of a thing the event names (a measure...)
        return json.dumps(f"<{name.replace('_', ' ')} id>")
    if _is_date(prop):
        return json.dumps(DATE_PLACEHOLDER)
    return json.dumps(f"<{name.replace('_', ' ')}>")


def _is_slug(prop: dict) -> bool:
    from events.model import SLUG_PATTERN

    return prop.get("pattern") == SLUG_PATTERN


def _resolve(prop: dict, schema: dict) -> dict:
    """A property without its ``| None`` alternative, its $ref followed."""
    alternatives = [p for p in prop.get("anyOf", []) if p.get("type") != "null"]
    if len(alternatives) == 1 or (alternatives and not _is_number(prop)):
        others = {"x-other-forms": len(alternatives) - 1} if len(alternatives) > 1 else {}
        prop = {**alternatives[0], **{k: v for k, v in prop.items() if k != "anyOf"}, **others}
        return _resolve(prop, schema) if "anyOf" in prop or "$ref" in prop else prop
    if "$ref" in prop:
        prop = {**schema["$defs"][prop["$ref"].rsplit("/", 1)[-1]], **prop}
    return prop


def _item(prop: dict) -> dict:
    return prop.get("items", {})


def _is_date(prop: dict) -> bool:
    return str(prop.get("pattern", "")).startswith(EDTF_MARK)


def _is_number(prop: dict) -> bool:
    return prop.get("type") in ("number", "integer") or any(
        p.get("type") == "number" for p in prop.get("anyOf", [])
    )


def _ref_sort(info: Any) -> str | None:
    """What a field refers to ("actor", "agreement", "step"), read from its Ref mark."""
    from events.model import Ref

    def marks(annotation: Any) -> list[str]:
        found = [m.to for m in getattr(annotation, "__metadata__", ()) if isinstance(m, Ref)]
        return found + [s for inner in get_args(annotation) for s in marks(inner)]

    sorts = [m.to for m in info.metadata if isinstance(m, Ref)] + marks(info.annotation)
    return sorts[0] if sorts else None


# -- uspk actors ------------------------------------------------------------------------


@click.command()
@format_option()
@click.option("--known-at", type=MOMENT, help=KNOWN_AT_HELP)
@click.pass_context
def actors(ctx: click.Context, fmt: str, known_at: Any) -> None:
    """The known actors: the ids events name, with names, roles, aliases and the event
    that introduced each."""
    from cli.render import as_json
    from service import reading

    with open_session(ctx) as session:
        listed = reading.actors(session, known_at)
    if fmt == "json":
        click.echo(as_json(listed))
        return
    for actor in listed:
        click.echo(_actor_text(actor))


def _actor_text(actor: dict[str, Any]) -> str:
    where = ", ".join(v for v in (actor["type"], actor.get("country")) if v)
    lines = [f"{actor['id']}  {actor['name']} ({where})"]
    if actor.get("role"):
        lines.append(f"    role: {actor['role']}")
    if actor.get("aliases"):
        lines.append(f"    aliases: {', '.join(actor['aliases'])}")
    lines.append(f"    introduced by: {actor['introduced_by'] or 'unknown'}")
    return "\n".join(lines)
