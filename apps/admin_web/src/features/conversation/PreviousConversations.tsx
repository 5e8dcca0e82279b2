import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { Link } from "react-router";
import { errorText } from "../../api/client";
import { keys } from "../../api/queries";
import { listConversations } from "../../api/rest";
import { inboxPath } from "../../lib/route";
import { realtime } from "../../realtime/connector";
import type { Conversation } from "../../types";
import { statusLabel } from "../inbox/Sidebar";
import { tabFor } from "../inbox/model";

const SHOWN = 10;

/** The visitor's other conversations (those this agent may see), newest first. */
export function PreviousConversations({ c, meId }: { c: Conversation; meId: string }) {
  const visitorId = c.visitor.id;
  const client = useQueryClient();
  const list = useQuery({
    queryKey: keys.visitorConversations(visitorId),
    queryFn: () => listConversations({ visitor_id: visitorId, limit: SHOWN + 1 }),
    staleTime: 0,
  });
  // another of this visitor's conversations changed (resolved, reopened, a new one): ask again
  useEffect(
    () =>
      realtime.on("conversation_updated", ({ conversation }) => {
        if (conversation.visitor.id === visitorId) {
          void client.invalidateQueries({ queryKey: keys.visitorConversations(visitorId) });
        }
      }),
    [client, visitorId],
  );
  const others = (list.data?.items ?? []).filter((o) => o.id !== c.id).slice(0, SHOWN);
  return (
    <section aria-label="Previous conversations" data-testid="previous-conversations">
      <h2>Previous conversations</h2>
      {list.error && <p className="error">{errorText(list.error)}</p>}
      {list.data && !others.length && <p className="muted">None: this is their first.</p>}
      {others.length > 0 && (
        <ul className="previous-conversations">
          {others.map((o) => (
            <li key={o.id}>
              <Link to={inboxPath(tabFor(o, meId, "all"), o.id)}>
                <span className={`badge badge-${o.status}`}>{statusLabel(o.status)}</span>{" "}
                <time dateTime={o.updated_at}>{new Date(o.updated_at).toLocaleDateString()}</time>
                <span className="previous-text">{o.last_message?.text ?? "No messages"}</span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
