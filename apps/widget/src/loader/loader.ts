// The loader: the one script a site includes. It stays tiny (budget: 5 KB gzipped), touches
// nothing on the host page but one iframe and `window.Baton`, and never throws into the page.
//
//   <script src="https://support.example.com/widget.js" async
//           data-name="Ada" data-email="ada@example.com" data-open="false"></script>
//
// or `window.batonSettings = {name, email, open, api}` before it. The chat app runs in an
// iframe on the api's origin: host CSS and scripts cannot reach it (see docs/widget.md).
import { type AppEvent, type Command, encodeParams, type PublicMessage, type Visitor } from "../bridge";

type Listener = (payload: unknown) => void;
type QueuedCall = [string, ...unknown[]];

interface Settings {
  api?: string;
  name?: string;
  email?: string;
  open?: boolean | string;
}

interface BatonApi {
  version: string;
  open(): void;
  close(): void;
  toggle(): void;
  identify(visitor: Visitor): void;
  on(event: "message" | "unread" | "open" | "close" | "ready", fn: Listener): () => void;
  off(event: string, fn: Listener): void;
  isOpen(): boolean;
  unread(): number;
  timing: { loaderStart: number; launcherShown: number | null };
}

declare global {
  interface Window {
    Baton?: BatonApi | QueuedCall[];
    batonSettings?: Settings;
  }
}

const IMPORTANT = "!important;";
const BASE_STYLE = [
  "all:initial",
  "position:fixed",
  "display:block",
  "visibility:visible",
  "opacity:1",
  "border:0",
  "margin:0",
  "padding:0",
  "background:transparent",
  "color-scheme:light",
  "z-index:2147483000",
  "max-width:100vw",
  "max-height:100vh",
  "min-width:0",
  "min-height:0",
  "transform:none",
  "filter:none",
  "clip-path:none",
  "pointer-events:auto",
  "overflow:hidden",
  "box-shadow:none",
]
  .map((d) => d + IMPORTANT)
  .join("");
const GAP = 12;
const MOBILE = 520;

