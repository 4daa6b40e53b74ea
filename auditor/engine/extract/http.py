"""HTTP routers and their routes, and cron jobs: what ``http.ts`` and ``crons.ts`` register."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from auditor.engine.extract.builders import BASE_BUILDERS, is_generated_server
from auditor.engine.js import (
    FUNCTION_TYPES,
    Node,
    callee_path,
    number_value,
    object_properties,
    property_name,
    string_value,
)
from auditor.engine.model import CorsRouterFact, CronFact, FrozenDict, RouteFact

if TYPE_CHECKING:
    from auditor.engine.extract.extractor import FileExtractor


def collect_routers_and_crons(x: FileExtractor) -> None:
    routers: dict[str, bool] = {}  # local name -> adds CORS itself (convex-helpers corsRouter)
    crons: set[str] = set()
    # Routers that hand every request they have no route for to another framework (convex-helpers'
    # HttpRouterWithHono): an OPTIONS request may be answered there.
    handing_on: set[str] = set()
    for name, init in x.local_consts.items():
        if init.type == "CallExpression":
            path = callee_path(init)
            if path and path[-1] == "httpRouter":
                routers[name] = False
            elif path and path[-1] == "corsRouter":
                routers[name] = True
                x.facts.cors_routers.append(_cors_router(x, name, init))
            elif path and path[-1] == "cronJobs":
                crons.add(name)
        elif init.type == "NewExpression" and init.callee.type == "Identifier" \
                and init.callee.name in {"HttpRouter", "HttpRouterWithHono"}:
            routers[name] = False
            if init.callee.name == "HttpRouterWithHono":
                handing_on.add(name)
    x.facts.routers = [(name, x.loc(x.local_consts[name])) for name in routers]
    if not routers and not crons:
        return
    top_level = {id(statement.expression) for statement in x.tree.body
                 if statement.type == "ExpressionStatement"}
    for node in x.by_type["CallExpression"]:
        path = callee_path(node)
        if not path or len(path) != 2:
            continue
        if path[0] in routers and path[1] == "route" and node.arguments:
            _route(x, node, path[0], adds_cors=routers[path[0]], top_level=id(node) in top_level,
                   hands_on=path[0] in handing_on)
        elif path[0] in crons:
            _cron(x, node, path[1], path[0], top_level=id(node) in top_level)


def _cors_router(x: FileExtractor, name: str, call: Node) -> CorsRouterFact:
    args = call.arguments
    wraps = args[0].name if args and args[0].type == "Identifier" else None
    options = object_properties(x.resolve(args[1])) if len(args) > 1 else {}
    origins: tuple[str, ...] | None = ("*",)
    if "allowedOrigins" in options:
        value = x.scopes.value(options["allowedOrigins"])
        origins = value if isinstance(value, tuple) and all(isinstance(item, str) for item in value) else None
    credentials: bool | None = False
    if "allowCredentials" in options:
        value = x.scopes.value(options["allowCredentials"])
        credentials = value if isinstance(value, bool) else None
    if len(args) > 1 and (x.resolve(args[1]) is None or x.resolve(args[1]).type != "ObjectExpression"):
        origins, credentials = None, None  # options the extractor cannot read
    return CorsRouterFact(name, x.loc(call), wraps, origins, credentials, "allowedOrigins" in options)


def _route(x: FileExtractor, call: Node, router: str, adds_cors: bool, top_level: bool, *,
           hands_on: bool = False) -> None:
    spec = x.resolve(call.arguments[0])
    props = object_properties(spec)
    method_literal = string_value(x.resolve(props.get("method")))
    method = (method_literal or ("GET" if "method" not in props else "*")).upper()
    spec_open = spec is None or spec.type != "ObjectExpression" \
        or any(prop.type != "Property" or property_name(prop) is None for prop in spec.properties)
    route = RouteFact(method=method, path=string_value(props.get("path")),
                      path_prefix=string_value(props.get("pathPrefix")), loc=x.loc(call),
                      handler_label="inline", adds_cors=adds_cors, router=router, top_level=top_level,
                      router_hands_on=hands_on,
                      spec_keys=frozenset(props), spec_open=spec_open, method_literal=method_literal)
    handler = props.get("handler")
    if handler is None:
        x.facts.routes.append(route)
        return
    resolved = x.resolve(handler)
    form, builder = _handler_form(x, handler, resolved)
    route = dataclasses.replace(route, handler_form=form, handler_builder=builder,
                                handler_wrapper=_wrapper_ref(x, resolved) if form == "call" else None)
    if handler.type == "Identifier":
        route = dataclasses.replace(route, handler_label=handler.name)
        if handler.name in x.scope.imports:
            route = dataclasses.replace(route, handler_import=x.scope.imports[handler.name])
        elif f"export:{handler.name}" in x.facts.bodies or handler.name in x.scope.consts:
            exported = next((e for e, local in x.facts.exports.items() if local == handler.name), None)
            route = dataclasses.replace(route, handler_local=exported if exported is not None else handler.name)
            if exported is None and handler.name not in x.facts.bodies:
                _local_http_handler(x, handler.name)
    wrapped = resolved.arguments[0] if resolved is not None and resolved.type == "CallExpression" \
        and resolved.arguments and route.handler_form == "wrapped" else None
    if wrapped is not None and wrapped.type == "Identifier":
        # `handler: httpAction(handleIngest)`: the function is defined elsewhere, linking finds it.
        if wrapped.name in x.scope.imports:
            route = dataclasses.replace(route, handler_import=x.scope.imports[wrapped.name])
        elif wrapped.name in x.scope.functions:
            route = dataclasses.replace(route, handler_local=wrapped.name)
    if route.handler_local is None and route.handler_import is None and resolved is not None:
        fn = None
        if resolved.type == "CallExpression" and resolved.arguments \
                and resolved.arguments[0].type in FUNCTION_TYPES:
            fn = resolved.arguments[0]
        elif resolved.type in FUNCTION_TYPES:
            fn = resolved
        if fn is not None:
            key = f"{x.path}#route:{call._line}:{call._column}"
            label = f"route {route.method} {route.route_key}"
            x.facts.bodies[f"route:{call._line}:{call._column}"] = x.analyse_body(
                fn, key, label, ctx_names=set())
            route = dataclasses.replace(route, handler_body=key)
    x.facts.routes.extend(_route_per_value(x, route, props))


def _route_per_value(x: FileExtractor, route: RouteFact, props: dict[str, Node]) -> list[RouteFact]:
    """One route per path and method a loop over a constant array gives (``for (const path of
    ["/a", "/b"]) http.route({ path, ... })``): exactly those, no path computed at runtime."""
    paths = _loop_values(x, props.get("path")) if route.path is None else None
    prefixes = _loop_values(x, props.get("pathPrefix")) if route.path_prefix is None else None
    methods = _loop_values(x, props.get("method")) if route.method_literal is None else None
    if paths is None and prefixes is None and methods is None:
        return [route]
    return [dataclasses.replace(route, path=path, path_prefix=prefix, method=method.upper(),
                                method_literal=method if methods is not None else route.method_literal)
            for path in (paths or [route.path]) for prefix in (prefixes or [route.path_prefix])
            for method in (methods or [route.method])]


def _loop_values(x: FileExtractor, node: Node | None) -> list[str] | None:
    values = x.scopes.values(node) if node is not None else None
    if not values or len(values) > 64 or not all(isinstance(value, str) for value in values):
        return None
    return list(values)


def _handler_form(x: FileExtractor, handler: Node, resolved: Node | None) -> tuple[str, str | None]:
    """How a route's handler is written: see RouteFact.handler_form."""
    if handler.type == "Identifier" and handler.name in x.scope.imports:
        return "reference", None
    if handler.type == "Identifier" and handler.name not in x.local_consts \
            and handler.name in x.scope.functions:
        resolved = x.scope.functions[handler.name]  # a function declaration
    if resolved is None:
        return "unknown", None
    if resolved.type in FUNCTION_TYPES:
        return "function", None
    if resolved.type == "CallExpression" and resolved.callee.type == "Identifier":
        source, builder = x.scope.imports.get(resolved.callee.name, ("", ""))
        if not (is_generated_server(source) or source == "convex/server") or builder not in BASE_BUILDERS:
            return "call", None  # a project or library wrapper: what it returns is not known here
        return ("wrapped" if BASE_BUILDERS[builder][0] == "httpAction" else "call"), builder
    return "unknown", None


