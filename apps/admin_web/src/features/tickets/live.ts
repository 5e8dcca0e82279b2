// Agents hear of new tickets and customers' replies wherever they are in the app: an alert
// (sound, desktop notification) and fresh ticket lists.
import { useEffect } from "react";
import { useNavigate } from "react-router";
import { queryClient } from "../../api/queries";
import { notify } from "../../notify";
import { realtime } from "../../realtime/connector";
import { ticketKeys } from "./api";

export function useTicketAlerts(enabled: boolean): void {
  const navigate = useNavigate();
  useEffect(() => {
    if (!enabled) return undefined;
    const offs = [
      realtime.on("new_notification", (n) => {
        if (n.kind !== "ticket" || !n.ticket_id) return;
        void queryClient.invalidateQueries({ queryKey: ticketKeys.all });
        const ticketId = n.ticket_id;
        notify(`ticket:${ticketId}:${n.text}`, "Tickets", n.text, () => navigate(`/tickets/${ticketId}`));
      }),
      realtime.onReconnected(() => void queryClient.invalidateQueries({ queryKey: ticketKeys.all })),
    ];
    return () => offs.forEach((off) => off());
  }, [enabled, navigate]);
}
