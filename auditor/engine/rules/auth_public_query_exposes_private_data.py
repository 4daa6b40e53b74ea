"""Public query that hands out private fields to anyone.

What it flags:
    A public `query` that checks no identity (neither the handler, the project helpers it calls
    nor its custom builder's context) and returns documents, or fields of documents, of a table
    whose schema holds private fields: `email`, `phone`, `tokenIdentifier`, `stripeCustomerId`,
    and names made of the words `password`, `secret`, `token` or `address` (`resetToken`,
    `ipAddress`, `contactEmail`, `phoneNumber`). Only fields that hold strings count: a
    `tokenCount: v.number()` or `emailVerified: v.boolean()` gives nothing away. The tables
    Convex Auth's `authTables` adds count as the library defines them (`users.email`,
    `users.phone`). Reported at the returned value, naming the table and the fields.

    Returned values are followed across functions and files: a handler given by reference
    (`handler: listUsers`, imported from another module), a project function whose result is
    returned (`return await getAll(ctx)`, where `getAll` returns `ctx.db.query("users").collect()`,
    or takes the database: `db: DatabaseReader`), callbacks that keep the documents (`rows.map((u)
    => u)`, `rows.filter(...)`) and documents read by an array of ids the caller sends
    (`Promise.all(args.ids.map((id) => ctx.db.get(id)))` with `ids: v.array(v.id("users"))`).

    Not flagged when the handler projects the private fields away (`users.map((u) => ({ name:
    u.name }))`, `const { email, ...rest } = user`, `{ ...user, email: undefined }`), in the
    handler or in the function it calls, returns ids or counts only, or hands the documents to
    code the auditor cannot see (a library, a callback given by name), and never for a function
    whose builder's context is out of sight. Tables
    named as public (`publicProfiles`) hold what the project chose to publish and are not
    judged, nor queries the caller unlocks with a secret argument of their own (`sessionToken`,
    `token`, `sessionId`, `code`, `inviteCode`): holding it is the project's own identity check.

Why it matters:
    A public query is an endpoint anyone can call with any arguments, from a script, without
    the app's UI. Whatever it returns is public: every user's email address and phone number,
    password hashes, API tokens, Stripe customer ids. Scraping a user list this way is the most
    common data leak of Convex apps, and it is invisible in the UI, which shows only names.

Example:
    export const list = query({
      args: {},
      handler: async (ctx) => await ctx.db.query("users").collect(),
    });

Fix:
    Return only what the page needs: `users.map((u) => ({ _id: u._id, name: u.name }))`. When
    the caller must be someone in particular, check it first:
    `const userId = await getAuthUserId(ctx); if (!userId) throw new ConvexError("Unauthenticated");`
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.engine.derive import has_unresolved_helpers, schema_for
from auditor.engine.extract import BASE_BUILDERS
from auditor.engine.model import FunctionFact, ProjectFacts, ReturnedRead, SchemaFact, TableFact, Validator
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("auth/public-query-exposes-private-data", "error", "Public query returning private fields")

PRIVATE_NAMES = frozenset({"email", "phone", "tokenidentifier", "stripecustomerid"})
PRIVATE_WORDS = frozenset({"password", "passwd", "secret", "token", "address"})
CONTACT_WORDS = frozenset({"email", "emails", "phone", "phones"})
CREDENTIAL_WORDS = frozenset({"token", "session", "secret", "password", "passcode", "otp"})
CODE_PURPOSES = frozenset({"invite", "invitation", "access", "share", "verification", "verify", "auth", "magic",
                           "reset", "join", "login"})
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def is_private_field(name: str, validator: Validator) -> bool:
    """A field whose name says it holds contact details or a credential, and whose value is text."""
    if not _holds_text(validator):
        return False
    if name.lower() in PRIVATE_NAMES:
        return True
    words = _words(name)
    if not words:
        return False
    if PRIVATE_WORDS.intersection(words):
        return True
    # contactEmail, phoneNumber, email_address; not emailTemplate or phoneVerifiedAt.
    return words[-1] in CONTACT_WORDS or (words[0] in CONTACT_WORDS and words[-1] in {"number", "numbers"})


def _words(name: str) -> list[str]:
    return [word.lower() for word in _WORDS.findall(name)]


def _holds_text(validator: Validator) -> bool:
    if validator.kind == "string":
        return True
    if validator.kind in {"optional", "nullable", "array", "union"}:
        return any(_holds_text(child) for child in validator.children)
    return False


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for function_id, reads in project.returned_reads.items():
        function = project.functions.get(function_id)
        if function is None or not _unguarded_public_query(project, function):
            continue
        schema = schema_for(project, function.path)
        if schema is None:
            continue
        for read in sorted(reads, key=lambda r: (r.loc.path != function.path, r.loc.path, r.loc.line, r.loc.column)):
            table = _table(schema, read)
            if table is None or "public" in _words(table.name):
                continue  # publicProfiles: a table the project keeps for publishing
            private = _exposed_private(table, read)
            if not private:
                continue
            fields = ", ".join(f"`{name}`" for name in private)
            what = "documents" if read.fields is None else "the field" + ("s" if len(private) > 1 else "")
            yield report.at(
                read.loc,
                f"The public query `{function.function_id}` checks no identity and returns {what} of "
                f'"{table.name}" with {fields} to anyone who calls it; return only the fields the page needs '
                "(map the documents to them) or check who is calling first.",
                function=function,
            )
            break


def _unguarded_public_query(project: ProjectFacts, function: FunctionFact) -> bool:
    if function.kind != "query" or function.visibility != "public" or function.body is None:
        return False
    if function.builder not in BASE_BUILDERS and function.custom_context is None:
        return False  # a custom builder whose context (and its checks) is out of sight
    if any(_is_credential_argument(name, validator) for name, validator in (function.args or {}).items()):
        return False  # the caller proves who they are with a secret: a session token, an invite token
    bodies = project.function_bodies(function)
    return not any(body.auth_checks for body in bodies) and not has_unresolved_helpers(project, bodies)


def _is_credential_argument(name: str, validator: Validator) -> bool:
    """An argument only its holder knows (``sessionToken``, ``token``, ``sessionId``, ``inviteCode``)."""
    if not _holds_text(validator):
        return False
    words = _words(name)
    return bool(CREDENTIAL_WORDS.intersection(words)) or words == ["code"] or (
        len(words) >= 2 and words[-1] == "code" and words[0] in CODE_PURPOSES)


def _table(schema: SchemaFact, read: ReturnedRead) -> TableFact | None:
    table = schema.tables.get(read.table)
    if table is None or read.via is None:
        return table
    holder = table.fields.get(read.via)
    if holder is None:
        return None
    target = holder.validator
    while target.kind in {"optional", "nullable"} and target.children:
        target = target.children[0]
    return schema.tables.get(target.table) if target.kind == "id" and target.table else None


def _exposed_private(table: TableFact, read: ReturnedRead) -> list[str]:
    names = read.fields if read.fields is not None else frozenset(table.fields) - read.removed
    return sorted(name for name in names
                  if name in table.fields and is_private_field(name, table.fields[name].validator))
