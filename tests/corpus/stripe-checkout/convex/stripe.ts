"use node";

import Stripe from "stripe";
import { action, internalAction } from "./_generated/server";
import { internal } from "./_generated/api";
import { getAuthUserId } from "@convex-dev/auth/server";
import { v } from "convex/values";

const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!, { apiVersion: "2024-06-20" });

export const checkout = action({
  args: { productId: v.id("products") },
  handler: async (ctx, { productId }): Promise<string> => {
    const userId = await getAuthUserId(ctx);
    if (userId === null) throw new Error("Sign in first");
    const product = await ctx.runQuery(internal.orders.getProduct, { productId });
    if (product === null) throw new Error("Unknown product");
    const orderId = await ctx.runMutation(internal.orders.createPending, { userId, productId });
    const session = await stripe.checkout.sessions.create({
      mode: "payment",
      line_items: [{ price: product.stripePriceId, quantity: 1 }],
      success_url: `${process.env.SITE_URL}/orders?session={CHECKOUT_SESSION_ID}`,
      cancel_url: `${process.env.SITE_URL}/products`,
    });
    await ctx.runMutation(internal.orders.attachSession, { orderId, stripeSessionId: session.id });
    return session.url!;
  },
});

export const fulfill = internalAction({
  args: { signature: v.string(), payload: v.string() },
  handler: async (ctx, { signature, payload }) => {
    const webhookSecret = process.env.STRIPE_WEBHOOKS_SECRET!;
    try {
      const event = await stripe.webhooks.constructEventAsync(payload, signature, webhookSecret);
      if (event.type === "checkout.session.completed") {
        await ctx.runMutation(internal.orders.markPaid, { stripeSessionId: event.data.object.id });
      }
      return { success: true };
    } catch (err) {
      console.error(err);
      return { success: false, error: (err as { message: string }).message };
    }
  },
});
