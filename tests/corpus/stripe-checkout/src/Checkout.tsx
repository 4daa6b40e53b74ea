import { useAction, useQuery } from "convex/react";
import { api } from "../convex/_generated/api";

export function Checkout() {
  const products = useQuery(api.products.listActive);
  const checkout = useAction(api.stripe.checkout);
  if (products === undefined) return <div>Loading…</div>;
  return (
    <div>
      {products.map((product) => (
        <button
          key={product._id}
          onClick={async () => {
            window.location.href = await checkout({ productId: product._id });
          }}
        >
          Buy {product.name} for ${(product.priceCents / 100).toFixed(2)}
        </button>
      ))}
    </div>
  );
}
