import "./actions.css";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { errorText } from "../../api/client";
import { realtime } from "../../realtime/connector";
import type { AgentServerEvents, ToolAction } from "../../types";
import { actionKeys, actions, mergeAction } from "./api";

const LABELS: Record<string, string> = {
  proposed: "Waiting for approval",
  approved: "Approved, running…",
  rejected: "Rejected",
  done: "Done",
  failed: "Failed",
};

type Page = { items: ToolAction[]; next_cursor?: string | null };

function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** The AI's actions in a conversation: proposals to approve or reject (with their
 * arguments), and the outcome of what ran. Live over /agent (action_proposed/updated). */
export function ActionsPanel({ conversationId, canDecide }: { conversationId: string; canDecide: boolean }) {
  const queryClient = useQueryClient();
  const key = actionKeys.conversation(conversationId);
  const query = useQuery({ queryKey: key, queryFn: () => actions.list(conversationId) });
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const here = actionKeys.conversation(conversationId);
    const apply = ({ action }: AgentServerEvents["action_updated"]) => {
      if (action.conversation_id !== conversationId) return;
      if (!queryClient.getQueryData(here)) {
        void queryClient.invalidateQueries({ queryKey: here });
        return;
      }
      queryClient.setQueryData(here, (page: Page | undefined) =>
        page ? { ...page, items: mergeAction(page.items, action) } : page,
      );
    };
    const offs = [realtime.on("action_proposed", apply), realtime.on("action_updated", apply)];
    return () => offs.forEach((off) => off());
  }, [conversationId, queryClient]);

  const decide = async (action: ToolAction, approve: boolean) => {
    setBusy(action.id);
    setError(null);
    try {
      const out = approve ? await actions.approve(action.id) : await actions.reject(action.id);
      queryClient.setQueryData(key, (page: Page | undefined) =>
        page ? { ...page, items: mergeAction(page.items, out) } : page,
      );
    } catch (exc) {
      setError(errorText(exc));
      void queryClient.invalidateQueries({ queryKey: key });
    } finally {
      setBusy(null);
    }
  };

  const items = query.data?.items ?? [];
  if (!items.length && !query.error) return null;
  return (
    <section className="actions-panel" aria-label="Actions" data-testid="actions">
      <h3>Actions</h3>
      {query.error && <p role="alert" className="error">{errorText(query.error)}</p>}
      {error && <p role="alert" className="error">{error}</p>}
      <ul>
        {items.map((a) => (
          <li key={a.id} className={`action action-${a.status}`} data-testid="action" data-status={a.status}>
            <div className="action-head">
              <code>{a.tool}</code>
              <span className="action-status">{a.policy === "auto" && a.status === "done" ? "Looked up" : LABELS[a.status] ?? a.status}</span>
            </div>
            <pre className="action-args" aria-label="Arguments">{pretty(a.arguments)}</pre>
            {a.status === "proposed" && (
              <div className="action-buttons">
                <button type="button" className="primary" disabled={!canDecide || busy === a.id}
                  title={canDecide ? undefined : "You cannot approve actions"}
                  onClick={() => void decide(a, true)}>
                  Approve
                </button>
                <button type="button" disabled={!canDecide || busy === a.id} onClick={() => void decide(a, false)}>
                  Reject
                </button>
              </div>
            )}
            {a.decided_by && a.status !== "proposed" && a.policy === "approval" && (
              <p className="action-meta">{a.status === "rejected" ? "Rejected" : "Approved"} by {a.decided_by.name ?? "someone"}</p>
            )}
            {a.status === "done" && a.result && (
              <pre className="action-result" data-testid="action-result" aria-label="Result">{pretty(a.result)}</pre>
            )}
            {a.status === "failed" && a.error && (
              <p className="error" data-testid="action-error">{a.error}</p>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
