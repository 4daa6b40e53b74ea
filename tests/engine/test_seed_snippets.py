"""The seed guide's Wrong/Correct snippets, as small projects: Wrong gets its block-1 finding, Correct none.

The seed guide (the product's origin, kept outside this repository) lost its newlines, so a ``// comment`` in it runs
on into the code that followed. Each fixture writes the snippets out properly, as ``Seed`` pieces,
and adds only what a project needs around them (imports, a function to hold a statement) as
``Glue`` pieces. ``test_it_copies_every_seed_piece_faithfully`` proves each Seed piece, comments
removed and whitespace dropped, is text of a ```typescript block of the seed treated the same way.
"""

from __future__ import annotations

import os
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.engine.helpers import audit_project

# The guide is not part of the repository: CI points CONVEX_AUDIT_SEED_GUIDE at it when it has a copy,
# and a fresh clone without one skips only the tests that compare against its text.
SEED_PATH = Path(os.environ.get("CONVEX_AUDIT_SEED_GUIDE") or "")  # Path("") is the folder: never a file

BLOCK_1 = frozenset({
    "functions/query-writes-db", "functions/action-uses-db", "functions/side-effect-in-transaction",
    "scheduler/action-called-from-mutation", "cors/missing-headers", "cors/missing-preflight",
    "http/error-status", "schema/unknown-index", "schema/unknown-table", "schema/unindexed-filter",
    "frontend/cloud-domain-for-http", "storage/manual-url", "auth/public-function-without-auth",
    "auth/http-without-auth", "security/hardcoded-secret",
})


# Normalising --------------------------------------------------------------------------------

# Where code resumes after a comment in the seed's one-line text.
_SEED_COMMENT_END = re.compile(
    r"\s+(?=const |let |await |return |if \(|export |import |http\.route|headers: |try |throw |\}|//)")


def _strip_comments(code: str, *, one_line: bool) -> str:
    """Drop // and /* */ comments outside string literals. In one-line text a // comment ends
    where code resumes (``_SEED_COMMENT_END``); otherwise at the end of the line."""
    out: list[str] = []
    i, quote = 0, ""
    while i < len(code):
        char = code[i]
        if quote:
            out.append(char)
            if char == "\\" and i + 1 < len(code):
                out.append(code[i + 1])
                i += 1
            elif char == quote:
                quote = ""
            i += 1
        elif char in "\"'`":
            quote = char
            out.append(char)
            i += 1
        elif code.startswith("/*", i):
            end = code.find("*/", i + 2)
            i = len(code) if end < 0 else end + 2
        elif code.startswith("//", i):
            if one_line:
                match = _SEED_COMMENT_END.search(code, i + 2)
                i = match.end() if match else len(code)
            else:
                end = code.find("\n", i)
                i = len(code) if end < 0 else end
        else:
            out.append(char)
            i += 1
    return "".join(out)


def normalise(code: str, *, one_line: bool = False) -> str:
    return re.sub(r"\s+", "", _strip_comments(code, one_line=one_line))


def seed_blocks() -> list[str]:
    text = SEED_PATH.read_text(encoding="utf-8")
    return [normalise(block, one_line=True) for block in re.findall(r"```typescript(.*?)```", text, re.S)]


# Fixtures -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seed:
    code: str


@dataclass(frozen=True)
class Glue:
    code: str


@dataclass(frozen=True)
class Fixture:
    name: str
    files: dict[str, list[Seed | Glue]]
    expected: tuple[tuple[str, str, str], ...] = ()  # (rule id, path, needle on the line[#occurrence])
    also: tuple[str, ...] = field(default=())  # non-block-1 rules that must fire too

    def sources(self) -> dict[str, str]:
        return {path: "\n".join(textwrap.dedent(piece.code).strip("\n") for piece in pieces) + "\n"
                for path, pieces in self.files.items()}


SERVER_IMPORTS = Glue("""
    import { mutation } from "./_generated/server";
    import { api } from "./_generated/api";
""")

CORS_CONSTANT = Seed("""
    // convex/http.ts
    const CORS_HEADERS = {
      "Access-Control-Allow-Origin": "*",
      "Access-Control-Allow-Methods": "POST, OPTIONS, GET, PUT, DELETE",
      "Access-Control-Allow-Headers": "Content-Type, Authorization",
      "Vary": "Origin",
    };
""")