def _wrapper_ref(x: FileExtractor, resolved: Node | None) -> str | None:
    """``local:name``/``import:source#name`` of the project function a handler is the call of."""
    if resolved is None or resolved.type != "CallExpression" or resolved.callee.type != "Identifier":
        return None
    name = resolved.callee.name
    if name in x.scope.functions:
        return f"local:{name}"
    source, original = x.scope.imports.get(name, ("", ""))
    if source and x.project_source(source) and "_generated" not in source:
        return f"import:{source}#{original}"
    return None


def _local_http_handler(x: FileExtractor, name: str) -> None:
    """A module-private ``const handle = httpAction(async (ctx, request) => ...)`` given to a route."""
    init = x.resolve(x.scope.consts.get(name))
    if init is not None and init.type == "CallExpression" and init.arguments \
            and init.arguments[0].type in FUNCTION_TYPES:
        x.facts.bodies[name] = x.analyse_body(init.arguments[0], f"{x.path}#{name}", name,
                                                    ctx_names=set())


def _cron(x: FileExtractor, call: Node, method: str, registry: str, top_level: bool) -> None:
    target_index = {"interval": 2, "hourly": 2, "daily": 2, "weekly": 2, "monthly": 2, "cron": 2}.get(method)
    if target_index is None or len(call.arguments) <= target_index:
        return
    literal_name = string_value(call.arguments[0])
    name = literal_name if literal_name is not None else x.text(call.arguments[0])
    details: dict[str, object] = {}
    schedule_node = x.resolve(call.arguments[1])
    if method == "cron":
        details["expression"] = string_value(schedule_node) or ""
    else:
        for key, value in object_properties(schedule_node).items():
            literal = number_value(value)
            details[key] = literal if literal is not None else string_value(value)
    target, text, _ = x.function_ref(call.arguments[target_index])
    x.facts.crons.append(CronFact(name=name, schedule=method, loc=x.loc(call), target=target,
                                     target_text=text, details=FrozenDict(details),
                                     name_literal=literal_name is not None, registry=registry, top_level=top_level))
