// Routes, with nested layouts: the shell (top bar and navigation) around the inbox
// (/inbox/:tab/:id?) and the console (/admin/...). A hash router, so every address works under
// /app/ without a server fallback; the old #/waiting/<id> and #/settings/... addresses redirect.
import { lazy, Suspense } from "react";
import { createHashRouter, Navigate, useLocation, type RouteObject } from "react-router";
import { legacyRedirect } from "../lib/route";
import { AdminIndex, AdminLayout, Guard } from "./AdminLayout";
import { Shell } from "./Shell";
import { InboxPage } from "../features/inbox/InboxPage";
import { UsersPage } from "../features/users/UsersPage";
import { ApiKeysPage } from "../features/api-keys/ApiKeysPage";
import { WebhooksPage } from "../features/webhooks/WebhooksPage";
import { ProvidersPage } from "../features/ai/ProvidersPage";
import { AiSettingsPage } from "../features/ai/AiSettingsPage";
import { AutoRepliesPage } from "../features/ai/AutoRepliesPage";
import { AnswerLogPage } from "../features/ai/AnswerLogPage";
import { KnowledgePage } from "../features/knowledge/KnowledgePage";
import { ToolIntegrationsPage } from "../features/tools/ToolIntegrationsPage";
import { WorkspacePage } from "../features/settings/WorkspacePage";
import { WidgetSettings } from "../features/settings/WidgetSettings";
import { RolesPage } from "../features/roles/RolesPage";
import { AuditPage } from "../features/audit/AuditPage";
import { TicketsPage } from "../features/tickets/TicketsPage";
import { EmailsPage } from "../features/tickets/EmailsPage";
import { CannedPage } from "../features/canned/CannedPage";
import { BusinessHoursPage } from "../features/hours/BusinessHoursPage";
import { LiveVisitorsPage } from "../features/visitors/LiveVisitorsPage";
import { NotFound } from "./NotAllowed";

// the dashboard and its chart library load only when the page is opened
const AnalyticsPage = lazy(() => import("../features/analytics/AnalyticsPage"));

function Loading() {
  return (
    <p className="muted" role="status">
      Loading…
    </p>
  );
}

function Fallback() {
  const location = useLocation();
  const target = legacyRedirect(location.pathname);
  return target ? <Navigate to={target} replace /> : <NotFound />;
}

const routes: RouteObject[] = [
  {
    element: <Shell />,
    children: [
      { index: true, element: <Navigate to="/inbox/waiting" replace /> },
      { path: "inbox", element: <Navigate to="/inbox/waiting" replace /> },
      { path: "inbox/:tab/:id?", element: <InboxPage /> },
      { path: "tickets/:id?", element: <Guard permission="tickets:read"><TicketsPage /></Guard> },
      { path: "review/ai-answers", element: <Guard permission="ai:review"><div className="page-scroll"><AnswerLogPage /></div></Guard> },
      { path: "canned", element: <Guard permission="conversations:reply"><div className="page-scroll"><CannedPage /></div></Guard> },
      { path: "visitors", element: <Guard permission="conversations:reply"><div className="page-scroll"><LiveVisitorsPage /></div></Guard> },
      {
        path: "admin",
        element: <AdminLayout />,
        children: [
          { index: true, element: <AdminIndex /> },
          { path: "users", element: <Guard permission="users:manage"><UsersPage /></Guard> },
          { path: "roles", element: <Guard permission="roles:manage"><RolesPage /></Guard> },
          { path: "emails", element: <Guard permission="emails:manage"><EmailsPage /></Guard> },
          { path: "webhooks", element: <Guard permission="webhooks:manage"><WebhooksPage /></Guard> },
          { path: "audit", element: <Guard permission="audit:read"><AuditPage /></Guard> },
          { path: "analytics", element: <Guard permission="analytics:read"><Suspense fallback={<Loading />}><AnalyticsPage /></Suspense></Guard> },
          { path: "api-keys", element: <Guard permission="api_keys:manage"><ApiKeysPage /></Guard> },
          { path: "ai/providers", element: <Guard permission="ai:manage"><ProvidersPage /></Guard> },
          { path: "ai/settings", element: <Guard permission="ai:manage"><AiSettingsPage /></Guard> },
          { path: "ai/auto-replies", element: <Guard permission="ai:manage"><AutoRepliesPage /></Guard> },
          { path: "ai/tools", element: <Guard permission="ai:manage"><ToolIntegrationsPage /></Guard> },
          { path: "ai/logs", element: <Navigate to="/review/ai-answers" replace /> },
          { path: "canned", element: <Guard permission="canned:manage"><CannedPage /></Guard> },
          { path: "knowledge", element: <Guard permission="knowledge:manage"><KnowledgePage /></Guard> },
          { path: "settings/workspace", element: <Guard permission="settings:manage"><WorkspacePage /></Guard> },
          { path: "settings/business-hours", element: <Guard permission="settings:manage"><BusinessHoursPage /></Guard> },
          { path: "settings/widget", element: <Guard permission="settings:manage"><WidgetSettings /></Guard> },
          { path: "*", element: <NotFound /> },
        ],
      },
      { path: "*", element: <Fallback /> },
    ],
  },
];

export function buildRouter() {
  return createHashRouter(routes);
}