ENDPOINT_ROUTE = Seed("""
    import { httpRouter, httpAction } from "convex/server";
    import { api } from "./_generated/api";

    const http = httpRouter();

    http.route({
      path: "/your-endpoint",
      method: "POST",
      handler: httpAction(async (ctx, request) => {
        try {
          // Parse request body
          const body = await request.json();

          // Validate inputs
          if (!body.requiredField) {
            return new Response(
              JSON.stringify({ error: "Missing requiredField" }),
              { status: 400, headers: CORS_HEADERS }
            );
          }

          // Call mutation or action
          const result = await ctx.runMutation(api.mutations.yourMutation, body);

          // Return success with CORS
          return new Response(
            JSON.stringify({ success: true, data: result }),
            { status: 200, headers: CORS_HEADERS }
          );
        } catch (error) {
          // Return error with CORS
          return new Response(
            JSON.stringify({ error: error.message }),
            { status: 500, headers: CORS_HEADERS }
          );
        }
      }),
    });

    export default http;
""")

OPTIONS_ROUTE = Seed("""
    http.route({
      path: "/your-endpoint",
      method: "OPTIONS",
      handler: httpAction(async () => {
        return new Response(null, {
          status: 200,
          headers: CORS_HEADERS,
        });
      }),
    });
""")

SCHEMA = Seed("""
    // convex/schema.ts
    import { defineSchema, defineTable } from "convex/server";
    import { v } from "convex/values";

    export default defineSchema({
      users: defineTable({
        clerkId: v.string(),
        email: v.string(),
        name: v.optional(v.string()),
        createdAt: v.number(),
      })
        .index("by_clerkId", ["clerkId"])
        .index("by_email", ["email"]),
      posts: defineTable({
        title: v.string(),
        content: v.string(),
        authorId: v.id("users"),
        published: v.boolean(),
        createdAt: v.number(),
        updatedAt: v.number(),
      })
        .index("by_author", ["authorId"])
        .index("by_published", ["published"])
        .index("by_author_and_published", ["authorId", "published"]),
    });
""")

STORAGE_QUERY_OPEN = Glue("""
    import { query } from "./_generated/server";
    import { v } from "convex/values";

    export const fileUrl = query({
      args: { storageId: v.id("_storage") },
      handler: async (ctx, { storageId }) => {
""")
CLOSE_HANDLER = Glue("""
        return url;
      },
    });
""")

