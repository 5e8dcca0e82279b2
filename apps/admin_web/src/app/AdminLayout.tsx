import type { ReactNode } from "react";
import { Navigate, NavLink, Outlet } from "react-router";
import { useSession } from "./Shell";
import { adminNav, type NavItem } from "./nav";
import { NotAllowed } from "./NotAllowed";

/** A console page: shown only with its permission, else the "not allowed" page. */
export function Guard({ permission, children }: { permission: string; children: ReactNode }) {
  const session = useSession();
  if (!session.permissions.includes(permission)) return <NotAllowed permission={permission} />;
  return <>{children}</>;
}

export function AdminIndex() {
  const session = useSession();
  const first = adminNav(session.permissions)[0];
  if (!first) return <NotAllowed permission="an admin permission" />;
  return <Navigate to={first.path} replace />;
}

/** The console: its own navigation (grouped, permission-driven) beside the page. */
export function AdminLayout() {
  const session = useSession();
  const items = adminNav(session.permissions);
  const groups = items.reduce<Record<string, NavItem[]>>((acc, item) => {
    (acc[item.group] ??= []).push(item);
    return acc;
  }, {});
  return (
    <div className="console">
      {items.length > 0 && (
        <nav className="console-nav" aria-label="Console">
          {Object.entries(groups).map(([group, list]) => (
            <div key={group} className="console-nav-group">
              <h2>{group}</h2>
              <ul>
                {list.map((item) => (
                  <li key={item.path}>
                    <NavLink to={item.path}>{item.label}</NavLink>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </nav>
      )}
      <main id="main" className="console-main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
