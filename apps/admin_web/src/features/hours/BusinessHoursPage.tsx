import { useQuery } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";
import { Button, ErrorText, Field, Page, Section, Select, useAction } from "../../ui";
import { businessHours, DAY_NAMES, DAYS, dayError, type BusinessHours, type BusinessHoursIn, type Day } from "./api";

const KEY = ["business-hours"] as const;
const OVERRIDES = [
  { value: "schedule", label: "Follow the schedule" },
  { value: "open", label: "Open now (ignore the schedule)" },
  { value: "closed", label: "Closed now (ignore the schedule)" },
] as const;

/** Admins set when people answer; outside these hours the widget offers the offline form. */
export function BusinessHoursPage() {
  const hours = useQuery({ queryKey: KEY, queryFn: businessHours.get });
  return (
    <Page
      title="Business hours"
      description="When your team answers chats. Outside these hours visitors see “we’re away”, can leave a message, and the AI keeps helping."
    >
      <ErrorText error={hours.error} prefix="Could not load the business hours" />
      {hours.data && (
        <>
          <Preview hours={hours.data} />
          <HoursForm initial={hours.data} />
        </>
      )}
    </Page>
  );
}

function Preview({ hours }: { hours: BusinessHours }) {
  const fmt = (iso: string) => new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", timeZone: hours.timezone });
  return (
    <Section title="The next 7 days">
      <p className="muted" data-testid="open-now">
        {hours.open_now ? "Open now." : hours.next_open_at ? `Closed now; opens ${new Date(hours.next_open_at).toLocaleString()}.` : "Closed now."}
      </p>
      <ul className="hours-preview" aria-label="Next 7 days">
        {(hours.preview ?? []).map((d) => (
          <li key={d.date} data-testid="preview-day">
            <strong>{DAY_NAMES[d.weekday as Day] ?? d.weekday}</strong> {d.date}:{" "}
            {d.holiday ? `closed (${d.holiday})` : d.open.length ? d.open.map((s) => `${fmt(s.start)}–${fmt(s.end)}`).join(", ") : "closed"}
          </li>
        ))}
      </ul>
      <p className="muted">Times in {hours.timezone}.</p>
    </Section>
  );
}

function HoursForm({ initial }: { initial: BusinessHours }) {
  const toDraft = (h: BusinessHours): BusinessHoursIn => ({
    timezone: h.timezone,
    weekly: h.weekly,
    holidays: h.holidays ?? [],
    override: h.override ?? null,
    wait_limit_seconds: h.wait_limit_seconds ?? null,
  });
  const [draft, setDraft] = useState(() => toDraft(initial));
  useEffect(() => setDraft(toDraft(initial)), [initial]);
  const save = useAction(businessHours.put, { invalidate: [KEY], done: "Business hours saved." });
  const errors = Object.fromEntries(DAYS.map((d) => [d, dayError(draft.weekly[d] ?? [])])) as Record<Day, string | null>;
  const invalid = DAYS.some((d) => errors[d]) || !draft.timezone.trim();
  const setDay = (day: Day, intervals: { start: string; end: string }[]) =>
    setDraft((x) => ({ ...x, weekly: { ...x.weekly, [day]: intervals } }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!invalid) save.mutate(draft);
  };
  return (
    <form onSubmit={submit} aria-label="Business hours">
      <Section title="Schedule">
        <Field label="Timezone" hint="An IANA name, e.g. Europe/Berlin or America/New_York.">
          {(props) => <input {...props} value={draft.timezone} onChange={(e) => setDraft((x) => ({ ...x, timezone: e.target.value }))} />}
        </Field>
        <Field label="Override">
          {(props) => (
            <Select
              {...props}
              value={draft.override ?? "schedule"}
              options={[...OVERRIDES]}
              onChange={(v) => setDraft((x) => ({ ...x, override: v === "schedule" ? null : (v as "open" | "closed") }))}
            />
          )}
        </Field>
        {DAYS.map((day) => {
          const intervals = draft.weekly[day] ?? [];
          return (
            <fieldset key={day} className="hours-day" aria-label={DAY_NAMES[day]}>
              <legend>{DAY_NAMES[day]}</legend>
              {intervals.length === 0 && <span className="muted">Closed</span>}
              {intervals.map((iv, i) => (
                <span key={i} className="hours-interval">
                  <input type="time" aria-label={`${DAY_NAMES[day]} opens`} value={iv.start} onChange={(e) => setDay(day, intervals.map((x, j) => (j === i ? { ...x, start: e.target.value } : x)))} />
                  –
                  <input type="time" aria-label={`${DAY_NAMES[day]} closes`} value={iv.end === "24:00" ? "23:59" : iv.end} onChange={(e) => setDay(day, intervals.map((x, j) => (j === i ? { ...x, end: e.target.value } : x)))} />
                  <Button small onClick={() => setDay(day, intervals.filter((_, j) => j !== i))}>
                    Remove
                  </Button>
                </span>
              ))}
              <Button small onClick={() => setDay(day, [...intervals, { start: "09:00", end: "17:00" }])}>
                Add hours
              </Button>
              {errors[day] && (
                <span className="ui-field-error" role="alert">
                  {errors[day]}
                </span>
              )}
            </fieldset>
          );
        })}
      </Section>
      <Section title="Holidays and closures">
        {(draft.holidays ?? []).map((h, i) => (
          <div key={i} className="hours-holiday">
            <input type="date" aria-label="Holiday date" value={h.date} onChange={(e) => setDraft((x) => ({ ...x, holidays: (x.holidays ?? []).map((y, j) => (j === i ? { ...y, date: e.target.value } : y)) }))} />
            <input aria-label="Holiday name" value={h.name ?? ""} onChange={(e) => setDraft((x) => ({ ...x, holidays: (x.holidays ?? []).map((y, j) => (j === i ? { ...y, name: e.target.value } : y)) }))} />
            <Button small onClick={() => setDraft((x) => ({ ...x, holidays: (x.holidays ?? []).filter((_, j) => j !== i) }))}>
              Remove
            </Button>
          </div>
        ))}
        <Button small onClick={() => setDraft((x) => ({ ...x, holidays: [...(x.holidays ?? []), { date: new Date().toISOString().slice(0, 10), name: "" }] }))}>
          Add a closed day
        </Button>
      </Section>
      <Section title="Queue">
        <Field label="Offer the offline form after waiting (minutes)" hint="Empty: never. A waiting visitor past this is offered to leave a message.">
          {(props) => (
            <input
              {...props}
              type="number"
              min={1}
              max={1440}
              value={draft.wait_limit_seconds ? Math.round(draft.wait_limit_seconds / 60) : ""}
              onChange={(e) => setDraft((x) => ({ ...x, wait_limit_seconds: e.target.value ? Number(e.target.value) * 60 : null }))}
            />
          )}
        </Field>
      </Section>
      <ErrorText error={save.error} prefix="Could not save" />
      <Button type="submit" variant="primary" disabled={invalid} busy={save.isPending ? "Saving…" : false}>
        Save business hours
      </Button>
    </form>
  );
}
