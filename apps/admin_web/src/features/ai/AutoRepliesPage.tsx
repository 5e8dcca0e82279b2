import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { rules, type Rule, type RuleIn } from "../../api/admin";
import { keys } from "../../api/queries";
import { Badge, Button, Checkbox, Dialog, EmptyState, ErrorText, Field, Page, Section, Select, Table, useAction, type Column } from "../../ui";
import { phrases } from "../settings/WorkspacePage";

const MATCHES = [
  { value: "contains", label: "Contains one of the patterns (whole words)" },
  { value: "exact", label: "Is exactly one of the patterns" },
  { value: "keywords", label: "Has all the words of a pattern" },
] as const;

export function AutoRepliesPage() {
  const list = useQuery({ queryKey: keys.rules, queryFn: rules.list });
  const [editing, setEditing] = useState<Rule | "new" | null>(null);
  const [deleting, setDeleting] = useState<Rule | null>(null);
  const toggle = useAction((r: Rule) => rules.update(r.id, { enabled: !r.enabled }), {
    invalidate: [keys.rules],
    done: (r) => `${r.name} ${r.enabled ? "enabled" : "disabled"}.`,
  });
  const columns: Column<Rule>[] = [
    { key: "priority", header: "Priority", cell: (r) => r.priority },
    { key: "name", header: "Name", cell: (r) => <strong>{r.name}</strong> },
    {
      key: "when",
      header: "When the message",
      cell: (r) => (
        <>
          <span className="muted">{r.match}:</span> {r.patterns.map((p) => `“${p}”`).join(", ")}
        </>
      ),
    },
    { key: "response", header: "Reply", cell: (r) => <span className="clamp">{r.response}</span> },
    { key: "enabled", header: "Enabled", cell: (r) => (r.enabled ? <Badge tone="success">On</Badge> : <Badge tone="muted">Off</Badge>) },
    {
      key: "actions",
      header: "Actions",
      actions: true,
      cell: (r) => (
        <>
          <Button small onClick={() => toggle.mutate(r)} aria-label={`${r.enabled ? "Disable" : "Enable"} ${r.name}`}>
            {r.enabled ? "Disable" : "Enable"}
          </Button>
          <Button small onClick={() => setEditing(r)} aria-label={`Edit ${r.name}`}>
            Edit
          </Button>
          <Button small variant="danger" onClick={() => setDeleting(r)} aria-label={`Delete ${r.name}`}>
            Delete
          </Button>
        </>
      ),
    },
  ];
  return (
    <Page
      title="Auto-replies"
      description="Fixed answers the AI gives, before anything else, when a visitor's message matches. Lower priority is checked first; the first match answers."
      actions={
        <Button variant="primary" onClick={() => setEditing("new")}>
          New rule
        </Button>
      }
    >
      <ErrorText error={list.error} prefix="Could not load the rules" />
      <ErrorText error={toggle.error} />
      {list.data &&
        (list.data.items.length === 0 ? (
          <EmptyState title="No auto-replies yet">Add one for questions with a fixed answer (opening hours, a phone number).</EmptyState>
        ) : (
          <Table caption="Auto-reply rules" columns={columns} rows={list.data.items} rowKey={(r) => r.id} />
        ))}
      <Tester />
      <Dialog open={editing !== null} title={editing === "new" ? "New auto-reply" : "Edit auto-reply"} onClose={() => setEditing(null)}>
        {editing !== null && <RuleForm rule={editing === "new" ? null : editing} onDone={() => setEditing(null)} />}
      </Dialog>
      <Dialog open={deleting !== null} title="Delete auto-reply" onClose={() => setDeleting(null)}>
        {deleting && <DeleteRule rule={deleting} onDone={() => setDeleting(null)} />}
      </Dialog>
    </Page>
  );
}

function Tester() {
  const [text, setText] = useState("");
  const test = useAction(rules.test);
  return (
    <Section title="Try a message">
      <form
        className="tester"
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim()) test.mutate(text);
        }}
      >
        <Field label="Visitor message">
          {(p) => <input {...p} value={text} onChange={(e) => setText(e.target.value)} placeholder="Is there a phone number?" />}
        </Field>
        <Button type="submit" busy={test.isPending ? "Testing…" : false} disabled={!text.trim()}>
          Test
        </Button>
      </form>
      <ErrorText error={test.error} />
      {test.data && (
        <div className="tester-result" role="status" data-testid="rule-test-result">
          {test.data.rule ? (
            <>
              Matches <strong>{test.data.rule.name}</strong>, which replies: “{test.data.rule.response}”
            </>
          ) : (
            "No rule matches: the knowledge base or the AI answers this one."
          )}
        </div>
      )}
    </Section>
  );
}

