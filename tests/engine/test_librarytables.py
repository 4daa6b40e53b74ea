"""The tables library spreads add to a schema (Convex Auth's authTables), as the library defines them."""

from __future__ import annotations

from auditor.engine.librarytables import LIBRARY_TABLES, library_table
from auditor.engine.model import Location
from tests.engine.helpers import project_facts

SCHEMA = {
    "convex/schema.ts": """
        import { defineSchema, defineTable } from "convex/server";
        import { authTables } from "@convex-dev/auth/server";
        import { v } from "convex/values";

        export default defineSchema({
          ...authTables,
          users: defineTable({ name: v.optional(v.string()), email: v.optional(v.string()), role: v.string() }),
          posts: defineTable({ title: v.string() }),
        });
    """,
}


def test_it_marks_the_tables_an_authtables_spread_adds(tmp_path):
    schema = project_facts(tmp_path, SCHEMA).schema
    assert schema is not None
    assert set(LIBRARY_TABLES["authTables"]) <= set(schema.tables)
    assert schema.tables["authAccounts"].library == "authTables"
    # The project's own `users`, defined after the spread, replaces the library's.
    assert schema.tables["users"].library is None
    assert "role" in schema.tables["users"].fields


def test_it_knows_the_documented_fields_and_indexes_of_a_library_table():
    loc = Location("convex/schema.ts", 4, 2, 4, 16)
    users = library_table("authTables", "users", loc)
    assert users is not None and users.library == "authTables"
    assert users.fields["email"].optional and users.fields["email"].validator.inner.kind == "string"
    assert [index.name for index in users.indexes] == ["email", "phone"]
    sessions = library_table("authTables", "authRefreshTokens", loc)
    assert sessions is not None
    assert sessions.fields["sessionId"].validator.table == "authSessions"
    assert library_table("authTables", "posts", loc) is None
    assert library_table("otherTables", "users", loc) is None
