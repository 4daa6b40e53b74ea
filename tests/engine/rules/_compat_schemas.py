"""Schema versions the compat/* tests pair up."""

from __future__ import annotations


def schema(users: str, extra: str = "") -> dict[str, str]:
    """A project whose schema has a `users` table with the given fields (and more tables)."""
    return {"convex/schema.ts": f"""
import {{ defineSchema, defineTable }} from "convex/server";
import {{ v }} from "convex/values";

export default defineSchema({{
  users: defineTable({{
{users}
  }}),
{extra}
}});
"""}


def functions(body: str) -> dict[str, str]:
    return {"convex/messages.ts": f"""
import {{ mutation, query, internalMutation }} from "./_generated/server";
import {{ v }} from "convex/values";

{body}
"""}
