import { useEffect, useId, useState } from "react";
import { errorText } from "../api/client";
import { me, setPresence } from "../api/rest";
import { useStore } from "../lib/store";
import { desktopPermission, enableDesktop, lastNotice, notifySettings } from "../notify";
import { realtime } from "../realtime/connector";
import { NavLink, useLocation } from "react-router";
import { adminNav, allowed, CANNED_PAGE, REVIEW_PAGE, VISITORS_PAGE } from "./nav";
import { NotificationBell } from "../features/notifications/NotificationBell";
import { signOut, type Session } from "../session";
import type { Presence } from "../types";

/** Signing out also stops offers: the agent is set away (best effort) before the token goes. */
async function leave(): Promise<void> {
  try {
    await setPresence("away");
  } catch {
    // signing out must work even when the server cannot be reached
  }
  realtime.stop();
  signOut();
}

export function TopBar({ session }: { session: Session }) {
  const connection = useStore(realtime.state);
  const [menuOpen, setMenuOpen] = useState(false);
  const location = useLocation();
  useEffect(() => setMenuOpen(false), [location.pathname]);
  const consolePages = adminNav(session.permissions);
  const inInbox = location.pathname.startsWith("/inbox");
  return (
    <header className="topbar">
      <a className="skip-link" href="#main" onClick={(e) => {
        e.preventDefault();
        document.getElementById("main")?.focus();
      }}>
        {inInbox ? "Skip to conversation" : "Skip to content"}
      </a>
      <span className="brand" aria-label="Baton">
        Baton
      </span>
      <nav className="primary-nav" aria-label="Main">
        <NavLink to="/inbox/waiting" className={() => (inInbox ? "active" : "")}>
          Inbox
        </NavLink>
        {session.permissions.includes("tickets:read") && <NavLink to="/tickets">Tickets</NavLink>}
        {allowed(session.permissions, VISITORS_PAGE) && <NavLink to={VISITORS_PAGE.path}>{VISITORS_PAGE.label}</NavLink>}
        {allowed(session.permissions, REVIEW_PAGE) && <NavLink to={REVIEW_PAGE.path}>{REVIEW_PAGE.label}</NavLink>}
        {allowed(session.permissions, CANNED_PAGE) && !session.permissions.includes("canned:manage") && (
          <NavLink to={CANNED_PAGE.path}>Canned</NavLink>
        )}
        {consolePages.length > 0 && <NavLink to="/admin">Console</NavLink>}
      </nav>
      <span className={`connection ${connection}`} role="status">
        {connection === "online" ? "Live" : connection === "connecting" ? "Reconnecting…" : "Offline"}
      </span>
      <span className="spacer" />
      <NotificationBell />
      <button
        type="button"
        className="menu-toggle"
        aria-expanded={menuOpen}
        aria-controls="user-menu"
        onClick={() => setMenuOpen((v) => !v)}
      >
        {menuOpen ? "Close menu" : "Menu"}
      </button>
      <div id="user-menu" className={`user-menu${menuOpen ? " open" : ""}`}>
        <PresenceControl userId={session.user.id} />
        <NotifyControls />
        <span className="user" title={session.user.email}>
          {session.user.name}
        </span>
        <button type="button" className="secondary" onClick={() => void leave()}>
          Sign out
        </button>
      </div>
      <Announcer />
    </header>
  );
}

type Shown = Presence | "offline";

function PresenceControl({ userId }: { userId: string }) {
  const [presence, setValue] = useState<Shown | null>(null);
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  useEffect(() => {
    let alive = true;
    const shown = (p: string | null | undefined): Shown => (p === "online" || p === "away" ? p : "offline");
    me()
      .then((m) => alive && setValue(shown(m.presence)))
      .catch((exc: unknown) => alive && setError(errorText(exc)));
    const off = realtime.on("agent_presence", (p) => {
      if (p.user_id === userId) setValue(shown(p.presence));
    });
    return () => {
      alive = false;
      off();
    };
  }, [userId]);
  const change = async (next: Presence) => {
    const before = presence;
    setValue(next);
    setError(null);
    try {
      const result = await setPresence(next);
      setValue(result.presence === "online" || result.presence === "away" ? result.presence : "offline");
    } catch (exc) {
      setValue(before);
      setError(errorText(exc));
    }
  };
  return (
    <span className={`presence presence-${presence ?? "unknown"}`}>
      <label htmlFor={id}>Status</label>
      <select
        id={id}
        value={presence ?? ""}
        disabled={presence === null}
        onChange={(e) => void change(e.target.value as Presence)}
        title={error ?? "Online agents are offered waiting conversations"}
        aria-invalid={error ? true : undefined}
      >
        {presence === null && <option value="">…</option>}
        {presence === "offline" && (
          <option value="offline" disabled>
            Offline
          </option>
        )}
        <option value="online">Online</option>
        <option value="away">Away</option>
      </select>
      {presence !== null && presence !== "online" && <span className="presence-hint">not offered new chats</span>}
      {error && (
        <span role="alert" className="visually-hidden">
          Could not change your status: {error}
        </span>
      )}
    </span>
  );
}

function NotifyControls() {
  const settings = useStore(notifySettings);
  const permission = desktopPermission();
  return (
    <fieldset className="notify">
      <legend className="visually-hidden">Alerts</legend>
      <label>
        <input
          type="checkbox"
          checked={settings.sound}
          onChange={(e) => notifySettings.set((s) => ({ ...s, sound: e.target.checked }))}
        />
        Sound
      </label>
      <label title={permission === "denied" ? "Notifications are blocked in this browser's site settings" : undefined}>
        <input
          type="checkbox"
          checked={settings.desktop && permission === "granted"}
          disabled={permission === "denied" || permission === "unsupported"}
          onChange={(e) => void enableDesktop(e.target.checked)}
        />
        Notifications
      </label>
    </fieldset>
  );
}

/** Reads alerts to screen readers (and lets tests observe them). */
function Announcer() {
  const notice = useStore(lastNotice);
  return (
    <span className="visually-hidden" aria-live="assertive" data-testid="last-alert">
      {notice?.text ?? ""}
    </span>
  );
}
