// The satisfaction survey's settings (on the widget settings page): on/off, the question, and
// how long after resolve the widget asks. Stored through PATCH /api/v1/widget/settings.
import { useEffect, useState, type FormEvent } from "react";
import { widget, type WidgetSettings } from "../../api/admin";
import { keys } from "../../api/queries";
import { Button, Checkbox, ErrorText, Field, useAction } from "../../ui";

export function CsatSettings({ initial }: { initial: WidgetSettings }) {
  const [enabled, setEnabled] = useState(initial.csat_enabled ?? true);
  const [question, setQuestion] = useState(initial.csat_question ?? "");
  const [delay, setDelay] = useState(String(initial.csat_delay_seconds ?? 0));
  const [tried, setTried] = useState(false);
  useEffect(() => {
    setEnabled(initial.csat_enabled ?? true);
    setQuestion(initial.csat_question ?? "");
    setDelay(String(initial.csat_delay_seconds ?? 0));
  }, [initial]);
  const save = useAction(widget.update, { invalidate: [keys.widget, keys.workspace], done: "Survey settings saved." });
  const seconds = Number(delay);
  const errors = {
    question: question.trim() && question.length <= 200 ? null : "Write the question (up to 200 characters).",
    delay: /^\d+$/.test(delay.trim()) && seconds <= 3600 ? null : "A whole number of seconds from 0 to 3600.",
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (errors.question || errors.delay) return;
    save.mutate({ csat_enabled: enabled, csat_question: question.trim(), csat_delay_seconds: seconds });
  };
  return (
    <form className="ui-form" onSubmit={submit} noValidate aria-label="Satisfaction survey">
      <Checkbox label="Ask visitors to rate a conversation once it is resolved" checked={enabled} onChange={setEnabled} hint="Ticket requesters get the survey by email." />
      <Field label="Question" error={tried ? errors.question : null}>
        {(p) => <input {...p} maxLength={200} value={question} onChange={(e) => setQuestion(e.target.value)} />}
      </Field>
      <Field label="Ask after (seconds)" hint="How long after resolve the rating card appears in the widget." error={tried ? errors.delay : null}>
        {(p) => <input {...p} type="number" min={0} max={3600} step={1} inputMode="numeric" value={delay} onChange={(e) => setDelay(e.target.value)} />}
      </Field>
      <ErrorText error={save.error} />
      <div className="ui-form-actions">
        <Button type="submit" variant="primary" busy={save.isPending ? "Saving…" : false}>
          Update survey
        </Button>
      </div>
    </form>
  );
}
