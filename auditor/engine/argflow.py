"""How a handler uses its arguments where access is decided: facts for the auth rules.

The handler's second parameter is its args object. Its aliases are followed through
destructuring (``(ctx, { userId, ...rest })`` or ``const { id, ...fields } = args``) and plain
copies (``const userId = args.userId``). Four kinds of use are recorded (``ArgUse``):

Comparisons and conditions count at the handler's own level; inside a nested callback
(``rows.filter((row) => row.userId === args.userId)``) they select data rather than gate access.

* ``compare``: an identity-like argument (``userId``, ``role``, ``email``...) compared with ``===``,
  ``!==``, ``==`` or ``!=`` against an ownership field of a document (``doc.ownerId``,
  ``post.authorId``) or, for roles, against a literal (``args.role === "admin"``);
* ``test``: a privilege flag argument (``isAdmin``, ``isOwner``...) used as a condition;
* ``owner_write``: an argument naming a person written into a field naming who owns, wrote or
  made the document, by ``ctx.db.insert``/``patch``/``replace`` (``{ authorId: args.userId }``);
* ``written``: any other identity-like argument stored as data by a write: a role or flag being
  set (``{ role: args.role }`` in an invitation or an admin's role change), an address stored as
  a contact's ``email``. Comparing it with a literal then validates input rather than the caller;
* ``verified``: the argument compared with the authenticated identity (``identity.subject``,
  ``user._id``, ``identity.email``...), which makes the other uses of that argument safe;
* ``passed``: the argument (or the whole args object, as ``"*"``) handed to a function call,
  e.g. ``await assertOwner(ctx, args.userId)``; a rule decides whether that helper verifies it.

``ArgsWrite`` records ``ctx.db.insert``/``patch``/``replace`` given the whole args object, an
object spreading it, or a rest element of it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from auditor.engine.js import FUNCTION_TYPES, Node, member_path, property_name, unwrap
from auditor.engine.model import ArgsWrite, ArgUse, Location
from auditor.engine.walk import Visit

if TYPE_CHECKING:
    from auditor.engine.extract.drafts import BodyDraft

Locate = Callable[[Node], Location]

IDENTITY_ARGS = frozenset({
    "userId", "ownerId", "authorId", "creatorId", "createdBy", "uid", "userEmail", "email", "role", "roles",
    "isAdmin", "admin", "isOwner", "isModerator", "isSuperAdmin", "isStaff", "permissions", "tokenIdentifier",
    "subject", "clerkId", "clerkUserId",
})
ROLE_ARGS = frozenset({"role", "roles", "permissions"})
FLAG_ARGS = frozenset({"isAdmin", "admin", "isOwner", "isModerator", "isSuperAdmin", "isStaff"})
OWNER_FIELDS = frozenset({
    "userId", "ownerId", "authorId", "creatorId", "createdBy", "owner", "ownerEmail", "email", "userEmail",
    "role", "roles", "tokenIdentifier", "clerkId", "clerkUserId", "uid", "user", "author", "creator",
})
# Fields whose written value says who owns, wrote or made a document. A role or an address written
# is the value being set (an admin changing a member's role, a contact's email), not its owner.
OWNER_WRITE_FIELDS = OWNER_FIELDS - {"role", "roles", "email"}
# Roots and fields that name the authenticated caller: comparing an argument with them verifies it.
IDENTITY_ROOTS = frozenset({"identity", "ident", "auth", "viewer", "me", "currentUser", "authUser", "sessionUser",
                            "caller", "session", "user", "self", "requester", "actor"})
IDENTITY_FIELDS = frozenset({"subject", "tokenIdentifier", "_id"})
EQUALITY = frozenset({"===", "!==", "==", "!="})
WRITES = {"insert": 1, "patch": -1, "replace": -1}


class _Aliases:
    def __init__(self) -> None:
        self.whole: set[str] = set()
        self.fields: dict[str, str] = {}  # local name -> argument name
        self.rests: dict[str, frozenset[str]] = {}  # rest local -> names destructured beside it
        self.objects: dict[str, Node] = {}  # local const -> object literal it was given

    def pattern(self, node: Node) -> None:
        if node.type == "Identifier":
            self.whole.add(node.name)
            return
        if node.type != "ObjectPattern":
            return
        taken: set[str] = set()
        for prop in node.properties:
            if prop.type == "RestElement" and prop.argument.type == "Identifier":
                self.rests[prop.argument.name] = frozenset(taken)
                continue
            if prop.type != "Property":
                continue
            key = property_name(prop)
            value = prop.value.left if prop.value.type == "AssignmentPattern" else prop.value
            if key is not None:
                taken.add(key)
                if value.type == "Identifier":
                    self.fields[value.name] = key

    def arg_of(self, node: Node | None) -> str | None:
        node = unwrap(node)
        if node is None:
            return None
        if node.type == "Identifier":
            return self.fields.get(node.name)
        if node.type == "MemberExpression":
            path = member_path(node)
            if path and len(path) == 2 and path[0] in self.whole:
                return path[1]
        return None


# The node kinds ``analyse_args`` reads.
ARG_KINDS = frozenset({"VariableDeclarator", "BinaryExpression", "IfStatement", "ConditionalExpression",
                       "LogicalExpression", "UnaryExpression", "CallExpression"})


def analyse_args(fn: Node, body: BodyDraft, ctx_aliases: dict[str, tuple[str, ...]], loc: Locate,
                 visits: list[Visit]) -> None:
    """Fill ``body.arg_uses`` and ``body.args_writes`` for a handler ``(ctx, args) => ...`` from the
    visits of the kinds in ``ARG_KINDS`` of the walk of its body (``walk.visit(fn.body, function=fn)``),
    in their order."""
    if len(fn.params) < 2:
        return
    param = fn.params[1]
    if param.type == "AssignmentPattern":
        param = param.left
    aliases = _Aliases()
    aliases.pattern(param)
    for at in visits:  # destructuring and copies of args inside the body
        node = at.node
        if node.type != "VariableDeclarator" or node.init is None:
            continue
        init = unwrap(node.init)
        if init is not None and init.type == "Identifier" and init.name in aliases.whole:
            aliases.pattern(node.id)
        elif node.id.type == "Identifier":
            arg = aliases.arg_of(init)
            if arg is not None:
                aliases.fields[node.id.name] = arg
            elif init is not None and init.type == "ObjectExpression":
                aliases.objects[node.id.name] = init
    if not aliases.whole and not aliases.fields and not aliases.rests:
        return
    # An expression body that is itself a function (`(ctx, args) => async () => ...`) is all callback.
    all_nested = fn.body.type in FUNCTION_TYPES
    for at in visits:
        node = at.node
        kind = node.type
        if (at.nested or all_nested) and kind != "CallExpression":
            continue  # `rows.filter((r) => r.userId === userId)` selects data, it does not gate access
        if kind == "BinaryExpression" and node.operator in EQUALITY:
            _comparison(aliases, node, body, loc)
        elif kind in {"IfStatement", "ConditionalExpression"}:
            _test(aliases, node.test, body, loc)
        elif kind == "LogicalExpression" and node.operator in {"&&", "||"}:
            _test(aliases, node.left, body, loc)
            _test(aliases, node.right, body, loc)
        elif kind == "UnaryExpression" and node.operator == "!":
            _test(aliases, node.argument, body, loc)
        elif kind == "CallExpression":
            _write(aliases, node, body, ctx_aliases, loc)
            _passed(aliases, node, body, loc)


def _comparison(aliases: _Aliases, node: Node, body: BodyDraft, loc: Locate) -> None:
    for side, other in ((node.left, node.right), (node.right, node.left)):
        arg = aliases.arg_of(side)
        if arg is None or arg not in IDENTITY_ARGS:
            continue
        other = unwrap(other)
        if other is None or aliases.arg_of(other) is not None:
            continue
        if other.type == "Literal":
            if arg in ROLE_ARGS | FLAG_ARGS and isinstance(other.value, str | bool):
                body.arg_uses.append(ArgUse("compare", arg, loc(node), repr(other.value)))
            continue
        path = member_path(other)
        if not path or len(path) < 2:
            continue
        if path[0] in IDENTITY_ROOTS or path[-1] in IDENTITY_FIELDS:
            body.arg_uses.append(ArgUse("verified", arg, loc(node), ".".join(path)))
        elif path[-1] in OWNER_FIELDS:
            body.arg_uses.append(ArgUse("compare", arg, loc(node), ".".join(path)))


def _passed(aliases: _Aliases, call: Node, body: BodyDraft, loc: Locate) -> None:
    callee = call.callee.expression if call.callee.type == "ChainExpression" else call.callee
    if callee.type not in {"Identifier", "MemberExpression"}:
        return
    for argument in call.arguments:
        argument = unwrap(argument)
        if argument is None:
            continue
        if argument.type == "Identifier" and argument.name in aliases.whole:
            body.arg_uses.append(ArgUse("passed", "*", loc(call)))
            continue
        arg = aliases.arg_of(argument)
        if arg is not None and arg in IDENTITY_ARGS:
            body.arg_uses.append(ArgUse("passed", arg, loc(call)))


def _test(aliases: _Aliases, node: Node | None, body: BodyDraft, loc: Locate) -> None:
    arg = aliases.arg_of(node)
    if arg is not None and arg in FLAG_ARGS:
        body.arg_uses.append(ArgUse("test", arg, loc(node)))


def _write(aliases: _Aliases, call: Node, body: BodyDraft, ctx_aliases: dict[str, tuple[str, ...]],
           loc: Locate) -> None:
    callee = call.callee.expression if call.callee.type == "ChainExpression" else call.callee
    path = member_path(callee)
    if not path or path[0] not in ctx_aliases:
        return
    full = [*ctx_aliases[path[0]], *path[1:]]
    if len(full) != 2 or full[0] != "db" or full[1] not in WRITES or len(call.arguments) < 2:
        return
    method = full[1]
    value = unwrap(call.arguments[WRITES[method]])
    if value is None:
        return
    if value.type == "Identifier" and value.name in aliases.objects:
        value = aliases.objects[value.name]
    if value.type == "Identifier":
        if value.name in aliases.whole:
            body.args_writes.append(ArgsWrite(method, loc(call), "whole"))
        elif value.name in aliases.rests:
            body.args_writes.append(ArgsWrite(method, loc(call), "rest", aliases.rests[value.name]))
        return
    if value.type != "ObjectExpression":
        return
    for prop in value.properties:
        if prop.type == "SpreadElement":
            spread = unwrap(prop.argument)
            if spread is not None and spread.type == "Identifier":
                if spread.name in aliases.whole:
                    body.args_writes.append(ArgsWrite(method, loc(call), "spread"))
                elif spread.name in aliases.rests:
                    body.args_writes.append(ArgsWrite(method, loc(call), "spread", aliases.rests[spread.name]))
            continue
        key = property_name(prop) if prop.type == "Property" else None
        arg = aliases.arg_of(prop.value) if prop.type == "Property" else None
        if arg in IDENTITY_ARGS:
            owner = key in OWNER_WRITE_FIELDS and arg not in ROLE_ARGS | FLAG_ARGS
            body.arg_uses.append(ArgUse("owner_write" if owner else "written", arg, loc(prop), key or ""))


__all__ = ["ARG_KINDS", "FLAG_ARGS", "IDENTITY_ARGS", "OWNER_FIELDS", "analyse_args"]
