/** How each kind of notification is labelled in the panel and the preferences. */
export const KIND_LABEL: Record<string, string> = {
  waiting: "Waiting",
  offer: "Offered to you",
  assigned: "Assigned",
  mention: "Mention",
  message: "Message",
  ticket: "Ticket",
  webhook: "Webhook switched off",
};