FIXTURES = [
    Fixture("wrong: a mutation calls an action directly", {
        "convex/mutations.ts": [SERVER_IMPORTS, Seed("""
            // ❌ Wrong - calling action directly
            export const myMutation = mutation({
              handler: async (ctx) => {
                await ctx.runAction(api.actions.sendEmail); // Don't do this
              },
            });
        """)],
    }, expected=(("scheduler/action-called-from-mutation", "convex/mutations.ts", "ctx.runAction"),)),
    Fixture("correct: the mutation schedules the action", {
        "convex/mutations.ts": [SERVER_IMPORTS, Seed("""
            // ✅ Correct - schedule action
            export const myMutation = mutation({
              handler: async (ctx, args) => {
                await ctx.scheduler.runAfter(0, api.actions.sendEmail, args);
              },
            });
        """)],
    }, also=("scheduler/public-function-scheduled",)),
    Fixture("correct: CORS headers constant, the endpoint and its OPTIONS route", {
        "convex/http.ts": [CORS_CONSTANT, ENDPOINT_ROUTE, OPTIONS_ROUTE],
    }),
    Fixture("correct: the troubleshooting fix, CORS in every response and an OPTIONS handler", {
        "convex/http.ts": [
            Glue("""
                import { httpRouter, httpAction } from "convex/server";
                const http = httpRouter();
            """),
            Seed("""
                const CORS_HEADERS = {
                  "Access-Control-Allow-Origin": "*",
                  "Access-Control-Allow-Methods": "POST, OPTIONS, GET, PUT, DELETE",
                  "Access-Control-Allow-Headers": "Content-Type, Authorization",
                  "Vary": "Origin",
                };
            """),
            Glue("""
                http.route({
                  path: "/your-endpoint",
                  method: "GET",
                  handler: httpAction(async () => {
                    const data = { ok: true };
            """),
            Seed("""
                    return new Response(
                      JSON.stringify({ data }),
                      { status: 200, headers: CORS_HEADERS }
                    );
            """),
            Glue("""
                  }),
                });
            """),
            Seed("""
                http.route({
                  path: "/your-endpoint",
                  method: "OPTIONS",
                  handler: httpAction(async () => {
                    return new Response(null, { status: 200, headers: CORS_HEADERS });
                  }),
                });
            """),
            Glue("export default http;"),
        ],
    }),
    Fixture("wrong: the endpoint without its OPTIONS route", {
        "convex/http.ts": [CORS_CONSTANT, ENDPOINT_ROUTE],
    }, expected=(("cors/missing-preflight", "convex/http.ts", "http.route({"),)),
    Fixture("wrong: the endpoint and OPTIONS route with headers that lack CORS", {
        "convex/http.ts": [Glue('const CORS_HEADERS = { "Content-Type": "application/json" };'),
                           ENDPOINT_ROUTE, OPTIONS_ROUTE],
    }, expected=(
        ("cors/missing-headers", "convex/http.ts", "return new Response(#1"),
        ("cors/missing-headers", "convex/http.ts", "return new Response(#2"),
        ("cors/missing-headers", "convex/http.ts", "return new Response(#3"),
        ("cors/missing-headers", "convex/http.ts", "return new Response(null"),
    )),
    Fixture("wrong: storage URLs built by hand", {
        "convex/files.ts": [
            STORAGE_QUERY_OPEN,
            Seed("""
                // ❌ Wrong - manual URL construction
                const url = `https://your-deployment.convex.cloud/storage/${storageId}`;
            """),
            CLOSE_HANDLER,
            Glue("""
                export const fileUrl2 = query({
                  args: { storageId: v.id("_storage") },
                  handler: async (ctx, { storageId }) => {
            """),
            Seed("""
                // ❌ Wrong - manual construction
                const url = `https://deployment.convex.cloud/storage/${storageId}`;
            """),
            CLOSE_HANDLER,
        ],
    }, expected=(("storage/manual-url", "convex/files.ts", "your-deployment.convex.cloud"),
                 ("storage/manual-url", "convex/files.ts", "https://deployment.convex.cloud"))),
    Fixture("correct: storage URLs from ctx.storage.getUrl", {
        "convex/files.ts": [
            STORAGE_QUERY_OPEN,
            Seed("""
                // ✅ Correct - use ctx.storage.getUrl()
                const url = await ctx.storage.getUrl(storageId);
            """),
            CLOSE_HANDLER,
        ],
        "convex/queries.ts": [Seed("""
            // convex/queries.ts
            import { query } from "./_generated/server";
            import { v } from "convex/values";

            export const getFileUrl = query({
              args: { storageId: v.string() },
              handler: async (ctx, args) => {
                // ALWAYS use ctx.storage.getUrl()
                const url = await ctx.storage.getUrl(args.storageId);
                return url;
              },
            });
        """)],
    }),
    Fixture("wrong: the frontend calls HTTP routes on .convex.cloud", {
        "src/lib/endpoints.ts": [
            Glue("export function uploadUrl() {"),
            Seed("""
                // ❌ Wrong - .convex.cloud is for dashboard only
                const url = `${process.env.NEXT_PUBLIC_CONVEX_URL}/uploadFile`;
                // Results in 404 Not Found
            """),
            Glue("""
                  return url;
                }
                export function endpointUrl() {
            """),
            Seed("""
                // ❌ Wrong
                const url = `${process.env.NEXT_PUBLIC_CONVEX_URL}/endpoint`;
            """),
            Glue("""
                  return url;
                }
            """),
        ],
    }, expected=(("frontend/cloud-domain-for-http", "src/lib/endpoints.ts", "/uploadFile"),
                 ("frontend/cloud-domain-for-http", "src/lib/endpoints.ts", "/endpoint`"))),
    Fixture("correct: the frontend rewrites the host to .convex.site", {
        "src/lib/endpoints.ts": [
            Glue("export function uploadUrl() {"),
            Seed("""
                // ✅ Correct - replace with .convex.site
                const url = `${process.env.NEXT_PUBLIC_CONVEX_URL.replace('.convex.cloud', '.convex.site')}/uploadFile`;
            """),
            Glue("""
                  return url;
                }
                export function endpointUrl() {
            """),
            Seed("""
                // ✅ Correct
                const url = `${process.env.NEXT_PUBLIC_CONVEX_URL.replace('.convex.cloud', '.convex.site')}/endpoint`;
            """),
            Glue("""
                  return url;
                }
                export async function callEndpoint(token: string) {
            """),
            Seed("""
                // In your Next.js app
                const convexUrl = process.env.NEXT_PUBLIC_CONVEX_URL!.replace('.convex.cloud', '.convex.site');

                const response = await fetch(`${convexUrl}/your-endpoint`, {
                  method: "POST",
                  headers: {
                    "Content-Type": "application/json",
                    "Authorization": `Bearer ${token}`, // if authenticated
                  },
                  body: JSON.stringify({ requiredField: "value" }),
                });

                const data = await response.json();
            """),
            Glue("""
                  return data;
                }
            """),
        ],
    }),
    Fixture("correct: the schema and the getByAuthor query", {
        "convex/schema.ts": [SCHEMA],
        "convex/posts.ts": [Seed("""
            // convex/posts.ts
            import { query } from "./_generated/server";
            import { v } from "convex/values";

            export const getByAuthor = query({
              args: { authorId: v.id("users") },
              handler: async (ctx, args) => {
                return await ctx.db
                  .query("posts")
                  .withIndex("by_author", (q) => q.eq("authorId", args.authorId))
                  .collect();
              },
            });
        """)],
    }),
    Fixture("correct: sendWelcomeEmail action scheduled from createUser (api.* is block 2's finding)", {
        "convex/schema.ts": [SCHEMA],
        "convex/actions.ts": [Glue('import { api } from "./_generated/api";'), Seed("""
            // convex/actions.ts
            import { action } from "./_generated/server";
            import { v } from "convex/values";

            export const sendWelcomeEmail = action({
              args: { email: v.string(), name: v.string() },
              handler: async (ctx, args) => {
                // Call external email API
                await fetch("https://api.emailservice.com/send", {
                  method: "POST",
                  headers: {
                    "Authorization": `Bearer ${process.env.EMAIL_API_KEY}`
                  },
                  body: JSON.stringify({
                    to: args.email,
                    subject: "Welcome!",
                    body: `Hello ${args.name}, welcome to our app!`,
                  }),
                });

                // Optionally update database via mutation
                await ctx.runMutation(api.mutations.markEmailSent, {
                  email: args.email,
                });
              },
            });
        """)],
        "convex/mutations.ts": [Glue('import { api } from "./_generated/api";'), Seed("""
            // convex/mutations.ts
            import { mutation } from "./_generated/server";
            import { v } from "convex/values";

            export const createUser = mutation({
              args: { clerkId: v.string(), email: v.string(), name: v.string() },
              handler: async (ctx, args) => {
                // Create user in database
                const userId = await ctx.db.insert("users", {
                  clerkId: args.clerkId,
                  email: args.email,
                  name: args.name,
                  createdAt: Date.now(),
                });

                // Schedule welcome email (async)
                await ctx.scheduler.runAfter(0, api.actions.sendWelcomeEmail, {
                  email: args.email,
                  name: args.name,
                });

                return userId;
              },
            });
        """)],
    }, also=("scheduler/public-function-scheduled",)),
    Fixture("correct: generateUploadUrl (old syntax) and the frontend upload", {
        "convex/storage.ts": [Seed("""
            // convex/storage.ts
            import { mutation } from "./_generated/server";

            export const generateUploadUrl = mutation(async (ctx) => {
              return await ctx.storage.generateUploadUrl();
            });
        """)],
        "src/components/Upload.tsx": [
            Glue("""
                import { ConvexHttpClient } from "convex/browser";
                import { api } from "../../convex/_generated/api";
                const convex = new ConvexHttpClient(process.env.NEXT_PUBLIC_CONVEX_URL!);
            """),
            Seed("""
                // In your Next.js component
                const uploadFile = async (file: File) => {
                  // Get upload URL
                  const uploadUrl = await convex.mutation(api.storage.generateUploadUrl);

                  // Upload file
                  const result = await fetch(uploadUrl, {
                    method: "POST",
                    headers: { "Content-Type": file.type },
                    body: file,
                  });
                  const { storageId } = await result.json();

                  // Save storage ID to database
                  await convex.mutation(api.mutations.saveFile, {
                    storageId,
                    filename: file.name,
                    contentType: file.type,
                  });
                };
            """),
            Glue("export default uploadFile;"),
        ],
    }, also=("functions/old-syntax",)),
    Fixture("correct: the authentication pattern, in an HTTP action and in a mutation", {
        "convex/http.ts": [
            CORS_CONSTANT,
            Glue("""
                import { httpRouter, httpAction } from "convex/server";
                import { api } from "./_generated/api";

                const http = httpRouter();

                http.route({
                  path: "/your-endpoint",
                  method: "POST",
                  handler: httpAction(async (ctx, request) => {
            """),
            Seed("""
                    // In HTTP action - get auth from header
                    const authHeader = request.headers.get("Authorization");
                    const token = authHeader?.replace("Bearer ", "");
            """),
            Glue("""
                    const result = await ctx.runMutation(api.users.updateProfile, { token: token ?? "" });
                    return new Response(JSON.stringify({ result }), { status: 200, headers: CORS_HEADERS });
                  }),
                });
            """),
            OPTIONS_ROUTE,
            Glue("export default http;"),
        ],
        "convex/users.ts": [
            Glue("""
                import { mutation } from "./_generated/server";
                import { v } from "convex/values";

                export const updateProfile = mutation({
                  args: { token: v.string() },
                  handler: async (ctx, args) => {
            """),
            Seed("""
                    // In query/mutation - get authenticated user
                    const identity = await ctx.auth.getUserIdentity();
                    if (!identity) {
                      throw new Error("Unauthorized");
                    }
            """),
            Glue("""
                    return identity.subject;
                  },
                });
            """),
        ],
    }),
]


