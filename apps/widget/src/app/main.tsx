// The chat app inside the iframe: read the loader's parameters, fetch the theme, connect,
// render the launcher at once, and talk to the host page only through postMessage.
import { render } from "preact";
import { type AppEvent, type Command, decodeParams, type FrameParams } from "../bridge";
import { watchRules } from "./proactive";
import { Chat, type Config } from "./store";
import { App, type Layout } from "./view";
import css from "./style.css?inline";

// the styles ride in the script: one request less before the launcher can be drawn
const style = document.createElement("style");
style.textContent = css;
document.head.appendChild(style);

const DEFAULTS: Config = {
  title: "Support",
  color: "#4f46e5",
  position: "right",
  launcher_text: "Chat with us",
  welcome_message: "",
};

const params: FrameParams = decodeParams(location.hash) || {
  origin: "",
  open: false,
  url: document.referrer,
  title: "",
  mobile: false,
};
// Where the host page is: the browser's own record when it has one, else the loader's word.
// Posting to that origin only means a page that lies about it receives nothing.
const ancestors = (location as Location & { ancestorOrigins?: DOMStringList }).ancestorOrigins;
const parentOrigin = ancestors && ancestors.length ? ancestors[0] : params.origin;
const embedded = window.parent !== window && !!parentOrigin && parentOrigin !== "null";
const started = performance.now();
performance.mark("baton:start");

function post(event: AppEvent): void {
  if (embedded) window.parent.postMessage(event, parentOrigin);
}

async function loadConfig(): Promise<Config> {
  try {
    const response = await fetch("/api/v1/widget/config");
    if (!response.ok) return DEFAULTS;
    const body = (await response.json()) as Partial<Config>;
    return { ...DEFAULTS, ...body, position: body.position === "left" ? "left" : "right" };
  } catch {
    return DEFAULTS;
  }
}

const chat = new Chat(
  location.origin,
  "",
  { url: params.url, title: params.title },
  { name: params.name, email: params.email },
  (message) => post({ baton: 1, ev: "message", message }),
);
let lastUnread = 0;
chat.subscribe(() => {
  if (chat.state.unread !== lastUnread) {
    lastUnread = chat.state.unread;
    post({ baton: 1, ev: "unread", count: lastUnread });
  }
});
let mobile = params.mobile;
let config = DEFAULTS;
let readySent = false;
let onPage: (url: string) => void = () => undefined; // proactive rules, armed with the config

function onLayout(layout: Layout): void {
  post({ baton: 1, ev: "layout", position: config.position, ...layout });
  if (!readySent) {
    readySent = true;
    performance.mark("baton:launcher");
    post({ baton: 1, ev: "ready", launcherMs: performance.now() - started });
  }
  try {
    sessionStorage.setItem("baton:open", layout.open ? "1" : "0");
  } catch {
    /* storage blocked: the panel just starts closed */
  }
}

function draw(): void {
  render(<App chat={chat} config={config} mobile={mobile} onLayout={onLayout} />, document.body);
}

window.addEventListener("message", (event: MessageEvent) => {
  if (event.source !== window.parent || event.source === window) return;
  const command = event.data as Command;
  if (!command || command.baton !== 1) return;
  switch (command.cmd) {
    case "open":
      chat.setOpen(true);
      break;
    case "close":
      chat.setOpen(false);
      break;
    case "identify":
      chat.identify({
        name: typeof command.visitor.name === "string" ? command.visitor.name : undefined,
        email: typeof command.visitor.email === "string" ? command.visitor.email : undefined,
      });
      break;
    case "page":
      chat.setPage({ url: String(command.url), title: String(command.title) });
      onPage(String(command.url));
      break;
    case "viewport":
      mobile = !!command.mobile;
      draw();
      break;
  }
});
document.addEventListener("keydown", (e) => {
  // Escape closes the chat, except on the emoji palette's button: there it is the palette's
  const inPalette = e.target instanceof Element && e.target.closest(".emoji") !== null;
  if (e.key === "Escape" && !inPalette) chat.setOpen(false);
});

void loadConfig().then((loaded) => {
  performance.mark("baton:config");
  config = loaded;
  if (loaded.online === false) chat.offerOfflineForm("closed", loaded.next_open_at || null);
  onPage = watchRules(loaded.proactive_rules || [], (text) => chat.greet(text));
  onPage(params.url);
  chat.state = { ...chat.state, welcome: chat.state.welcome || loaded.welcome_message };
  let reopen = false;
  try {
    reopen = sessionStorage.getItem("baton:open") === "1";
  } catch {
    reopen = false;
  }
  if (params.open || reopen) chat.setOpen(true);
  draw();
  // connect once the launcher is up: the session start (database work on the server) then
  // does not compete with drawing the launcher; a visitor cannot type before it anyway
  chat.connect();
});
