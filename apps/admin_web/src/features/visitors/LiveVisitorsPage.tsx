import { useEffect, useMemo, useState, type FormEvent } from "react";
import { useNavigate } from "react-router";
import { realtime } from "../../realtime/connector";
import { Button, Dialog, EmptyState, ErrorText, Field, Page, toast } from "../../ui";
import { liveVisitors, sortVisitors, timeOnSite, type LiveVisitor, type SortKey } from "./api";

const SORTS: { key: SortKey; label: string }[] = [
  { key: "started_at", label: "Newest" },
  { key: "page_url", label: "Page" },
  { key: "name", label: "Name" },
  { key: "pages_viewed", label: "Pages viewed" },
];

/** Who is on the site right now, updated live; an agent can start a chat with any of them. */
export function LiveVisitorsPage() {
  const [visitors, setVisitors] = useState<Map<string, LiveVisitor>>(new Map());
  const [error, setError] = useState<unknown>(null);
  const [sort, setSort] = useState<SortKey>("started_at");
  const [filter, setFilter] = useState("");
  const [chatWith, setChatWith] = useState<LiveVisitor | null>(null);
  const [now, setNow] = useState(Date.now());

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, []);

  const [loaded, setLoaded] = useState(false);

  useEffect(() => {
    type Change = (m: Map<string, LiveVisitor>) => void;
    // changes heard while a snapshot is on its way: the snapshot was read before some of
    // them, so they are applied again on top of it instead of being lost under it
    let sinceFetch: Change[] | null = null;
    const change = (apply: Change) => {
      sinceFetch?.push(apply);
      setVisitors((m) => {
        const next = new Map(m);
        apply(next);
        return next;
      });
    };
    const upsert = (v: LiveVisitor) => change((m) => m.set(v.visitor_id, v));
    const offs = [
      realtime.on("visitor_joined", (p) => upsert(p.visitor)),
      realtime.on("visitor_updated", (p) => upsert(p.visitor)),
      realtime.on("visitor_left", (p) => change((m) => m.delete(p.visitor_id))),
      // (re)connected: the list is the truth, events are hints since then
      realtime.onConnected(() => {
        const heard: Change[] = [];
        sinceFetch = heard;
        liveVisitors()
          .then((page) => {
            setError(null);
            const next = new Map(page.items.map((v) => [v.visitor_id, v]));
            heard.forEach((apply) => apply(next));
            setVisitors(next);
            setLoaded(true);
          })
          .catch(setError)
          .finally(() => {
            if (sinceFetch === heard) sinceFetch = null;
          });
      }),
    ];
    return () => offs.forEach((off) => off());
  }, []);

  const rows = useMemo(() => sortVisitors([...visitors.values()], sort, filter), [visitors, sort, filter]);

  return (
    <Page title="Live visitors" description="People on your site with the widget loaded right now.">
      <ErrorText error={error} prefix="Could not load the live visitors" />
      <div className="live-visitors-tools">
        <Field label="Filter by page">
          {(props) => (
            <input {...props} value={filter} placeholder="/pricing" onChange={(e) => setFilter(e.target.value)} />
          )}
        </Field>
        <div role="group" aria-label="Sort by" className="sort-buttons">
          {SORTS.map((s) => (
            <Button key={s.key} variant={sort === s.key ? "primary" : "secondary"} aria-pressed={sort === s.key} onClick={() => setSort(s.key)}>
              {s.label}
            </Button>
          ))}
        </div>
      </div>
      <p className="muted" data-testid="live-count">
        {rows.length} of {visitors.size} visitor{visitors.size === 1 ? "" : "s"}
      </p>
      {!loaded && rows.length === 0 ? (
        <p className="muted" aria-busy="true">Loading visitors…</p>
      ) : rows.length === 0 ? (
        <EmptyState title="Nobody on the site right now">Visitors appear here as soon as a page with the widget loads.</EmptyState>
      ) : (
        <div className="ui-table-wrap">
          <table className="ui-table" aria-label="Live visitors">
            <thead>
              <tr>
                <th scope="col">Visitor</th>
                <th scope="col">Page</th>
                <th scope="col">Referrer</th>
                <th scope="col">On site</th>
                <th scope="col">Pages</th>
                <th scope="col">Locale</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((v) => (
                <tr key={v.visitor_id} data-testid="live-visitor" data-visitor-id={v.visitor_id}>
                  <td>
                    {v.name || v.email || "Anonymous"}
                    {v.name && v.email ? <div className="muted">{v.email}</div> : null}
                  </td>
                  <td>
                    <div>{v.page_title || "Untitled"}</div>
                    <div className="muted">{v.page_url}</div>
                  </td>
                  <td className="muted">{v.referrer || "—"}</td>
                  <td>{timeOnSite(v.started_at, now)}</td>
                  <td>{v.pages_viewed ?? 0}</td>
                  <td className="muted">{[v.locale, v.timezone].filter(Boolean).join(" · ") || "—"}</td>
                  <td>
                    <Button onClick={() => setChatWith(v)}>Start chat</Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {chatWith && <StartChat visitor={chatWith} onClose={() => setChatWith(null)} />}
    </Page>
  );
}

function StartChat({ visitor, onClose }: { visitor: LiveVisitor; onClose: () => void }) {
  const navigate = useNavigate();
  const [text, setText] = useState("Hi! Can I help you with anything?");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return;
    setBusy(true);
    try {
      const ack = await realtime.request("initiate_chat", { visitor_id: visitor.visitor_id, text: text.trim() });
      toast("Chat started.");
      onClose();
      navigate(`/inbox/mine/${ack.conversation_id}`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <Dialog open title={`Start a chat with ${visitor.name || "this visitor"}`} onClose={onClose}>
      <form onSubmit={(e) => void submit(e)}>
        <ErrorText error={error} prefix="Could not start the chat" />
        <Field label="First message">
          {(props) => <textarea {...props} rows={3} value={text} onChange={(e) => setText(e.target.value)} />}
        </Field>
        <Button type="submit" variant="primary" disabled={busy || !text.trim()}>
          Send and open the chat
        </Button>
      </form>
    </Dialog>
  );
}
