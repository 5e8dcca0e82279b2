// Per-agent preferences, stored on the server: sound, browser notifications, and which kinds
// are kept at all. Sound and browser choices also drive this browser's alerts (notify.ts).
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { errorText } from "../../api/client";
import { enableDesktop, notifySettings } from "../../notify";
import { notifications, type Preferences } from "./api";
import { KIND_LABEL } from "./kinds";

const KINDS = ["waiting", "offer", "assigned", "message", "mention", "ticket", "webhook"] as const;
type Kind = (typeof KINDS)[number];

export function NotificationPreferences() {
  const client = useQueryClient();
  const prefs = useQuery({ queryKey: ["notifications", "preferences"], queryFn: notifications.preferences });
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (prefs.data) notifySettings.set((s) => ({ ...s, sound: prefs.data.sound, desktop: prefs.data.browser }));
  }, [prefs.data]);
  const save = async (change: Partial<Preferences>) => {
    setError(null);
    const before = prefs.data;
    // show the choice at once; the server's answer (or the old value on error) follows
    if (before) client.setQueryData(["notifications", "preferences"], { ...before, ...change });
    try {
      const body = { ...change, kinds: change.kinds as Kind[] | undefined };
      if (change.kinds === undefined) delete body.kinds;
      const saved = await notifications.savePreferences(body);
      client.setQueryData(["notifications", "preferences"], saved);
      if (change.browser !== undefined) await enableDesktop(change.browser);
    } catch (exc) {
      if (before) client.setQueryData(["notifications", "preferences"], before);
      setError(errorText(exc));
    }
  };
  if (!prefs.data) return prefs.error ? <p className="ui-field-error">{errorText(prefs.error)}</p> : <p className="muted">Loading…</p>;
  const p = prefs.data;
  return (
    <fieldset className="notification-prefs">
      <legend>Preferences</legend>
      <label className="ui-check">
        <input type="checkbox" checked={p.sound} onChange={(e) => void save({ sound: e.target.checked })} /> Play a sound
      </label>
      <label className="ui-check">
        <input type="checkbox" checked={p.browser} onChange={(e) => void save({ browser: e.target.checked })} /> Browser notifications
      </label>
      <p className="muted small">Keep notifications for:</p>
      {KINDS.map((k) => (
        <label key={k} className="ui-check">
          <input
            type="checkbox"
            checked={p.kinds.includes(k)}
            onChange={(e) => void save({ kinds: e.target.checked ? [...p.kinds, k] : p.kinds.filter((x) => x !== k) })}
          />{" "}
          {KIND_LABEL[k]}
        </label>
      ))}
      {error && <p role="alert" className="ui-field-error">{error}</p>}
    </fieldset>
  );
}
