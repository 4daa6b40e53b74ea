"""client/unhandled-loading: useQuery results dereferenced without handling undefined."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "client/unhandled-loading"

BACKEND = {
    "convex/messages.ts": """
        import { query } from "./_generated/server";
        import { v } from "convex/values";

        export const list = query({
          args: { channelId: v.id("channels") },
          handler: async (ctx, { channelId }) =>
            await ctx.db.query("messages").withIndex("by_channel", (q) => q.eq("channelId", channelId)).take(50),
        });

        export const stats = query({ args: {}, handler: async () => ({ total: 1, unread: 0 }) });
    """,
}

FLAGGED = [
    flagged("map, member access, destructuring and a wrapper", {
        **BACKEND,
        "src/components/Messages.tsx": """
            import { useEffect } from "react";
            import { useQuery } from "convex/react";
            import { api } from "../../convex/_generated/api";
            import type { Id } from "../../convex/_generated/dataModel";
            import { useStats } from "@/hooks/useStats";

            export function Messages({ channelId }: { channelId: Id<"channels"> }) {
              const messages = useQuery(api.messages.list, { channelId });
              return (
                <ul>
                  {messages.map((message) => (
                    <li key={message._id}>{message.body}</li>
                  ))}
                </ul>
              );
            }

            export const Header = () => {
              const { total, unread } = useQuery(api.messages.stats);
              return <h1>{total} ({unread})</h1>;
            };

            export function Unread() {
              const stats = useQuery(api.messages.stats);
              useEffect(() => {
                document.title = `${stats?.unread ?? 0} unread`;
              }, [stats]);
              console.log("stats", stats);
              return <b>{stats.unread}</b>;
            }

            export function Badge() {
              const stats = useStats();
              const label = `${stats.unread} unread`;
              return <span>{label}</span>;
            }
        """,
        "src/hooks/useStats.ts": """
            import { useQuery } from "convex/react";
            import { api } from "../../convex/_generated/api";

            export function useStats() {
              return useQuery(api.messages.stats);
            }
        """,
    }, ("src/components/Messages.tsx", "{messages.map("), ("src/components/Messages.tsx", "const { total, unread }"),
       ("src/components/Messages.tsx", "<b>{stats.unread}"), ("src/components/Messages.tsx", "stats.unread} unread")),
]

CLEAN = [
    clean("the usual ways of handling loading", {
        **BACKEND,
        "app/channel/[id]/page.tsx": """
            "use client";
            import { useQuery } from "convex/react";
            import { api } from "@/convex/_generated/api";
            import { MessageList } from "@/components/MessageList";

            export default function ChannelPage({ params }: { params: { id: any } }) {
              const messages = useQuery(api.messages.list, { channelId: params.id });
              const stats = useQuery(api.messages.stats);
              const maybe = useQuery(api.messages.list, params.id ? { channelId: params.id } : "skip");
              const fallback = useQuery(api.messages.stats) ?? { total: 0, unread: 0 };
              const other = useQuery(api.messages.stats);
              if (messages === undefined) return <p>Loading...</p>;
              return (
                <div>
                  <h1>{stats?.total}</h1>
                  <span>{fallback.unread}</span>
                  {maybe && maybe.length}
                  <MessageList messages={messages} />
                  <Count value={other} />
                  {messages.map((m) => <p key={m._id}>{m.body}</p>)}
                </div>
              );
            }

            function Count({ value }: { value: any }) {
              return <span>{value?.total ?? 0}</span>;
            }
        """,
        "src/components/Early.tsx": """
            import { useQuery } from "convex/react";
            import { api } from "../../convex/_generated/api";

            export function Early() {
              const stats = useQuery(api.messages.stats);
              if (!stats) {
                return null;
              }
              const { total } = stats;
              return <span onClick={() => console.log(stats.unread)}>{total}</span>;
            }
        """,
        "src/components/Query.tsx": """
            import { useQuery } from "@tanstack/react-query";

            export function External() {
              const data = useQuery({ queryKey: ["x"], queryFn: async () => [1] });
              return <span>{data.status}</span>;
            }
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_results_dereferenced_while_loading(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_handled_loading_states(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