function RuleForm({ rule, onDone }: { rule: Rule | null; onDone: () => void }) {
  const [name, setName] = useState(rule?.name ?? "");
  const [match, setMatch] = useState(rule?.match ?? "contains");
  const [patterns, setPatterns] = useState((rule?.patterns ?? []).join("\n"));
  const [response, setResponse] = useState(rule?.response ?? "");
  const [suggestions, setSuggestions] = useState((rule?.suggestions ?? []).join("\n"));
  const [priority, setPriority] = useState(String(rule?.priority ?? 100));
  const [enabled, setEnabled] = useState(rule?.enabled ?? true);
  const [tried, setTried] = useState(false);
  const save = useAction((body: RuleIn) => (rule ? rules.update(rule.id, body) : rules.create(body)), {
    invalidate: [keys.rules],
    done: rule ? "Rule saved." : "Rule added.",
    onDone,
  });
  const list = phrases(patterns);
  const n = Number(priority);
  const errors = {
    name: name.trim() ? null : "Name the rule.",
    patterns: list.length ? null : "Add at least one pattern, one per line.",
    response: response.trim() ? null : "Write the reply visitors get.",
    priority: Number.isInteger(n) && n >= 0 && n <= 10000 ? null : "A whole number from 0 to 10000.",
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (Object.values(errors).some(Boolean)) return;
    save.mutate({ name: name.trim(), match, patterns: list, response: response.trim(), suggestions: phrases(suggestions), priority: n, enabled });
  };
  const err = (k: keyof typeof errors) => (tried ? errors[k] : null);
  return (
    <form className="ui-form" onSubmit={submit} noValidate>
      <Field label="Name" error={err("name")}>
        {(p) => <input {...p} maxLength={120} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <Field label="Match">{(p) => <Select {...p} value={match} options={MATCHES} onChange={setMatch} />}</Field>
      <Field label="Patterns" hint="One per line." error={err("patterns")}>
        {(p) => <textarea {...p} rows={3} value={patterns} onChange={(e) => setPatterns(e.target.value)} />}
      </Field>
      <Field label="Reply" error={err("response")}>
        {(p) => <textarea {...p} rows={3} value={response} onChange={(e) => setResponse(e.target.value)} />}
      </Field>
      <Field label="Suggested follow-ups" hint="Optional buttons under the reply, one per line.">
        {(p) => <textarea {...p} rows={2} value={suggestions} onChange={(e) => setSuggestions(e.target.value)} />}
      </Field>
      <Field label="Priority" hint="Lower is checked first." error={err("priority")}>
        {(p) => <input {...p} inputMode="numeric" value={priority} onChange={(e) => setPriority(e.target.value)} className="narrow" />}
      </Field>
      <Checkbox label="Enabled" checked={enabled} onChange={setEnabled} />
      <ErrorText error={save.error} />
      <div className="ui-form-actions">
        <Button type="submit" variant="primary" busy={save.isPending ? "Saving…" : false}>
          {rule ? "Save rule" : "Add rule"}
        </Button>
      </div>
    </form>
  );
}

function DeleteRule({ rule, onDone }: { rule: Rule; onDone: () => void }) {
  const remove = useAction(() => rules.remove(rule.id), { invalidate: [keys.rules], done: `${rule.name} was deleted.`, onDone });
  return (
    <div className="ui-form">
      <p>
        Delete <strong>{rule.name}</strong>? Visitors asking this get an answer from the knowledge base or the AI instead.
      </p>
      <ErrorText error={remove.error} />
      <div className="ui-form-actions">
        <Button variant="danger" busy={remove.isPending ? "Deleting…" : false} onClick={() => remove.mutate(undefined)}>
          Delete rule
        </Button>
        <Button onClick={onDone}>Cancel</Button>
      </div>
    </div>
  );
}
