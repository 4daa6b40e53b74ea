"""Which calls in a function body have their answer thrown away.

An identity call (``ctx.auth.getUserIdentity()``, ``getAuthUserId(ctx)``) checks nothing when
nobody looks at what it returns: real apps add such lines to quiet other linters. A call's
answer is thrown away when the call is a statement of its own (``await call();``,
``void call();``) or is bound to a local name that nothing reads afterwards. Any other use
(a test, a return, an argument, a member read, a destructuring that throws on ``null``)
counts as used.
"""

from __future__ import annotations

from auditor.engine.js import FUNCTION_TYPES, Node, own_nodes, walk
from auditor.engine.walk import Visit

# The node kinds ``AnswerUses`` reads: calls that are statements, calls bound to names, and reads.
ANSWER_KINDS = frozenset({"ExpressionStatement", "VariableDeclarator", "Identifier"})


class AnswerUses:
    """Where the answer of each call of a function that is a statement or bound to a local name is
    first read. Fed, in the order of the function body's walk, the visits of the kinds in
    ``ANSWER_KINDS`` (``see``); then ``first_reads`` answers.

    A check takes effect where its answer is read: an identity bound to a name and tested only after
    the function writes guards none of those writes."""

    def __init__(self) -> None:
        self.statements: list[int] = []  # id() of each call that is a statement of its own
        self.bound: list[tuple[int, str, Node]] = []  # (call id, local name it is bound to, the call)
        self.reads: dict[str, list[Visit]] = {}

    def see(self, at: Visit) -> None:
        node = at.node
        kind = node.type
        if kind == "ExpressionStatement":
            call = _answered_call(node.expression)
            if call is not None:
                self.statements.append(id(call))
        elif kind == "VariableDeclarator":
            if node.id.type == "Identifier" and node.init is not None:
                call = _answered_call(node.init)
                if call is not None:
                    self.bound.append((id(call), node.id.name, call))
        elif not _binding_or_key(at.parent_node, at.key):
            self.reads.setdefault(node.name, []).append(at)

    def first_reads(self) -> dict[int, Visit | None]:
        """``id()`` of the call -> the visit of the first identifier (in source order) that reads the
        local, or None when nothing does. Calls missing from the map are used where they stand
        (tested, returned, passed on), so their answer is read at the call itself."""
        uses: dict[int, Visit | None] = dict.fromkeys(self.statements)
        for call_id, name, call in self.bound:
            after = [read for read in self.reads.get(name, ()) if _position(read.node) > _position(call)]
            uses[call_id] = min(after, key=lambda read: _position(read.node)) if after else None
        return uses


def _position(node: Node) -> tuple[int, int]:
    return node._line, node._column


def _answered_call(node: Node | None) -> Node | None:
    """The call whose answer ``node`` is: through ``await``, ``void``, ``!`` and optional chains."""
    while node is not None:
        if node.type == "AwaitExpression":
            node = node.argument
        elif node.type == "ChainExpression":
            node = node.expression
        elif node.type == "UnaryExpression" and node.operator == "void":
            node = node.argument
        elif node.type == "TSNonNullExpression":
            node = node.expression
        else:
            break
    return node if node is not None and node.type == "CallExpression" else None


def _binding_or_key(parent: Node | None, key: str) -> bool:
    """An identifier in a position that names rather than reads: a declared name or a property key."""
    if parent is None:
        return False
    if parent.type == "VariableDeclarator" and key == "id":
        return True
    if parent.type == "MemberExpression" and key == "property" and not parent.computed:
        return True
    return parent.type == "Property" and key == "key" and not parent.computed and not parent.shorthand


# Headers a server sends its shared secret in.
_SECRET_HEADERS = frozenset({"authorization", "x-api-key", "x-auth-token", "x-webhook-secret", "x-secret"})


# The node kinds ``env_secret_comparisons`` reads.
SECRET_KINDS = frozenset({"VariableDeclarator", "BinaryExpression"})


