// The analytics dashboard (/admin/analytics, analytics:read): KPI tiles with the change
// against the previous period, the traffic trend, the agent leaderboard, filters, exports.
// Loaded lazily by the router, so the inbox never downloads the chart library.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { Button, Checkbox, EmptyState, ErrorText, Field, Page, Select, Table, type Column } from "../../ui";
import { analytics, analyticsKeys, METRICS, type AgentRow, type Filters, type Metric, type Overview } from "./api";
import { ExportsPanel } from "./ExportsPanel";
import { change, daysBetween, formatDuration, formatRate, PRESETS, presetRange, previousRange, rangeProblem, todayIn, type Preset } from "./range";
import { TrendChart, type Series } from "./TrendChart";
import "./analytics.css";

const METRIC_LABELS: Record<Metric, string> = {
  conversations: "Conversations",
  messages: "Messages",
  handoffs: "Handoffs",
  first_response_seconds_p50: "First response (median)",
};

function browserTz(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

interface Tile {
  key: string;
  label: string;
  value: string;
  detail?: string;
  delta: ReturnType<typeof change>;
}

function tiles(cur: Overview, prev: Overview | undefined, business: boolean): Tile[] {
  const fr = business ? cur.first_response_business_seconds_p50 : cur.first_response_seconds_p50;
  const fr90 = business ? cur.first_response_business_seconds_p90 : cur.first_response_seconds_p90;
  const res = business ? cur.resolution_business_seconds_p50 : cur.resolution_seconds_p50;
  const other = (wall: number | null, open: number | null) => (business ? `wall clock ${formatDuration(wall)}` : `open hours only ${formatDuration(open)}`);
  return [
    { key: "conversations", label: "Conversations", value: cur.conversations.toLocaleString(), detail: `${cur.messages.toLocaleString()} messages`, delta: change(cur.conversations, prev?.conversations, "count", true) },
    { key: "ai_containment", label: "AI containment", value: formatRate(cur.ai_containment_rate), detail: `${cur.bot_resolved} of ${cur.resolved} resolutions by the AI alone`, delta: change(cur.ai_containment_rate, prev?.ai_containment_rate, "rate", true) },
    { key: "handoff_rate", label: "Handoff rate", value: formatRate(cur.handoff_rate), detail: `${cur.handed_off} handed to a person`, delta: change(cur.handoff_rate, prev?.handoff_rate, "rate", false) },
    {
      key: "first_response",
      label: "First human response",
      value: formatDuration(fr),
      detail: `median from the handoff; p90 ${formatDuration(fr90)}; ${other(cur.first_response_seconds_p50, cur.first_response_business_seconds_p50)}`,
      delta: change(fr, business ? prev?.first_response_business_seconds_p50 : prev?.first_response_seconds_p50, "duration", false),
    },
    {
      key: "resolution",
      label: "Resolution time",
      value: formatDuration(res),
      detail: `median from the start; ${other(cur.resolution_seconds_p50, cur.resolution_business_seconds_p50)}`,
      delta: change(res, business ? prev?.resolution_business_seconds_p50 : prev?.resolution_seconds_p50, "duration", false),
    },
    {
      key: "csat",
      label: "CSAT satisfied",
      value: formatRate(cur.csat_satisfied_rate),
      detail: cur.csat_responses ? `${cur.csat_satisfied} of ${cur.csat_responses} ratings were 4 or 5; average ${cur.csat_average?.toFixed(2)} of 5` : "no ratings",
      delta: change(cur.csat_satisfied_rate, prev?.csat_satisfied_rate, "rate", true),
    },
  ];
}

export function AnalyticsPage() {
  const tz = useMemo(browserTz, []);
  const today = todayIn(tz);
  const [preset, setPreset] = useState<Preset>("7d");
  const [custom, setCustom] = useState(() => presetRange("7d", today));
  const [channel, setChannel] = useState("");
  const [agent, setAgent] = useState("");
  const [business, setBusiness] = useState(false);
  const [metric, setMetric] = useState<Metric>("conversations");

  const range = preset === "custom" ? custom : presetRange(preset, today);
  const problem = preset === "custom" ? rangeProblem(custom.from, custom.to) : null;
  const filters: Filters = { ...range, tz, channel: channel || undefined, agent_id: agent || undefined };
  const previous: Filters = { ...filters, ...previousRange(range.from, range.to) };
  const interval = daysBetween(range.from, range.to) <= 2 ? "hour" : "day";
  const enabled = problem === null;

  const overview = useQuery({ queryKey: analyticsKeys.overview(filters), queryFn: () => analytics.overview(filters), enabled, placeholderData: keepPreviousData });
  const before = useQuery({ queryKey: analyticsKeys.overview(previous), queryFn: () => analytics.overview(previous), enabled });
  const trend = useQuery({ queryKey: analyticsKeys.trends(filters, metric, interval), queryFn: () => analytics.trends(filters, metric, interval), enabled, placeholderData: keepPreviousData });
  const trendBefore = useQuery({ queryKey: analyticsKeys.trends(previous, metric, interval), queryFn: () => analytics.trends(previous, metric, interval), enabled });
  // the leaderboard (and the agent filter's choices) is everyone's, for the channel chosen
  const board = { ...filters, agent_id: undefined };
  const agents = useQuery({ queryKey: analyticsKeys.agents(board), queryFn: () => analytics.agents(board), enabled, placeholderData: keepPreviousData });

  const series: Series | null = useMemo(() => {
    if (!trend.data) return null;
    const prev = trendBefore.data?.points ?? [];
    return {
      at: trend.data.points.map((p) => p.at),
      current: trend.data.points.map((p) => p.value),
      previous: trend.data.points.map((_, i) => prev[i]?.value ?? null),
    };
  }, [trend.data, trendBefore.data]);

  const channels = overview.data?.channels ?? ["widget"];
  const agentOptions = [{ value: "", label: "All agents" }, ...(agents.data?.items ?? []).map((a) => ({ value: a.agent_id, label: a.name ?? a.agent_id }))];
  if (agent && !agentOptions.some((o) => o.value === agent)) agentOptions.push({ value: agent, label: "Selected agent" });

  const fr = (a: AgentRow) => (business ? a.first_response_business_seconds_p50 : a.first_response_seconds_p50);
  const rs = (a: AgentRow) => (business ? a.resolution_business_seconds_p50 : a.resolution_seconds_p50);
  const columns: Column<AgentRow>[] = [
    { key: "name", header: "Agent", label: "Agent", cell: (a) => <strong>{a.name ?? "—"}</strong> },
    { key: "conversations", header: "Conversations", label: "Conversations", cell: (a) => a.conversations },
    { key: "first_responses", header: "First responses", label: "First responses", cell: (a) => a.first_responses },
    { key: "first_response", header: "First response (median)", label: "First response", cell: (a) => formatDuration(fr(a)) },
    { key: "resolved", header: "Resolved", label: "Resolved", cell: (a) => a.resolved },
    { key: "resolution", header: "Resolution (median)", label: "Resolution", cell: (a) => formatDuration(rs(a)) },
    { key: "csat", header: "CSAT satisfied", label: "CSAT satisfied", cell: (a) => (a.csat_responses ? `${formatRate(a.csat_satisfied_rate)} of ${a.csat_responses}` : "—") },
  ];

  const nothing = overview.data && overview.data.conversations === 0 && overview.data.messages === 0 && overview.data.resolved === 0;

  return (
    <Page title="Analytics" description={`Figures for ${range.from} to ${range.to}, days in ${tz}, compared with ${daysBetween(range.from, range.to) === 1 ? "the day" : `the ${daysBetween(range.from, range.to)} days`} before. Definitions are in the admin guide.`}>
      <div className="filters analytics-filters" role="group" aria-label="Filters">
        <Field label="Date range">{(p) => <Select {...p} value={preset} options={PRESETS} onChange={(v) => {
          if (v === "custom") setCustom(range);
          setPreset(v);
        }} />}</Field>
        {preset === "custom" && (
          <>
            <Field label="From">{(p) => <input {...p} type="date" value={custom.from} max={custom.to} onChange={(e) => setCustom({ ...custom, from: e.target.value })} />}</Field>
            <Field label="To">{(p) => <input {...p} type="date" value={custom.to} min={custom.from} onChange={(e) => setCustom({ ...custom, to: e.target.value })} />}</Field>
          </>
        )}
        <Field label="Channel">{(p) => <Select {...p} value={channel} options={[{ value: "", label: "All channels" }, ...channels.map((c) => ({ value: c, label: c }))]} onChange={setChannel} />}</Field>
        <Field label="Agent">{(p) => <Select {...p} value={agent} options={agentOptions} onChange={setAgent} />}</Field>
        <Checkbox label="Business hours only" checked={business} onChange={setBusiness} hint="Durations count only the time the team is open." />
      </div>
      {problem && <p className="ui-alert" role="alert">{problem}</p>}

      <section aria-labelledby="kpi-title" className="page-section">
        <h2 id="kpi-title" className="visually-hidden">Key figures</h2>
        {overview.isPending && enabled && <p className="muted" role="status">Loading figures…</p>}
        {overview.error && (
          <div>
            <ErrorText error={overview.error} prefix="Could not load the figures" />
            <Button small onClick={() => void overview.refetch()}>Try again</Button>
          </div>
        )}
        {overview.data && (
          <ul className="kpi-grid" aria-busy={overview.isFetching || undefined}>
            {tiles(overview.data, before.data, business).map((t) => (
              <li key={t.key} className="kpi" data-kpi={t.key}>
                <span className="kpi-label">{t.label}</span>
                <span className="kpi-value">{t.value}</span>
                {t.delta ? (
                  <span className={`kpi-delta kpi-${t.delta.tone}`} data-delta>
                    {t.delta.text} <span className="muted">vs previous period</span>
                  </span>
                ) : (
                  <span className="kpi-delta muted">no comparison</span>
                )}
                {t.detail && <span className="kpi-detail muted small">{t.detail}</span>}
              </li>
            ))}
          </ul>
        )}
      </section>

      {nothing && <EmptyState title="Nothing happened in this range">No conversations, messages or resolutions; pick a longer range or another channel.</EmptyState>}

      <section aria-labelledby="trend-title" className="page-section">
        <div className="analytics-section-head">
          <h2 id="trend-title">Traffic</h2>
          <Field label="Figure">{(p) => <Select {...p} value={metric} options={METRICS.map((m) => ({ value: m, label: METRIC_LABELS[m] }))} onChange={setMetric} />}</Field>
        </div>
        {trend.isPending && enabled && <p className="muted" role="status">Loading the trend…</p>}
        <ErrorText error={trend.error} prefix="Could not load the trend" />
        {series && <TrendChart series={series} label={METRIC_LABELS[metric]} tz={tz} durations={metric === "first_response_seconds_p50"} />}
        <p className="muted small">Per {interval === "hour" ? "hour" : "day"} ({tz}); the dashed line is the previous period.</p>
      </section>

      <section aria-labelledby="agents-title" className="page-section">
        <h2 id="agents-title">Agents</h2>
        {agents.isPending && enabled && <p className="muted" role="status">Loading the leaderboard…</p>}
        <ErrorText error={agents.error} prefix="Could not load the leaderboard" />
        {agents.data && (agents.data.items.length === 0 ? (
          <EmptyState title="No agent activity">Nobody was assigned, answered or resolved a conversation in this range.</EmptyState>
        ) : (
          <Table caption="Agent leaderboard" columns={columns} rows={agents.data.items} rowKey={(a) => a.agent_id} />
        ))}
      </section>

      {enabled && <ExportsPanel filters={filters} />}
    </Page>
  );
}

export default AnalyticsPage;
