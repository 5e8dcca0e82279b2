import { useQuery } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";
import { widget, type WidgetSettings as Look } from "../../api/admin";
import { keys } from "../../api/queries";
import { Button, ErrorText, Field, Page, Section, Select, toast, useAction } from "../../ui";
import { CsatSettings } from "../csat/CsatSettings";

const POSITIONS = [
  { value: "right", label: "Bottom right" },
  { value: "left", label: "Bottom left" },
] as const;
const HEX = /^#[0-9a-fA-F]{6}$/;

/** Admins theme the website widget and copy the one tag that embeds it. */
export function WidgetSettings() {
  const settings = useQuery({ queryKey: keys.widget, queryFn: widget.get });
  const snippet = useQuery({ queryKey: keys.snippet, queryFn: widget.snippet, staleTime: Infinity });
  const copy = async () => {
    if (!snippet.data) return;
    try {
      await navigator.clipboard.writeText(snippet.data.snippet);
      toast("Snippet copied.");
    } catch {
      toast("Select the snippet and copy it by hand.", "error");
    }
  };
  return (
    <Page title="Website widget" description="How the chat looks on your site, and the one tag that puts it there.">
      <Section title="Embed it">
        <p className="muted">Paste this tag before &lt;/body&gt; on every page of your site.</p>
        <ErrorText error={snippet.error} />
        <pre className="snippet" aria-label="Embed snippet">
          {snippet.data?.snippet ?? "…"}
        </pre>
        <Button onClick={() => void copy()} disabled={!snippet.data}>
          Copy snippet
        </Button>
      </Section>
      <Section title="Look">
        <ErrorText error={settings.error} prefix="Could not load the widget settings" />
        {settings.data && <LookForm initial={settings.data} />}
      </Section>
      <Section title="Satisfaction survey">{settings.data && <CsatSettings initial={settings.data} />}</Section>
    </Page>
  );
}

function LookForm({ initial }: { initial: Look }) {
  const [look, setLook] = useState(initial);
  const [tried, setTried] = useState(false);
  useEffect(() => setLook(initial), [initial]);
  const save = useAction(widget.update, {
    invalidate: [keys.widget, keys.workspace, keys.aiSettings],
    done: "Saved. Visitors see the new look on their next page load.",
  });
  const change = (field: keyof Look) => (value: string) => setLook((l) => ({ ...l, [field]: value }));
  const errors = {
    title: look.title.trim() ? null : "The panel needs a title.",
    color: HEX.test(look.color) ? null : "A hex colour like #4f46e5.",
    welcome: look.welcome_message.trim() ? null : "Write the first message visitors see.",
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (Object.values(errors).some(Boolean)) return;
    save.mutate({
      title: look.title.trim(),
      color: look.color,
      position: look.position,
      launcher_text: look.launcher_text.trim(),
      welcome_message: look.welcome_message,
    });
  };
  return (
    <div className="widget-look">
      <form onSubmit={submit} className="ui-form" noValidate>
        <Field label="Title" error={tried ? errors.title : null}>
          {(p) => <input {...p} maxLength={60} value={look.title} onChange={(e) => change("title")(e.target.value)} />}
        </Field>
        <div className="ui-form-row">
          <Field label="Colour" error={tried ? errors.color : null}>
            {(p) => <input {...p} type="color" value={look.color} onChange={(e) => change("color")(e.target.value)} />}
          </Field>
          <Field label="Position">{(p) => <Select {...p} value={look.position} options={POSITIONS} onChange={change("position")} />}</Field>
        </div>
        <Field label="Launcher text" hint="Empty: a round chat bubble without text.">
          {(p) => <input {...p} maxLength={40} value={look.launcher_text} onChange={(e) => change("launcher_text")(e.target.value)} />}
        </Field>
        <Field label="Welcome message" hint={`The first message of every new conversation. Variables: {{visitor.name}}, {{visitor.email}}, filled for each visitor; a fallback after a bar: {{visitor.name | there}}.`} error={tried ? errors.welcome : null}>
          {(p) => <textarea {...p} maxLength={2000} rows={3} value={look.welcome_message} onChange={(e) => change("welcome_message")(e.target.value)} />}
        </Field>
        <ErrorText error={save.error} />
        <div className="ui-form-actions">
          <Button type="submit" variant="primary" busy={save.isPending ? "Saving…" : false}>
            Save
          </Button>
        </div>
      </form>
      <figure className="widget-preview" aria-label="Preview">
        <div className="preview-panel">
          <div className="preview-head" style={{ background: look.color }}>
            {look.title || "…"}
          </div>
          <div className="preview-body">
            <div className="preview-bubble">{look.welcome_message}</div>
          </div>
        </div>
        <div className={`preview-launcher ${look.position}`} style={{ background: look.color }}>
          {look.launcher_text || "💬"}
        </div>
        <figcaption className="muted small">Preview (unsaved changes included)</figcaption>
      </figure>
    </div>
  );
}
