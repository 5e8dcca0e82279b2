/** The copilot hands a draft to the conversation's composer (which owns its draft state). */
export const INSERT_EVENT = "baton:copilot-insert";

export interface InsertDetail {
  conversationId: string;
  text: string;
}

export function insertIntoComposer(conversationId: string, text: string): void {
  window.dispatchEvent(new CustomEvent<InsertDetail>(INSERT_EVENT, { detail: { conversationId, text } }));
}

/** Subscribe a composer to drafts for its conversation; returns the unsubscribe. */
export function onInsert(conversationId: string, handle: (text: string) => void): () => void {
  const listener = (e: Event) => {
    const detail = (e as CustomEvent<InsertDetail>).detail;
    if (detail.conversationId === conversationId) handle(detail.text);
  };
  window.addEventListener(INSERT_EVENT, listener);
  return () => window.removeEventListener(INSERT_EVENT, listener);
}
