// The unread count: asked over REST on (re)connect, then moved by the socket's events. An
// answer that left the server before an event arrived here would undo that event (two
// notifications pushed while the count was being read showed no badge), so an answer is
// taken only if no event came in while it was asked; otherwise it is asked again.
import type { Store } from "../../lib/store";

const MAX_ASKS = 5; // events still arriving after that many: the events' own count stands

export class UnreadCounter {
  private generation = 0;
  private readonly seen = new Set<string>();

  constructor(
    readonly count: Store<number>,
    private readonly fetchCount: () => Promise<number>,
  ) {}

  /** A `new_notification`; the same id again is an unread one updated, not a new one. */
  added(id: string, alreadyRead: boolean): void {
    this.generation += 1;
    if (this.seen.has(id)) return;
    this.seen.add(id);
    if (!alreadyRead) this.count.set((c) => c + 1);
  }

  /** `notifications_read`: the server's count after a read, from any tab. */
  readTo(count: number): void {
    this.generation += 1;
    this.count.set(count);
  }

  async refresh(): Promise<void> {
    for (let ask = 0; ask < MAX_ASKS; ask += 1) {
      const asked = this.generation;
      let answer: number;
      try {
        answer = await this.fetchCount();
      } catch {
        return; // the badge is a hint; the next event or reconnect corrects it
      }
      if (asked === this.generation) {
        this.count.set(answer);
        return;
      }
    }
  }
}
