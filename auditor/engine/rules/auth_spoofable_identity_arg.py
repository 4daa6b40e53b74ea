"""Access decided by a client-supplied identity argument.

What it flags:
    In a public query, mutation or action, an argument that names the caller or their rights
    (`userId`, `ownerId`, `email`, `role`, `isAdmin`...) used to decide access:

    * compared with a document's ownership field (`doc.ownerId !== args.userId`) or, for a role,
      with a literal (`args.role === "admin"`);
    * used as a condition when it is a privilege flag (`if (args.isAdmin)`);
    * written as the owner of a document (`{ authorId: args.userId }`) by a function that never
      checks the caller's identity.

    An argument is spoofable only where it stands for the caller: the subject of the access
    decision, or the owner of what is written. A role or flag that the function sets (an
    invitation writing `{ role }`, an admin's `setRole({ userId, role })` patching it or handing
    it to a helper that does) or looks up (`.eq("role", args.role)`) is the value being set or
    asked about: writing it is not flagged, and comparing it with a literal validates input.
    Nor is an address written as a document's `email` (a contact's, an invitation's): only
    fields naming who owns, wrote or made the document (`userId`, `ownerId`, `authorId`,
    `createdBy`...) take the caller's identity.
    An argument the handler first compares with the authenticated identity
    (`args.userId !== identity.subject`, `user._id !== args.userId`), or hands to a project
    helper that checks the identity (`await assertIsUser(ctx, args.userId)`), is verified and
    not flagged.
    Internal functions are not flagged: only the backend can call them.

Why it matters:
    Arguments come from the client and can be anything. A check against `args.userId` proves
    only that the caller knows a user id; anyone can edit another user's document, read their
    data or grant themselves a role by sending a different value. Convex's guidance: take the
    user from `ctx.auth.getUserIdentity()`, never from arguments.

Example:
    export const deleteNote = mutation({
      args: { noteId: v.id("notes"), userId: v.id("users") },
      handler: async (ctx, { noteId, userId }) => {
        const note = await ctx.db.get(noteId);
        if (note?.ownerId !== userId) throw new Error("Forbidden");
        await ctx.db.delete(noteId);
      },
    });

Fix:
    Drop the argument and derive the user on the server: `const identity = await
    ctx.auth.getUserIdentity()` (or your `getCurrentUser(ctx)` helper), then compare the
    document's owner with that user's id.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.argflow import FLAG_ARGS, ROLE_ARGS
from auditor.engine.derive import function_checks_auth
from auditor.engine.model import BodyFacts, ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("auth/spoofable-identity-arg", "warning", "Access decided by a client-supplied identity argument")


def _verified_by_helpers(project: ProjectFacts, body: BodyFacts) -> set[str]:
    """Arguments handed to a project helper that checks the caller's identity."""
    verified: set[str] = set()
    calls = {(call.loc.line, call.loc.column): call for call in body.helper_calls}
    for use in body.arg_uses:
        if use.kind != "passed":
            continue
        call = calls.get((use.loc.line, use.loc.column))
        if call is None or call.target is None or call.target not in project.bodies:
            continue
        if any(reached.auth_checks for reached in project.reachable_bodies(project.bodies[call.target])):
            verified.add(use.arg)
    if "*" in verified:
        verified |= {use.arg for use in body.arg_uses}
    return verified


def _is_literal(detail: str) -> bool:
    return detail[:1] in {"'", '"'} or detail in {"True", "False"}


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for function in project.functions.values():
        if function.visibility != "public" or function.kind not in {"query", "mutation", "action"}:
            continue
        body = function.body
        if body is None or not body.arg_uses:
            continue
        # Without a (readable) validator every argument comes from the client.
        declared = set(function.args) if function.args is not None else None
        verified = {use.arg for use in body.arg_uses if use.kind == "verified"}
        verified |= _verified_by_helpers(project, body)
        stored = {use.arg for use in body.arg_uses if use.kind in {"owner_write", "written"}}
        # A role handed on (to a helper that sets it, to an index lookup) is a value, not a claim.
        stored |= {use.arg for use in body.arg_uses if use.kind == "passed" and use.arg in ROLE_ARGS | FLAG_ARGS}
        checks_auth: bool | None = None
        for use in body.arg_uses:
            if use.kind in {"verified", "passed", "written"} or use.arg in verified:
                continue
            if use.arg in stored and (use.kind == "test" or (use.kind == "compare" and _is_literal(use.detail))):
                continue  # a role being assigned, checked as input
            if declared is not None and use.arg not in declared:
                continue
            if use.kind == "owner_write":
                if checks_auth is None:
                    checks_auth = function_checks_auth(project, function)
                if checks_auth:
                    continue
                message = (f"`{function.function_id}` writes the client-supplied `{use.arg}` as the document's "
                           f"`{use.detail}` without checking who the caller is; anyone can act as any user. "
                           "Take the user from `ctx.auth.getUserIdentity()`.")
            elif use.kind == "test":
                message = (f"`{function.function_id}` grants access on the client-supplied flag `{use.arg}`; any "
                           "caller can send `true`. Derive the privilege from the authenticated user.")
            else:
                message = (f"`{function.function_id}` decides access by comparing the client-supplied `{use.arg}` "
                           f"with `{use.detail}`; a caller can send any value. Compare with the authenticated "
                           "user from `ctx.auth.getUserIdentity()` instead.")
            yield report.at(use.loc, message, function=function)
