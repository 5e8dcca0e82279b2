// The signed-in agent: kept in localStorage so it survives a reload. When the token expires
// (its expiry passes, the API answers 401 or the socket is refused) the session is marked
// expired; the app stays mounted under a sign-in dialog so nothing typed is lost.
import { readJson, Store, writeJson } from "./lib/store";
import type { SessionUser } from "./types";

export interface Session {
  token: string;
  expiresAt: string;
  user: SessionUser;
  permissions: string[];
}

export interface SessionState {
  session: Session | null;
  expired: boolean;
}

const KEY = "baton.session";

function initial(): SessionState {
  const session = readJson<Session | null>(KEY, null);
  if (!session || typeof session.token !== "string") return { session: null, expired: false };
  return { session, expired: Date.parse(session.expiresAt) <= Date.now() };
}

export const sessionStore = new Store<SessionState>(initial());

let expiryTimer: number | undefined;

function scheduleExpiry(): void {
  window.clearTimeout(expiryTimer);
  const { session, expired } = sessionStore.get();
  if (!session || expired) return;
  // setTimeout overflows above ~24.8 days; tokens are far shorter, but clamp anyway
  const ms = Math.min(Date.parse(session.expiresAt) - Date.now(), 2 ** 31 - 1);
  expiryTimer = window.setTimeout(markExpired, Math.max(ms, 0));
}

export function signedIn(session: Session): void {
  writeJson(KEY, session);
  sessionStore.set({ session, expired: false });
  scheduleExpiry();
}

export function markExpired(): void {
  const { session, expired } = sessionStore.get();
  if (session && !expired) sessionStore.set({ session, expired: true });
}

export function signOut(): void {
  window.clearTimeout(expiryTimer);
  writeJson(KEY, null);
  sessionStore.set({ session: null, expired: false });
}

export function currentToken(): string | null {
  const { session, expired } = sessionStore.get();
  return session && !expired ? session.token : null;
}

export function can(session: Session | null, permission: string): boolean {
  return !!session && session.permissions.includes(permission);
}

scheduleExpiry();
