"""client/mutation-in-render: a mutation or action hook's function called while rendering."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "client/mutation-in-render"

BACKEND = {
    "convex/users.ts": """
        import { mutation, action } from "./_generated/server";
        import { v } from "convex/values";

        export const store = mutation({
          args: {},
          handler: async (ctx) => {
            const identity = await ctx.auth.getUserIdentity();
            if (!identity) return null;
            return await ctx.db.insert("users", { name: identity.name ?? "" });
          },
        });

        export const track = action({
          args: { event: v.string() },
          handler: async (ctx, { event }) => {
            await fetch("https://analytics.example.com", { method: "POST", body: event });
          },
        });
    """,
}

FLAGGED = [
    flagged("top-level call, JSX attribute call, wrapper and namespace import", {
        **BACKEND,
        "src/components/Profile.tsx": """
            import { useMutation, useAction as useConvexAction } from "convex/react";
            import { api } from "../../convex/_generated/api";
            import { useStoreUser } from "../hooks/useStoreUser";

            export function Profile({ name }: { name: string }) {
              const storeUser = useMutation(api.users.store);
              const track = useConvexAction(api.users.track);
              const store = useStoreUser();
              if (name) {
                storeUser({});
              }
              void store();
              return <button onClick={track({ event: "view" })}>{name}</button>;
            }
        """,
        "src/hooks/useStoreUser.ts": """
            import { useMutation } from "convex/react";
            import { api } from "../../convex/_generated/api";

            export const useStoreUser = () => useMutation(api.users.store);
        """,
        "src/pages/Home.jsx": """
            import * as Convex from "convex/react";
            import { api } from "../../convex/_generated/api";

            export default function Home() {
              const track = Convex.useAction(api.users.track);
              track({ event: "home" });
              return <main />;
            }
        """,
    }, ("src/components/Profile.tsx", "storeUser({});"), ("src/components/Profile.tsx", "void store();"),
       ("src/components/Profile.tsx", "onClick={track("), ("src/pages/Home.jsx", 'track({ event: "home" })')),
]

CLEAN = [
    clean("handlers, effects, callbacks, forms and queries", {
        **BACKEND,
        "src/components/Profile.tsx": """
            import { useEffect, useCallback } from "react";
            import { useMutation, useAction, useQuery } from "convex/react";
            import { api } from "../../convex/_generated/api";

            export function Profile({ name }: { name: string }) {
              const storeUser = useMutation(api.users.store);
              const track = useAction(api.users.track);
              const onSave = useCallback(async () => {
                await storeUser({});
              }, [storeUser]);
              useEffect(() => {
                void track({ event: "view" });
              }, [track]);
              return (
                <form onSubmit={(e) => { e.preventDefault(); void storeUser({}); }}>
                  <button onClick={onSave}>{name}</button>
                  <button onClick={() => track({ event: "click" })} />
                </form>
              );
            }

            function useStoreUserEffect() {
              const store = useMutation(api.users.store);
              useEffect(() => {
                async function run() {
                  await store({});
                }
                run();
              }, [store]);
            }
        """,
        "src/lib/format.ts": """
            export function useless() { return 1; }
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_mutations_called_while_rendering(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_calls_from_handlers_and_effects(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
