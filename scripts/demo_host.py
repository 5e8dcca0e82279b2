"""A demo customer website on its own origin that embeds the Baton widget with one tag.

    python scripts/demo_host.py --port 8001 --api http://127.0.0.1:8000

``/`` is a small shop page using the widget's JavaScript API; ``/hostile`` is the same tag
under deliberately aggressive global CSS (``* { all: unset }``, huge fonts) to show the widget
is unaffected. Standard library only: ``scripts/run`` starts it, the browser tests reuse it.
"""

from __future__ import annotations

import argparse
import html
import json
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
<header><h1>Acme Outdoor</h1><p>Tents, stoves and sleeping bags since 1998.</p></header>
<main>
  <p>This page stands for a customer's website. It lives on <code id="origin"></code>; the
  widget comes from <code>{api}</code>, a different origin, through the one tag below.</p>
  <pre id="snippet">{snippet_text}</pre>
  <p>
    <button type="button" id="open">Baton.open()</button>
    <button type="button" id="close">Baton.close()</button>
    <button type="button" id="identify">Baton.identify({{name: "Ada", email: "ada@example.com"}})</button>
  </p>
  <h2>Baton.on('message') log</h2>
  <ol id="log"></ol>
</main>
<script>
  document.getElementById("origin").textContent = location.origin;
  window.hostMessages = [];
  window.batonSettings = {{ open: false }};
</script>
{snippet}
<script>
  function whenReady(fn) {{
    if (window.Baton && !Array.isArray(window.Baton)) fn(window.Baton);
    else setTimeout(function () {{ whenReady(fn); }}, 20);
  }}
  whenReady(function (Baton) {{
    Baton.on("message", function (m) {{
      window.hostMessages.push(m);
      var li = document.createElement("li");
      li.textContent = m.sender + ": " + m.text;  // text, never HTML
      document.getElementById("log").appendChild(li);
    }});
    document.getElementById("open").onclick = function () {{ Baton.open(); }};
    document.getElementById("close").onclick = function () {{ Baton.close(); }};
    document.getElementById("identify").onclick = function () {{
      Baton.identify({{ name: "Ada", email: "ada@example.com" }});
    }};
  }});
</script>
</body>
</html>
"""

PLAIN_STYLE = """
body { font: 16px/1.5 Georgia, serif; max-width: 720px; margin: 40px auto; padding: 0 16px;
       color: #1f2937; background: #fdfcf8; }
header { border-bottom: 2px solid #1f2937; margin-bottom: 24px; }
pre { background: #f3f4f6; padding: 12px; overflow-x: auto; white-space: pre-wrap; }
button { margin: 4px 4px 4px 0; }
"""

# A site with CSS that would wreck any widget living in its document.
HOSTILE_STYLE = """
* { all: unset; }
html, body { font-size: 72px !important; font-family: "Comic Sans MS", cursive !important;
             color: #ff00ff !important; line-height: 3 !important; letter-spacing: 8px !important; }
div, span, button, section, iframe { box-sizing: content-box !important; padding: 13px; }
button { background: lime !important; border: 9px dashed red !important; }
body * { font-size: 64px !important; }
head, script, style { display: none; }
"""


def render_page(api: str, *, hostile: bool) -> bytes:
    src = f"{api.rstrip('/')}/widget.js"
    snippet = f'<script src="{html.escape(src, quote=True)}" async></script>'
    return PAGE.format(
        title="Acme Outdoor (hostile CSS)" if hostile else "Acme Outdoor",
        style=HOSTILE_STYLE if hostile else PLAIN_STYLE,
        api=html.escape(api),
        snippet=snippet,
        snippet_text=html.escape(snippet),
    ).encode()


def make_handler(api: str) -> type[BaseHTTPRequestHandler]:
    pages = {
        "/": render_page(api, hostile=False),
        "/hostile": render_page(api, hostile=True),
    }

    class Handler(BaseHTTPRequestHandler):
        server_version = "BatonDemoHost/1"

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0].split("#", 1)[0]
            if path == "/favicon.ico":
                self._send(HTTPStatus.NO_CONTENT, b"", "image/x-icon")
                return
            if path == "/healthz":
                self._send(HTTPStatus.OK, json.dumps({"ok": True}).encode(), "application/json")
                return
            body = pages.get(path)
            if body is None:
                self._send(HTTPStatus.NOT_FOUND, b"not found", "text/plain; charset=utf-8")
                return
            self._send(HTTPStatus.OK, body, "text/html; charset=utf-8")

        def _send(self, status: HTTPStatus, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: scripts/run shows the api's logs

    return Handler


def make_server(host: str, port: int, api: str) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), make_handler(api))
    server.daemon_threads = True
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--api", default="http://127.0.0.1:8000", help="the Baton api's public URL")
    args = parser.parse_args()
    server = make_server(args.host, args.port, args.api)
    print(f"demo customer site on http://{args.host}:{args.port}/ (widget from {args.api})")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
