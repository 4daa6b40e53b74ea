"""ctx.auth used without an auth.config file.

What it flags:
    Convex code that reads the caller's identity (`ctx.auth.getUserIdentity()`, or a library
    helper built on it such as Convex Auth's `getAuthUserId`) when the Convex folder has no
    `auth.config.ts` (or `.js`). One finding, on the first such read; the message counts the
    rest. A Convex component (its `convex.config.ts` calls `defineComponent`) is skipped: it
    receives no identity of its own.

Why it matters:
    `auth.config.ts` tells the deployment which identity providers (Clerk, Auth0, Convex Auth,
    any OIDC issuer) to trust. Without it every token is rejected and `getUserIdentity()`
    returns `null` for everyone: signed-in users are treated as signed out, and every auth
    check fails closed, or, where the code treats `null` leniently, open.

Example:
    // convex/messages.ts, and no convex/auth.config.ts
    const identity = await ctx.auth.getUserIdentity();
    if (!identity) throw new Error("Not signed in");

Fix:
    Add `convex/auth.config.ts` exporting your providers, e.g.
    `export default { providers: [{ domain: process.env.CLERK_JWT_ISSUER_DOMAIN, applicationID: "convex" }] };`
    and set the variable on each deployment.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import convex_bodies
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("config/missing-auth-config", "error", "ctx.auth used without an auth.config file")

_SUFFIXES = (".ts", ".js", ".mjs", ".cjs", ".mts", ".cts")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    base = f"{project.convex_dir}/auth.config"
    present = {*project.modules, *(failure.path for failure in project.parse_failures),
               *(entry["path"] for entry in project.skipped)}
    if any(base + suffix in present for suffix in _SUFFIXES):
        return
    config = next((project.modules.get(f"{project.convex_dir}/convex.config{suffix}") for suffix in _SUFFIXES
                   if f"{project.convex_dir}/convex.config{suffix}" in project.modules), None)
    if config is not None and "defineComponent" in config.source:
        return
    reads = sorted(((loc, body) for body in convex_bodies(project) for loc in body.auth_checks),
                   key=lambda item: (item[0].path, item[0].line, item[0].column))
    if not reads:
        return
    loc, body = reads[0]
    others = len({(r.path, r.line) for r, _ in reads}) - 1
    more = f" (and {others} other place{'s' if others != 1 else ''})" if others > 0 else ""
    yield report.at(
        loc,
        f"The caller's identity is read here{more}, but `{project.convex_dir}/` has no `auth.config.ts`: no "
        "identity provider is trusted and `getUserIdentity()` always returns null. Add `auth.config.ts`.",
        body=body,
    )
