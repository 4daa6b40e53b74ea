import { FlatList, Text } from "react-native";
import { useQuery } from "convex/react";
import { api } from "@packages/backend/convex/_generated/api";

export function RecipeList() {
  const recipes = useQuery(api.recipes.mine) ?? [];
  return <FlatList data={recipes} keyExtractor={(r) => r._id} renderItem={({ item }) => <Text>{item.title}</Text>} />;
}
