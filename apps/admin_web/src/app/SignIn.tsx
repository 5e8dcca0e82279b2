import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { ApiError, api, errorText } from "../api/client";
import { login } from "../api/rest";
import { signedIn, signOut } from "../session";

/** The sign-in form; as a dialog over the (kept) app when the session expired. */
export function SignIn({ expiredEmail }: { expiredEmail?: string }) {
  const [email, setEmail] = useState(expiredEmail ?? "");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const passwordRef = useRef<HTMLInputElement>(null);
  const emailId = useId();
  const passwordId = useId();
  const expired = expiredEmail !== undefined;

  useEffect(() => {
    if (expired) passwordRef.current?.focus();
  }, [expired]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = await login(email.trim(), password);
      if (!expired) {
        // signing in to the inbox means starting work: be offered chats (the status menu can change it)
        await api
          .PATCH("/api/v1/me", {
            body: { presence: "online" },
            headers: { Authorization: `Bearer ${result.access_token}` },
          })
          .catch(() => undefined);
      }
      signedIn({
        token: result.access_token,
        expiresAt: result.expires_at,
        user: { ...result.user, id: String(result.user.id) },
        permissions: result.permissions,
      });
    } catch (exc) {
      setError(
        exc instanceof ApiError && exc.status === 401
          ? "Wrong email or password."
          : exc instanceof ApiError && exc.status === 429
            ? "Too many attempts. Wait a minute and try again."
            : errorText(exc),
      );
      setBusy(false);
    }
  };

  const form = (
    <form className="signin" onSubmit={(e) => void submit(e)} aria-labelledby="signin-title">
      <h1 id="signin-title">{expired ? "Your session expired" : "Sign in to Baton"}</h1>
      {expired && <p className="muted">Sign in again to carry on. Your drafts and unsent messages are kept.</p>}
      <label htmlFor={emailId}>Email</label>
      <input
        id={emailId}
        type="email"
        autoComplete="username"
        required
        autoFocus={!expired}
        value={email}
        onChange={(e) => setEmail(e.target.value)}
      />
      <label htmlFor={passwordId}>Password</label>
      <input
        id={passwordId}
        ref={passwordRef}
        type="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy}>
        {busy ? "Signing in…" : "Sign in"}
      </button>
      {expired && (
        <button type="button" className="link" onClick={signOut}>
          Sign out instead
        </button>
      )}
    </form>
  );

  if (!expired) return <main className="signin-page">{form}</main>;
  return (
    <div className="overlay">
      <div role="dialog" aria-modal="true" aria-labelledby="signin-title" className="dialog">
        {form}
      </div>
    </div>
  );
}