def _line(source: str, needle: str) -> int:
    text, _, nth = needle.partition("#")
    hits = [n for n, line in enumerate(source.splitlines(), start=1) if text in line]
    return hits[int(nth or 1) - 1]


@pytest.mark.skipif(not SEED_PATH.is_file(), reason="CONVEX_AUDIT_SEED_GUIDE names no copy of the seed guide")
@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.name)
def test_it_copies_every_seed_piece_faithfully(fixture):
    blocks = seed_blocks()
    for pieces in fixture.files.values():
        for piece in pieces:
            if isinstance(piece, Seed):
                code = normalise(textwrap.dedent(piece.code))
                assert code and any(code in block for block in blocks), f"not in the seed: {code[:120]}"


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.name)
def test_it_gives_wrong_snippets_their_finding_and_correct_ones_none(tmp_path, fixture):
    sources = fixture.sources()
    report = audit_project(tmp_path, sources)
    found = sorted((f.rule, f.loc.path, f.loc.line) for f in report.active_findings if f.rule in BLOCK_1)
    expected = sorted((rule, path, _line(sources[path], needle)) for rule, path, needle in fixture.expected)
    assert found == expected
    rules = {f.rule for f in report.active_findings}
    assert set(fixture.also) <= rules


def test_it_strips_seed_comments_up_to_where_code_resumes():
    one_line = 'const a = 1; // Parse request body const body = "http://x"; // if authenticated }, x'
    assert normalise(one_line, one_line=True) == 'consta=1;constbody="http://x";},x'
    assert normalise('const u = `https://a.b/${c}`; // note\nreturn u;') == "constu=`https://a.b/${c}`;returnu;"


def test_it_finds_the_seed_blocks():
    if not SEED_PATH.is_file():
        pytest.skip("CONVEX_AUDIT_SEED_GUIDE names no copy of the seed guide")
    assert len(seed_blocks()) >= 20
