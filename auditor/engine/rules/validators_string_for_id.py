"""Id-named argument or field validated as a string.

What it flags:
    An argument of a Convex function or a field of a schema table named like a reference to a
    table of the schema (`userId` with a `users` table, `channelId` with `channels`,
    `categoryIds` with `categories`, `storageId` for `_storage` where the installed convex
    types storage ids as `Id<"_storage">`, 1.6.2 and later) validated as `v.string()` (or
    `v.array(v.string())` for a plural) instead of `v.id("table")`. Names that carry an outside
    system's id (`stripeCustomerId`, `clerkUserId`, `externalId`, `githubId`...) are left alone,
    and so is a field the project fills from the authenticated identity (`userId:
    identity.subject`), which is an auth-provider id, not a document id, or a field named after
    its own table (`users.userId` holds an outside id: a document needs no reference to itself).
    When the referenced table keys its rows by an outside id (`users` has a string `userId`,
    `clerkId`, `externalId`, `tokenIdentifier`...), or by a string key of its own that an index
    looks up (`chats.initialId`, `pages.slug`: client-made ids, URL slugs), a string reference
    to it may hold that key and is not flagged either.

Why it matters:
    `v.id("users")` checks at run time that the value is an id of that table. With `v.string()`
    a caller can pass an id of another table (Convex ids encode their table; `ctx.db.get` then
    returns a document of the wrong kind) or any string, and TypeScript needs a cast to use it,
    which hides the mistake from the type checker too.

Example:
    export const byChannel = query({
      args: { channelId: v.string() },
      handler: async (ctx, { channelId }) =>
        await ctx.db.query("messages")
          .withIndex("by_channel", (q) => q.eq("channelId", channelId as Id<"channels">))
          .take(50),
    });

Fix:
    Validate the reference as `v.id("channels")` (`v.id("_storage")` for file ids), in `args`
    and in the schema field it is stored in.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.engine.model import ProjectFacts, TableFact, Validator
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo
from auditor.engine.versions import STORAGE_ID_SINCE, at_least

RULE = RuleInfo("validators/string-for-id", "warning", "Id-named value validated as v.string()")

_ID_NAME = re.compile(r"^([a-z][A-Za-z0-9]*?)(Id|Ids|_id|_ids)$")
_EXTERNAL = re.compile(
    r"stripe|clerk|external|github|google|apple|discord|slack|twitter|facebook|auth|provider|customer|"
    r"subscription|price|product|payment|invoice|checkout|token|session|account|oauth|polar|lemon|paddle|"
    r"workos|openai|thread|assistant|vapi|twilio|resend|message_?sid|request|trace|correlation|idempotency|"
    r"device|push|client|tenant|remote|vendor|place|video|track|spotify|youtube",
    re.IGNORECASE)


def _candidates(stem: str) -> list[str]:
    stem = stem.rstrip("_")
    names = [stem, stem + "s", stem + "es"]
    if stem.endswith("y"):
        names.append(stem[:-1] + "ies")
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", stem).lower()
    names += [snake, snake + "s"]
    return [name.lower() for name in names]


def _table_for(name: str, tables: dict[str, str]) -> tuple[str, bool] | None:
    match = _ID_NAME.match(name)
    if match is None or _EXTERNAL.search(match.group(1)):
        return None
    plural = match.group(2) in {"Ids", "_ids"}
    stem = match.group(1)
    if stem.lower() in {"storage", "file"} and "_storage" not in tables:
        return ("_storage", plural) if stem.lower() == "storage" else None
    for candidate in _candidates(stem):
        if candidate in tables:
            return tables[candidate], plural
    return None


def _is_string(validator: Validator, plural: bool) -> bool:
    inner = validator.inner
    if inner.kind == "nullable" and inner.children:
        inner = inner.children[0]
    if plural:
        return inner.kind == "array" and bool(inner.children) and inner.children[0].kind == "string"
    return inner.kind == "string"


EXTERNAL_KEYS = frozenset({"clerkId", "clerkUserId", "externalId", "externalUserId", "tokenIdentifier", "subject",
                           "authId", "authUserId", "providerId"})


# Fields that name who a row belongs to: a string key by one of these is a reference to a person,
# not the table's own second key.
_PERSON_ROLE = re.compile(r"^(user|owner|author|creator|member|sender|recipient|account|person|profile|org|"
                          r"organization|team|workspace|tenant|parent)", re.IGNORECASE)
_OWN_KEY = re.compile(r"^(?:[a-z][A-Za-z0-9]*(?:Id|_id|Key|_key|Uuid|_uuid)|slug|uuid|key|code|handle|shortId)$")


def _own_string_key(fact: TableFact, tables: dict[str, str]) -> bool:
    """The table keys its rows by a string of its own (`chats.initialId`, `docs.slug`) that an index looks up.

    Such tables are addressed by that key as often as by `_id` (client-made ids, URL slugs), so a
    string reference to them may well hold it. A key that names another table, or a person
    (`ownerId`), is a reference held by the row, not the row's own key.
    """
    for index_field in fact.leading_index_fields:
        field = fact.fields.get(index_field)
        if field is None or field.validator.inner.kind != "string" or not _OWN_KEY.match(index_field):
            continue
        if _PERSON_ROLE.match(index_field) or _table_for(index_field, tables) is not None:
            continue
        return True
    return False


def _keyed_by_outside_id(project: ProjectFacts, table: str, name: str, tables: dict[str, str]) -> bool:
    schema = project.schema
    fact = schema.tables.get(table) if schema else None
    if fact is None:
        return False
    for field_name, field in fact.fields.items():
        if (field_name == name or field_name in EXTERNAL_KEYS) and field.validator.inner.kind == "string":
            return True
    return _own_string_key(fact, tables)


def _filled_from_identity(project: ProjectFacts, name: str) -> bool:
    pattern = re.compile(rf"\b{re.escape(name)}\s*[:=]\s*[\w?.!]*\b(?:subject|tokenIdentifier)\b")
    return any(pattern.search(module.source) for module in project.modules.values())


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    schema = project.schema
    if schema is None:
        return
    tables = {name.lower(): name for name in schema.tables}
    # Before convex 1.6.2 storage ids were plain strings: `v.string()` was right for them then.
    storage_ids = at_least(project.convex_version.version if project.convex_version else None,
                           STORAGE_ID_SINCE) is True
    identity_cache: dict[str, bool] = {}

    def flagged(name: str, validator: Validator, own_table: str | None = None) -> str | None:
        found = _table_for(name, tables)
        if found is not None and found[0] == "_storage" and not storage_ids:
            return None
        if found is None or found[0] == own_table or not _is_string(validator, found[1]):
            return None
        if _keyed_by_outside_id(project, found[0], name, tables):
            return None
        if name not in identity_cache:
            identity_cache[name] = _filled_from_identity(project, name)
        return None if identity_cache[name] else found[0]

    for table in schema.tables.values():
        if table.library:
            continue  # a library's own fields: not the project's to change
        for field in table.fields.values():
            target = flagged(field.name, field.validator, table.name)
            if target is not None and field.validator.loc is not None:
                yield report.at(
                    field.validator.loc,
                    f"Field `{table.name}.{field.name}` is validated as a string but names a `{target}` "
                    f"reference; use `v.id(\"{target}\")`.",
                )
    for function in project.functions.values():
        for name, validator in (function.args or {}).items():
            target = flagged(name, validator)
            if target is not None and validator.loc is not None:
                yield report.at(
                    validator.loc,
                    f"Argument `{name}` of `{function.function_id}` is validated as a string but names a "
                    f"`{target}` reference; use `v.id(\"{target}\")` so Convex checks the table.",
                    function=function,
                )
