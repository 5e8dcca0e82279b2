import type { Conversation } from "../../types";

/**
 * The later of two views of one conversation. A `conversation_updated` published before an
 * action's answer (a take-over, a resolve) can reach the socket after that answer reached
 * the page, and must not put back the state the action replaced. Views with the same
 * `updated_at` (a new queue position, a priority) replace each other.
 */
export function newer(current: Conversation | null, next: Conversation): Conversation {
  if (current === null || current.id !== next.id) return next;
  return Date.parse(next.updated_at) < Date.parse(current.updated_at) ? current : next;
}
