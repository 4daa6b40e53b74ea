// The peer run of bench/engine.py: the official plugin's 11 rules on the Convex folder, as its docs set it up
// (typescript-eslint's parser, no type information), run from the audited app's root.
import convexPlugin from "@convex-dev/eslint-plugin";
import tseslint from "typescript-eslint";

const rules = Object.fromEntries(Object.keys(convexPlugin.rules).map((name) => [`@convex-dev/${name}`, "error"]));

export default [
  { ignores: ["**/_generated/**", "**/node_modules/**"] },
  {
    files: ["**/convex/**/*.ts", "**/convex/**/*.tsx"],
    languageOptions: { parser: tseslint.parser },
    plugins: { "@convex-dev": convexPlugin },
    rules,
  },
];
