// Server-Sent Events from a fetch body (POST, with our auth header: EventSource cannot), each
// event yielded as soon as its blank line arrives.

export interface SseEvent {
  event: string;
  data: string;
}

/** One event block ("event: x" and "data: y" lines); null for a comment-only block. */
export function parseBlock(block: string): SseEvent | null {
  let event = "message";
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  return data.length ? { event, data: data.join("\n") } : null;
}

/** The events of a text/event-stream body, in order, as they arrive. */
export async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      // CRLF or LF line ends; a CR at the very end may be half of a CRLF still on its way
      const held = !done && buffer.endsWith("\r") ? "\r" : "";
      let text = (held ? buffer.slice(0, -1) : buffer).replace(/\r\n?/g, "\n");
      let end: number;
      while ((end = text.indexOf("\n\n")) >= 0) {
        const event = parseBlock(text.slice(0, end));
        text = text.slice(end + 2);
        if (event) yield event;
      }
      buffer = text + held;
      if (done) {
        const last = parseBlock(buffer);
        if (last) yield last;
        return;
      }
    }
  } finally {
    reader.releaseLock();
  }
}
