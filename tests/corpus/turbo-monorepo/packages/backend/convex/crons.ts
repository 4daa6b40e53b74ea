import { cronJobs } from "convex/server";
import { api } from "./_generated/api";

const crons = cronJobs();

crons.daily("refresh feed", { hourUTC: 6, minuteUTC: 0 }, api.recipes.publicFeed);

export default crons;