function boot(): void {
  const prior = window.Baton;
  if (prior && !Array.isArray(prior)) return; // included twice: keep the first one
  const queued: QueuedCall[] = Array.isArray(prior) ? prior : [];
  const loaderStart = performance.now();
  // currentScript is null when a tag manager runs the loader as a module or from a string
  const script = (document.currentScript ||
    document.querySelector('script[src*="/widget.js"],script[src*="/widget/loader.js"]')) as HTMLScriptElement | null;
  const data = script ? script.dataset : ({} as DOMStringMap);
  const settings: Settings = window.batonSettings || {};
  const api = (settings.api || data.api || (script ? new URL(script.src).origin : "")).replace(/\/+$/, "");
  if (!api) return;
  const apiOrigin = new URL(api, location.href).origin;
  const openSetting = settings.open != null ? String(settings.open) : data.open;

  const listeners: Record<string, Listener[]> = {};
  const emit = (event: string, payload: unknown): void => {
    for (const fn of (listeners[event] || []).slice()) {
      try {
        fn(payload);
      } catch (err) {
        setTimeout(() => {
          throw err; // report the site's own error without breaking the widget
        });
      }
    }
  };

  let frame: HTMLIFrameElement | null = null;
  let ready = false;
  let isOpen = false;
  let unread = 0;
  let layout: Extract<AppEvent, { ev: "layout" }> | null = null;
  const pending: Command[] = [];
  const isMobile = (): boolean => window.innerWidth < MOBILE;

  const send = (command: Command): void => {
    if (ready && frame && frame.contentWindow) frame.contentWindow.postMessage(command, apiOrigin);
    else pending.push(command);
  };

  const place = (): void => {
    if (!frame) return;
    if (!layout) {
      frame.style.cssText = BASE_STYLE + "width:0!important;height:0!important;bottom:0!important;right:0!important;visibility:hidden!important;";
      return;
    }
    const side = layout.position === "left" ? "left" : "right";
    let box: string;
    if (layout.open && isMobile()) {
      box = "top:0;left:0;width:100%;height:100%;";
    } else if (layout.open) {
      const height = Math.min(layout.height, window.innerHeight - 2 * GAP);
      box =
        `bottom:${GAP}px;${side}:${GAP}px;width:${layout.width}px;height:${height}px;` +
        "border-radius:16px;box-shadow:0 12px 48px rgba(0,0,0,.22);";
    } else {
      box = `bottom:${GAP}px;${side}:${GAP}px;width:${layout.width}px;height:${layout.height}px;`;
    }
    frame.style.cssText = BASE_STYLE + box.replace(/;/g, IMPORTANT);
  };

  const onMessage = (event: MessageEvent): void => {
    if (!frame || event.source !== frame.contentWindow || event.origin !== apiOrigin) return;
    const msg = event.data as AppEvent;
    if (!msg || msg.baton !== 1) return;
    if (msg.ev === "ready") {
      ready = true;
      api_.timing.launcherShown = performance.now();
      for (const command of pending.splice(0)) send(command);
      emit("ready", { launcherMs: api_.timing.launcherShown - loaderStart });
    } else if (msg.ev === "layout") {
      const was = isOpen;
      layout = msg;
      isOpen = msg.open;
      place();
      if (was !== isOpen) emit(isOpen ? "open" : "close", null);
    } else if (msg.ev === "message") {
      emit("message", msg.message as PublicMessage);
    } else if (msg.ev === "unread") {
      unread = msg.count;
      emit("unread", unread);
    }
  };

  const api_: BatonApi = {
    version: "1",
    open: () => send({ baton: 1, cmd: "open" }),
    close: () => send({ baton: 1, cmd: "close" }),
    toggle: () => send({ baton: 1, cmd: isOpen ? "close" : "open" }),
    identify: (visitor) => {
      const v: Visitor = {};
      if (visitor && typeof visitor.name === "string") v.name = visitor.name.slice(0, 120);
      if (visitor && typeof visitor.email === "string") v.email = visitor.email.slice(0, 320);
      send({ baton: 1, cmd: "identify", visitor: v });
    },
    on: (event, fn) => {
      (listeners[event] = listeners[event] || []).push(fn);
      return () => api_.off(event, fn);
    },
    off: (event, fn) => {
      listeners[event] = (listeners[event] || []).filter((f) => f !== fn);
    },
    isOpen: () => isOpen,
    unread: () => unread,
    timing: { loaderStart, launcherShown: null },
  };
  window.Baton = api_;

  const mount = (): void => {
    frame = document.createElement("iframe");
    frame.title = "Chat";
    frame.setAttribute("allow", "clipboard-write");
    frame.setAttribute("data-baton", "widget");
    place();
    frame.src =
      `${api}/widget/frame.html#` +
      encodeParams({
        origin: location.origin,
        open: openSetting === "true",
        name: settings.name || data.name,
        email: settings.email || data.email,
        url: location.href.slice(0, 2000),
        title: document.title.slice(0, 300),
        mobile: isMobile(),
      });
    window.addEventListener("message", onMessage);
    let lastMobile = isMobile();
    window.addEventListener("resize", () => {
      place();
      if (isMobile() !== lastMobile) {
        lastMobile = isMobile();
        send({ baton: 1, cmd: "viewport", mobile: lastMobile });
      }
    });
    let lastPage = location.href + "\n" + document.title;
    const reportPage = (): void => {
      // single-page apps usually set the title just after the route changes: read it a tick later
      setTimeout(() => {
        const page = location.href + "\n" + document.title;
        if (page === lastPage) return;
        lastPage = page;
        send({ baton: 1, cmd: "page", url: location.href.slice(0, 2000), title: document.title.slice(0, 300) });
      }, 50);
    };
    // SPA route changes: wrap the history API (popstate covers back/forward only)
    for (const method of ["pushState", "replaceState"] as const) {
      const original = history[method];
      history[method] = function (this: History, ...args: Parameters<History["pushState"]>) {
        const result = original.apply(this, args);
        try {
          reportPage();
        } catch {
          /* never break the host page's navigation */
        }
        return result;
      };
    }
    window.addEventListener("popstate", reportPage);
    window.addEventListener("hashchange", reportPage);
    (document.body || document.documentElement).appendChild(frame);
  };

  for (const [name, ...args] of queued) {
    const fn = (api_ as unknown as Record<string, unknown>)[name];
    if (typeof fn === "function") (fn as (...a: unknown[]) => void)(...args);
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
}

try {
  boot();
} catch (err) {
  // never break the host page
  if (window.console) console.warn("Baton widget failed to load", err);
}
