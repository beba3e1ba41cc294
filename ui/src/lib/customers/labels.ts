// An installed product's TMF637 status in the agent's words.
import type { ProductStatus } from "../backend/ipc";
import { m } from "../paraglide/messages.js";

const STATUSES: Record<ProductStatus, () => string> = {
  created: m.customer_status_created,
  pendingActive: m.customer_status_pending_active,
  cancelled: m.customer_status_cancelled,
  active: m.customer_status_active,
  pendingTerminate: m.customer_status_pending_terminate,
  terminated: m.customer_status_terminated,
  suspended: m.customer_status_suspended,
  aborted: m.customer_status_aborted,
};

/** The status in words; a status TMF637 does not define as the server wrote it. */
export function productStatusLabel(status: ProductStatus | null, text: string | null): string {
  return status ? STATUSES[status]() : (text ?? "");
}
