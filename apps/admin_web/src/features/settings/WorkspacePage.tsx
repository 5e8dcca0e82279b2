import { useQuery } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";
import { workspace, type Workspace } from "../../api/admin";
import { keys } from "../../api/queries";
import { Button, Checkbox, ErrorText, Field, Page, Section, Select, useAction } from "../../ui";

const MODES = [
  { value: "round_robin", label: "Round robin: offer each waiting visitor to the next online agent" },
  { value: "manual", label: "Manual: agents take conversations from the queue" },
] as const;

/** One phrase per line, blank lines and repeats dropped. */
export function phrases(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const line of text.split("\n")) {
    const p = line.trim();
    if (p && !seen.has(p.toLowerCase())) {
      seen.add(p.toLowerCase());
      out.push(p);
    }
  }
  return out;
}

export function WorkspacePage() {
  const current = useQuery({ queryKey: keys.workspace, queryFn: workspace.get });
  return (
    <Page title="Workspace settings" description="When the AI hands a visitor to a person, and how waiting visitors reach agents.">
      <ErrorText error={current.error} prefix="Could not load the settings" />
      {current.data && <WorkspaceForm initial={current.data} />}
    </Page>
  );
}

function WorkspaceForm({ initial }: { initial: Workspace }) {
  const [handoff, setHandoff] = useState((initial.handoff_phrases ?? []).join("\n"));
  const [aiWhileWaiting, setAiWhileWaiting] = useState(initial.ai_while_waiting);
  const [mode, setMode] = useState(initial.assignment_mode);
  const [capacity, setCapacity] = useState(String(initial.max_open_per_agent));
  const [offer, setOffer] = useState(String(initial.offer_timeout_seconds));
  const [reopen, setReopen] = useState(String(initial.reopen_with_agent_minutes ?? 60));
  const [tried, setTried] = useState(false);
  useEffect(() => {
    setHandoff((initial.handoff_phrases ?? []).join("\n"));
    setAiWhileWaiting(initial.ai_while_waiting);
    setMode(initial.assignment_mode);
    setCapacity(String(initial.max_open_per_agent));
    setOffer(String(initial.offer_timeout_seconds));
    setReopen(String(initial.reopen_with_agent_minutes ?? 60));
  }, [initial]);
  const save = useAction(workspace.update, { invalidate: [keys.workspace, keys.aiSettings], done: "Workspace settings saved." });
  const list = phrases(handoff);
  const cap = Number(capacity);
  const timeout = Number(offer);
  const reopenMinutes = Number(reopen);
  const errors = {
    handoff: list.length > 200 || list.some((p) => p.length > 200) ? "Up to 200 phrases of at most 200 characters." : null,
    capacity: Number.isInteger(cap) && cap >= 1 && cap <= 100 ? null : "A whole number from 1 to 100.",
    offer: Number.isInteger(timeout) && timeout >= 10 && timeout <= 3600 ? null : "Between 10 and 3600 seconds.",
    reopen:
      Number.isInteger(reopenMinutes) && reopenMinutes >= 0 && reopenMinutes <= 10080
        ? null
        : "A whole number of minutes from 0 to 10080 (a week).",
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (Object.values(errors).some(Boolean)) return;
    save.mutate({
      handoff_phrases: list,
      ai_while_waiting: aiWhileWaiting,
      assignment_mode: mode,
      max_open_per_agent: cap,
      offer_timeout_seconds: timeout,
      reopen_with_agent_minutes: reopenMinutes,
    });
  };
  return (
    <form className="ui-form page-form" onSubmit={submit} noValidate>
      <Section title="Handoff">
        <Field
          label="Handoff phrases"
          hint="One per line. A message (or a clause of one) that is exactly one of these, such as “agent!”, queues the visitor for a person at once; longer requests (“can I talk to someone about my refund?”) are recognised without being listed, and “can you help me with my invoice?” stays with the AI."
          error={tried ? errors.handoff : null}
        >
          {(p) => <textarea {...p} rows={6} value={handoff} onChange={(e) => setHandoff(e.target.value)} />}
        </Field>
        <Checkbox
          label="AI keeps answering while the visitor waits"
          hint="Off: the AI stays silent once a visitor is queued."
          checked={aiWhileWaiting}
          onChange={setAiWhileWaiting}
        />
      </Section>
      <Section title="Assignment">
        <Field label="Assignment mode">{(p) => <Select {...p} value={mode} options={MODES} onChange={setMode} />}</Field>
        <div className="ui-form-row">
          <Field label="Capacity (open conversations per agent)" error={tried ? errors.capacity : null}>
            {(p) => <input {...p} inputMode="numeric" value={capacity} onChange={(e) => setCapacity(e.target.value)} />}
          </Field>
          <Field label="Offer timeout (seconds)" hint="How long an offered agent has before the next one is asked." error={tried ? errors.offer : null}>
            {(p) => <input {...p} inputMode="numeric" value={offer} onChange={(e) => setOffer(e.target.value)} />}
          </Field>
        </div>
        <Field
          label="Follow-ups go back to the resolving agent for (minutes)"
          hint="A visitor who writes again this soon after an agent resolved the conversation reaches that agent, if they are online; later (or 0) the AI answers first."
          error={tried ? errors.reopen : null}
        >
          {(p) => <input {...p} inputMode="numeric" value={reopen} onChange={(e) => setReopen(e.target.value)} />}
        </Field>
      </Section>
      <ErrorText error={save.error} />
      <div className="ui-form-actions">
        <Button type="submit" variant="primary" busy={save.isPending ? "Saving…" : false}>
          Save workspace settings
        </Button>
      </div>
    </form>
  );
}
