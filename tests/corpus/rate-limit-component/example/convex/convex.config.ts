import { defineApp } from "convex/server";
import rateLimit from "@acme/convex-rate-limit/convex.config";

const app = defineApp();
app.use(rateLimit);

export default app;
