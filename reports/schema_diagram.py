"""The schema as a Mermaid ER diagram: tables with their fields, and `v.id` references as edges."""

from __future__ import annotations

import re
from typing import Any

_UNSAFE = re.compile(r"[^A-Za-z0-9_]+")


def _ident(text: str) -> str:
    cleaned = _UNSAFE.sub("_", text).strip("_") or "x"
    return cleaned if not cleaned[0].isdigit() else f"t_{cleaned}"


def _type(label: str) -> str:
    # Mermaid attribute types allow only word characters; id("users") becomes id_users.
    return _ident(label.replace('"', "")) or "any"


def mermaid_schema(schema: dict[str, Any], max_fields: int = 25) -> str:
    lines = ["erDiagram"]
    tables = schema.get("tables") or []
    names = {t.get("name") for t in tables}
    for table in tables:
        lines.append(f"  {_ident(table['name'])} {{")
        fields = table.get("fields") or []
        for field in fields[:max_fields]:
            key = ' FK' if field.get("references") else ''
            comment = ' "optional"' if field.get("optional") else ''
            lines.append(f"    {_type(field.get('type') or 'any')} {_ident(field['name'])}{key}{comment}")
        if len(fields) > max_fields:
            lines.append(f"    more {_ident(f'and_{len(fields) - max_fields}_more')}")
        if not fields:
            lines.append("    any _id")
        lines.append("  }")
    for ref in schema.get("references") or []:
        target = ref.get("to")
        if not target:
            continue
        if target not in names:
            lines.append(f"  {_ident(target)} {{\n    any _id\n  }}")
            names.add(target)
        label = _ident(ref.get("field") or "ref")
        lines.append(f'  {_ident(ref["from"])} }}o--|| {_ident(target)} : "{label}"')
    return "\n".join(lines)


def diagram_data(schema: dict[str, Any]) -> dict[str, Any]:
    """What the page's script needs to redraw the diagram (whole, or one table and its
    neighbours): table names with their fields, and the references."""
    return {
        "tables": [
            {"name": table.get("name") or "", "fields": [
                {key: field.get(key) for key in ("name", "type", "optional", "references")}
                for field in table.get("fields") or []
            ]}
            for table in schema.get("tables") or []
        ],
        "references": [
            {key: ref.get(key) for key in ("from", "field", "to")} for ref in schema.get("references") or []
        ],
    }
