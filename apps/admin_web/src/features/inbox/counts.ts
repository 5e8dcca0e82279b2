// Tab counts kept current from `conversation_updated` alone: a conversation we knew before the
// update leaves the tabs it belonged to and joins the ones it belongs to now. A conversation we
// never saw cannot be placed (it may already be counted), so the caller refetches the counts
// then; also on every reconnect and once a minute, so a drift cannot last.
import type { Conversation, Counts } from "../../types";
import { belongs, type TabId } from "./model";

type CountKey = keyof Counts;

/** Which count buckets a conversation falls in, by the server's rules (queries.counts). */
export function buckets(c: Conversation, meId: string): Set<CountKey> {
  const out = new Set<CountKey>();
  if (c.last_message === null) return out; // the server counts only conversations someone wrote in
  out.add("all");
  if (c.status === "bot" || c.status === "waiting" || c.status === "agent" || c.status === "resolved") out.add(c.status);
  const tabs: TabId[] = ["mine", "unassigned"];
  for (const tab of tabs) if (belongs(tab, c, meId)) out.add(tab);
  return out;
}

/**
 * The counts after one update, or null when they cannot be known without asking the server
 * (no counts yet, or a conversation seen for the first time that may already be counted).
 */
export function nextCounts(
  counts: Counts | undefined,
  previous: Conversation | undefined,
  next: Conversation,
  meId: string,
): Counts | null {
  if (!counts) return null;
  const after = buckets(next, meId);
  if (!previous) {
    // brand new and still empty: counted nowhere, nothing changes
    return after.size === 0 ? counts : null;
  }
  const before = buckets(previous, meId);
  let changed = false;
  const result: Counts = { ...counts };
  for (const key of Object.keys(result) as CountKey[]) {
    const delta = (after.has(key) ? 1 : 0) - (before.has(key) ? 1 : 0);
    if (delta) {
      result[key] = Math.max(0, result[key] + delta);
      changed = true;
    }
  }
  return changed ? result : counts;
}
