"""useQuery result used before it has loaded.

What it flags:
    In a React component (or custom hook) outside the Convex folder, the result of `useQuery`
    from `convex/react` (also aliased, through a namespace import, or through a project
    wrapper that returns it) dereferenced in the render body (`data.items`, `data[0]`,
    `data.map(...)`, `const { a } = data`, `for (const x of data)`, `[...data]`, or
    destructured right at the call) when the component never handles `undefined`. Any other
    appearance of the variable counts as handling it and silences the rule: a comparison
    (`data === undefined`), `!data`, `data ?? []`, `data?.items`, `data && ...`, an early
    return, passing it to a function or a child component (an entry of a hook's dependency
    array, a `console.*` argument, and `data?.x`/`data ?? d` inside an effect or callback do
    not count: they handle nothing in the render body). A call with a
    `"skip"` argument, results defaulted at the call (`useQuery(...) ?? []`) and dereferences
    inside nested functions (event handlers, callbacks) are left alone. One finding per result,
    at its first dereference.

Why it matters:
    `useQuery` returns `undefined` while the query loads: on the first render, after the
    arguments change, and whenever the client reconnects. Dereferencing it then throws a
    `TypeError` and, without an error boundary, unmounts the whole page.

Example:
    const messages = useQuery(api.messages.list, { channelId });
    return <ul>{messages.map((m) => <li key={m._id}>{m.body}</li>)}</ul>;

Fix:
    Render a loading state first: `if (messages === undefined) return <Spinner />;`, or
    default the value (`const messages = useQuery(...) ?? []`), or use optional chaining.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("client/unhandled-loading", "warning", "useQuery result used before it has loaded")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for call in project.hook_calls:
        if call.hook != "useQuery" or call.skip or not call.unguarded_uses:
            continue
        name = f"`{call.variable}`" if call.variable else "The destructured result"
        target = f" of {call.target_text}" if call.target_text else ""
        via = f" (through {call.wrapper})" if call.wrapper else ""
        yield report.at(
            call.unguarded_uses[0],
            f"{name}{target} from useQuery{via} is undefined while loading, but {call.component} dereferences it "
            "without a check; handle `undefined` first (a loading state, `?? []` or `?.`).",
            owner=call.component,
        )