def env_secret_comparisons(nodes: list[Node]) -> list[Node]:
    """Comparisons of a credential header's answer with an environment secret
    (``request.headers.get("Authorization") !== `Bearer ${process.env.CRON_SECRET}` ``): only a
    server that holds the secret can pass them, so the endpoint serves servers, not browsers.

    ``nodes`` are those of a function body of the kinds in ``SECRET_KINDS``, in source order."""
    header_names: set[str] = set()
    declarators: list[Node] = []  # locals not holding a header, which may hold an environment value
    comparisons: list[Node] = []
    for node in nodes:
        if node.type == "VariableDeclarator":
            if node.id.type == "Identifier" and node.init is not None:
                if _header_read(node.init):
                    header_names.add(node.id.name)
                else:
                    declarators.append(node)
        elif node.operator in {"===", "!==", "==", "!="}:
            comparisons.append(node)
    # Most bodies compare no credential header: only then are the locals holding an environment
    # value (`const secret = process.env.X`) worth looking for.
    pairs = [(node, other) for node in comparisons for side, other in ((node.left, node.right), (node.right, node.left))
             if _header_read(side) or (side.type == "Identifier" and side.name in header_names)]
    if not pairs:
        return []
    env_names = {node.id.name for node in declarators if any(_is_process_env(inner) for inner in walk(node.init))}

    def secret(inner: Node) -> bool:
        return _is_process_env(inner) or (inner.type == "Identifier" and inner.name in env_names)

    found: list[Node] = []
    for node, other in pairs:
        if (not found or found[-1] is not node) and any(secret(inner) for inner in walk(other)):
            found.append(node)
    return found


def _header_read(node: Node | None) -> bool:
    """``x.headers.get("authorization")`` (awaited or not), any receiver ending in ``headers``."""
    call = _answered_call(node)
    if call is None or not call.arguments or call.callee.type != "MemberExpression":
        return False
    callee = call.callee
    name = callee.property.name if callee.property.type == "Identifier" and not callee.computed else None
    target = callee.object
    on_headers = target.type == "MemberExpression" and not target.computed \
        and target.property.type == "Identifier" and target.property.name == "headers"
    first = call.arguments[0]
    header = first.value.lower() if first.type == "Literal" and isinstance(first.value, str) else None
    return name == "get" and on_headers and header in _SECRET_HEADERS


def _is_process_env(node: Node) -> bool:
    return node.type == "MemberExpression" and node.object.type == "Identifier" and node.object.name == "process" \
        and node.property.type == "Identifier" and node.property.name == "env"


def if_tests(at: Visit) -> tuple[bool, bool]:
    """Whether the node of a visit is in the test of an ``if`` (below the walk's root), and whether
    one such ``if`` throws when its test holds (a ``throw`` in its consequent, outside nested
    functions).

    In a mutation a failed check that throws rolls back what was written before it; one that
    returns keeps it."""
    tested = throwing = False
    current: Visit | None = at
    while current is not None and current.parent is not None:
        statement = current.parent.node
        if current.key == "test" and statement.type == "IfStatement":
            tested = True
            throwing = throwing or _throws(statement.consequent)
        current = current.parent
    return tested, throwing


def _throws(root: Node) -> bool:
    """A ``throw`` in ``root`` outside the functions nested in it (a function declared as an ``if``'s whole
    consequent, which sloppy scripts allow, throws nothing when the ``if`` runs)."""
    return root.type not in FUNCTION_TYPES and any(node.type == "ThrowStatement" for node in own_nodes(root))


def env_gated_throws(fn: Node) -> list[Node]:
    """The ``if`` statements among the function's own statements that throw on a test of the
    environment (``if (process.env.IS_TEST === undefined) throw ...``): the function runs only on
    deployments whose environment allows it (a test-only or development-only builder)."""
    body = fn.body
    if body is None or body.type != "BlockStatement":
        return []
    return [statement for statement in body.body
            if statement.type == "IfStatement" and any(_is_process_env(node) for node in walk(statement.test))
            and _throws(statement.consequent)]
