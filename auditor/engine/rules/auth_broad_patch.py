"""Patch or replace with the whole args object.

What it flags:
    In a public mutation, `ctx.db.patch(id, ...)` or `ctx.db.replace(id, ...)` given the
    handler's whole args object, an object spreading it (`{ ...args }`) or the rest of it
    (`const { id, ...fields } = args`), when the caller can set fields they should not:

    * the args are not bounded by a validator (no `args`, `args: v.any()` or a record), so any
      field can be written; or
    * the written arguments include ownership or privilege fields (`userId`, `ownerId`, `role`,
      `isAdmin`, `plan`, `credits`...).

    The common Convex pattern `const { id, ...rest } = args; await ctx.db.patch(id, rest)` with
    a precise `args` validator of ordinary fields is not flagged.

Why it matters:
    Whatever reaches the write lands in the document. With unbounded args, a caller adds
    `ownerId`, `role` or `balance` to the request and the mutation writes it; with a privilege
    field among the args, the same happens through the validator. Convex's guidance is to write
    the fields the function means to change, by name.

Example:
    export const updateProfile = mutation({
      args: { id: v.id("users"), name: v.string(), role: v.string() },
      handler: async (ctx, { id, ...fields }) => {
        await ctx.db.patch(id, fields);
      },
    });

Fix:
    Write the intended fields explicitly (`await ctx.db.patch(id, { name: fields.name })`),
    validate `args` precisely, and set ownership and roles from the authenticated user or in an
    internal/admin function.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.model import ProjectFacts, Validator
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("auth/broad-patch", "warning", "ctx.db.patch/replace with the whole args object")

PRIVILEGED_FIELDS = frozenset({
    "userId", "ownerId", "authorId", "creatorId", "createdBy", "role", "roles", "isAdmin", "admin", "isOwner",
    "isModerator", "permissions", "plan", "tier", "credits", "balance", "isVerified", "verified", "emailVerified",
    "tokenIdentifier", "stripeCustomerId", "subscriptionStatus",
})
_FORMS = {"whole": "the whole args object", "spread": "a spread of args", "rest": "the rest of args"}


def _unbounded(validator: Validator | None, has_args: bool) -> bool:
    if not has_args:
        return True
    if validator is None:
        return False
    # A v.any() argument only lets the caller choose that field's value (validators/any-in-public-args
    # reports it); the set of fields written stays bounded.
    return validator.kind in {"any", "record"}


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for function in project.functions.values():
        if function.visibility != "public" or function.kind != "mutation" or function.body is None:
            continue
        for write in function.body.args_writes:
            if write.method not in {"patch", "replace"}:
                continue
            validator = function.args_validator
            if _unbounded(validator, function.has_args):
                reason = "its args are not bounded by a validator, so a caller can set any field"
            elif validator is not None and validator.kind == "object":
                written = sorted((set(validator.fields) - write.excluded) & PRIVILEGED_FIELDS)
                if not written:
                    continue
                reason = f"a caller can set {', '.join(f'`{name}`' for name in written)} through it"
            else:
                continue
            yield report.at(
                write.loc,
                f"`ctx.db.{write.method}` in `{function.function_id}` writes {_FORMS[write.form]}: {reason}. "
                "Write the intended fields by name.",
                function=function,
            )
