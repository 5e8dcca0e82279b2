// "We're away": shown outside business hours (the config says online: false, or
// request_agent was answered offline). The offline form itself renders from state.offline.
import type { JSX } from "preact";
import type { OfflineOffer } from "./store";

/** The next opening in the visitor's own language and timezone ("Monday 09:00"). */
export function openingTime(iso: string, now: Date = new Date(), locale?: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return "";
  const time = at.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
  const days = Math.round((startOfDay(at) - startOfDay(now)) / 86_400_000);
  if (days === 0) return `today at ${time}`;
  if (days === 1) return `tomorrow at ${time}`;
  const day = at.toLocaleDateString(locale, days < 7 ? { weekday: "long" } : { weekday: "long", day: "numeric", month: "long" });
  return `${day} at ${time}`;
}

function startOfDay(d: Date): number {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

export function Away({ offline }: { offline: OfflineOffer | null }): JSX.Element | null {
  if (!offline || offline.reason !== "closed") return null;
  const when = offline.nextOpenAt ? openingTime(offline.nextOpenAt) : "";
  return (
    <div class="banner away" role="status" data-testid="away">
      <strong>We're away right now.</strong>{" "}
      {when ? (
        <span data-testid="away-next-open">We're back {when}.</span>
      ) : (
        <span>Leave us a message and we'll reply by email.</span>
      )}{" "}
      <span>The assistant can still help in the meantime.</span>
    </div>
  );
}
