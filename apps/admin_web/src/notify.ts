// Sound and browser notifications when a conversation starts waiting or a visitor writes in a
// conversation the agent owns. Both can be turned off; the choice is kept per browser.
import { readJson, Store, writeJson } from "./lib/store";

export interface NotifySettings {
  sound: boolean;
  desktop: boolean;
}

const KEY = "baton.notify";
export const notifySettings = new Store<NotifySettings>(
  readJson<NotifySettings>(KEY, { sound: true, desktop: true }),
);
notifySettings.subscribe(() => writeJson(KEY, notifySettings.get()));

/** What the last notification was, for the screen-reader announcer and the tests. */
export const lastNotice = new Store<{ text: string; at: number } | null>(null);

let audio: AudioContext | null = null;

/** Browsers only start audio after a gesture: prepare it on the first click or key. */
export function unlockAudio(): void {
  if (audio || typeof AudioContext === "undefined") return;
  try {
    audio = new AudioContext();
  } catch {
    audio = null;
  }
}

function chime(): void {
  if (!audio) return;
  if (audio.state === "suspended") void audio.resume();
  const now = audio.currentTime;
  for (const [i, freq] of [880, 1320].entries()) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = "sine";
    osc.frequency.value = freq;
    const start = now + i * 0.12;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.2, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.25);
    osc.connect(gain).connect(audio.destination);
    osc.start(start);
    osc.stop(start + 0.3);
  }
}

export function desktopPermission(): NotificationPermission | "unsupported" {
  return typeof Notification === "undefined" ? "unsupported" : Notification.permission;
}

export async function enableDesktop(enabled: boolean): Promise<void> {
  if (enabled && desktopPermission() === "default") {
    try {
      await Notification.requestPermission();
    } catch {
      // older browsers: the callback form; permission stays "default"
    }
  }
  notifySettings.set((s) => ({ ...s, desktop: enabled }));
}

const recent = new Map<string, number>();

/**
 * Alert the agent once per `key` within a few seconds (the server's notification and the
 * inbox's own detection can both fire for the same event).
 */
export function notify(key: string, title: string, body: string, onClick?: () => void): void {
  const now = Date.now();
  for (const [k, at] of recent) if (now - at > 8000) recent.delete(k);
  if (recent.has(key)) return;
  recent.set(key, now);
  lastNotice.set({ text: `${title}: ${body}`, at: now });
  const { sound, desktop } = notifySettings.get();
  if (sound) chime();
  if (desktop && desktopPermission() === "granted") {
    try {
      const n = new Notification(title, { body, tag: key });
      n.onclick = () => {
        window.focus();
        onClick?.();
        n.close();
      };
    } catch {
      // some platforms only allow notifications from a service worker
    }
  }
}
