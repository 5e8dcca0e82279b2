import type { ReactNode } from "react";

export type Tone = "neutral" | "success" | "danger" | "warning" | "info" | "muted";

export function Badge({ tone = "neutral", children, title }: { tone?: Tone; children: ReactNode; title?: string }) {
  return (
    <span className={`ui-badge ui-badge-${tone}`} title={title}>
      {children}
    </span>
  );
}
