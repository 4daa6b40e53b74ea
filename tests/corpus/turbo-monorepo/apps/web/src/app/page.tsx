"use client";

import { useQuery } from "convex/react";
import { api } from "@packages/backend/convex/_generated/api";

export default function Home() {
  const recipes = useQuery(api.recipes.publicFeed);
  if (recipes === undefined) {
    return <p>Loading…</p>;
  }
  return (
    <ul>
      {recipes.map((recipe) => (
        <li key={recipe._id}>{recipe.title}</li>
      ))}
    </ul>
  );
}
