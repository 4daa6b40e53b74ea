import type { GenericActionCtx, GenericDataModel, GenericMutationCtx } from "convex/server";
import type { api } from "../component/_generated/api";

type RunMutationCtx = Pick<GenericMutationCtx<GenericDataModel> | GenericActionCtx<GenericDataModel>, "runMutation">;

export class RateLimiter {
  constructor(private component: typeof api) {}

  async limit(ctx: RunMutationCtx, name: string, options: { key?: string; rate: number; period: number }) {
    return ctx.runMutation(this.component.lib.limit, {
      name,
      key: options.key,
      config: { rate: options.rate, period: options.period },
    });
  }
}
