import { z } from "zod";

// An order as the API accepts it; zod is the one runtime dependency.
export const Order = z.object({
  item: z.string().min(1),
  quantity: z.number().int().positive(),
});
export type Order = z.infer<typeof Order>;

export function total(order: Order, unitPrice: number): number {
  return Math.round(order.quantity * unitPrice * 100) / 100;
}
