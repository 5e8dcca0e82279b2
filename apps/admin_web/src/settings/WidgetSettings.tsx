import { useEffect, useId, useState, type FormEvent } from "react";
import { api, errorText, ok } from "../api/client";

interface Look {
  title: string;
  color: string;
  position: string;
  launcher_text: string;
  welcome_message: string;
}

/** Admins theme the website widget and copy the one tag that embeds it. */
export function WidgetSettings() {
  const [look, setLook] = useState<Look | null>(null);
  const [snippet, setSnippet] = useState("");
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ids = { title: useId(), color: useId(), position: useId(), launcher: useId(), welcome: useId() };

  useEffect(() => {
    let alive = true;
    Promise.all([ok(api.GET("/api/v1/widget/settings")), ok(api.GET("/api/v1/widget/snippet"))])
      .then(([settings, tag]) => {
        if (!alive) return;
        setLook({
          title: settings.title,
          color: settings.color,
          position: settings.position,
          launcher_text: settings.launcher_text,
          welcome_message: settings.welcome_message,
        });
        setSnippet(tag.snippet);
      })
      .catch((exc: unknown) => alive && setError(errorText(exc)));
    return () => {
      alive = false;
    };
  }, []);

  const change = (field: keyof Look) => (value: string) => {
    setStatus(null);
    setLook((current) => (current ? { ...current, [field]: value } : current));
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!look) return;
    setBusy(true);
    setError(null);
    try {
      await ok(api.PATCH("/api/v1/widget/settings", { body: look }));
      setStatus("Saved. Visitors see the new look on their next page load.");
    } catch (exc) {
      setError(errorText(exc));
    } finally {
      setBusy(false);
    }
  };

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(snippet);
      setStatus("Snippet copied.");
    } catch {
      setStatus("Select the snippet and copy it by hand.");
    }
  };

  return (
    <section className="settings" aria-labelledby="widget-settings-title">
      <h2 id="widget-settings-title">Website widget</h2>
      <h3>Embed it</h3>
      <p className="muted">Paste this tag before &lt;/body&gt; on every page of your site.</p>
      <pre className="snippet" aria-label="Embed snippet">
        {snippet || "…"}
      </pre>
      <button type="button" className="secondary" onClick={() => void copy()} disabled={!snippet}>
        Copy snippet
      </button>
      <h3>Look</h3>
      {look === null ? (
        <p className="muted">{error ?? "Loading…"}</p>
      ) : (
        <form onSubmit={(e) => void save(e)} className="settings-form">
          <label htmlFor={ids.title}>Title</label>
          <input id={ids.title} required maxLength={60} value={look.title} onChange={(e) => change("title")(e.target.value)} />
          <label htmlFor={ids.color}>Colour</label>
          <input id={ids.color} type="color" value={look.color} onChange={(e) => change("color")(e.target.value)} />
          <label htmlFor={ids.position}>Position</label>
          <select id={ids.position} value={look.position} onChange={(e) => change("position")(e.target.value)}>
            <option value="right">Bottom right</option>
            <option value="left">Bottom left</option>
          </select>
          <label htmlFor={ids.launcher}>Launcher text</label>
          <input
            id={ids.launcher}
            required
            maxLength={40}
            value={look.launcher_text}
            onChange={(e) => change("launcher_text")(e.target.value)}
          />
          <label htmlFor={ids.welcome}>Welcome message</label>
          <textarea
            id={ids.welcome}
            required
            maxLength={2000}
            rows={3}
            value={look.welcome_message}
            onChange={(e) => change("welcome_message")(e.target.value)}
          />
          <div>
            <button type="submit" disabled={busy}>
              {busy ? "Saving…" : "Save"}
            </button>
          </div>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
        </form>
      )}
      {status && (
        <p className="muted" role="status">
          {status}
        </p>
      )}
    </section>
  );
}
