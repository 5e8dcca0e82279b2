// The messages the loader (host page) and the chat app (iframe) exchange with postMessage.
// Both sides check who sent a message: the loader accepts only its iframe's window from the
// api's origin; the app accepts only its parent window and posts only to the parent's origin.

export interface Visitor {
  name?: string;
  email?: string;
}

/** host page -> chat app */
export type Command =
  | { baton: 1; cmd: "open" }
  | { baton: 1; cmd: "close" }
  | { baton: 1; cmd: "identify"; visitor: Visitor }
  | { baton: 1; cmd: "page"; url: string; title: string }
  | { baton: 1; cmd: "viewport"; mobile: boolean };

/** A message as the host page's `Baton.on('message', fn)` sees it. */
export interface PublicMessage {
  id: string;
  sender: "visitor" | "bot" | "agent" | "system";
  text: string;
  created_at: string;
  author: string | null;
}

/** chat app -> host page */
export type AppEvent =
  | {
      baton: 1;
      ev: "layout";
      open: boolean;
      position: "left" | "right";
      width: number;
      height: number;
    }
  | { baton: 1; ev: "ready"; launcherMs: number }
  | { baton: 1; ev: "message"; message: PublicMessage }
  | { baton: 1; ev: "unread"; count: number };

/** What the loader passes to the app in the iframe URL's fragment. */
export interface FrameParams {
  origin: string; // the host page's origin (the app posts only there)
  open: boolean;
  name?: string;
  email?: string;
  url: string;
  title: string;
  mobile: boolean;
}

export function encodeParams(p: FrameParams): string {
  return encodeURIComponent(JSON.stringify(p));
}

export function decodeParams(hash: string): FrameParams | null {
  try {
    const value = JSON.parse(decodeURIComponent(hash.replace(/^#/, ""))) as FrameParams;
    return value && typeof value.origin === "string" ? value : null;
  } catch {
    return null;
  }
}
