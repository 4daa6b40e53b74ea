"""Mutation or action called while rendering.

What it flags:
    In a React component (or custom hook) outside the Convex folder, the function returned by
    `useMutation(...)` or `useAction(...)` from `convex/react` (also aliased, through a
    namespace import, or through a project wrapper such as `const useSend = () =>
    useMutation(api.messages.send)`) called in the render body itself: at the top level of the
    component, in a condition there, or in JSX (`onClick={send()}`). Calls inside event
    handlers, effects, callbacks and any other nested function are not flagged.

Why it matters:
    The render body runs on every render, and React may render a component many times (state
    changes, parent re-renders, Strict Mode's double render in development). A mutation there
    writes once per render: duplicate rows, runaway loops when the write changes a query the
    component reads, and a bill to match. An action there also calls its external API each time.

Example:
    function Profile() {
      const ensureUser = useMutation(api.users.ensure);
      ensureUser({});
      return <Dashboard />;
    }

Fix:
    Call it from an event handler (`onClick={() => send({ body })}`) or, for work that must
    happen once on mount, from `useEffect(() => { void ensureUser({}); }, [ensureUser])`.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("client/mutation-in-render", "error", "Mutation or action called while rendering")

_HOOKS = frozenset({"useMutation", "useAction"})


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for call in project.hook_calls:
        if call.hook not in _HOOKS:
            continue
        what = "mutation" if call.hook == "useMutation" else "action"
        via = f" (through {call.wrapper})" if call.wrapper else ""
        target = f" {call.target_text}" if call.target_text else ""
        for loc in call.render_calls:
            yield report.at(
                loc,
                f"The {what}{target} from {call.hook}{via} is called while {call.component} renders, so it runs on "
                "every render; call it from an event handler or an effect.",
                owner=call.component,
            )
