import { describe, expect, it } from "vitest";
import { parseBlock, readEvents } from "./sse";

function body(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function all(chunks: string[]) {
  const out = [];
  for await (const e of readEvents(body(chunks))) out.push(e);
  return out;
}

describe("server-sent events", () => {
  it("parses a block's event and data lines, skipping comments", () => {
    expect(parseBlock('event: delta\ndata: {"text":"Hi"}')).toEqual({ event: "delta", data: '{"text":"Hi"}' });
    expect(parseBlock("data: a\ndata: b")).toEqual({ event: "message", data: "a\nb" });
    expect(parseBlock(": keep-alive")).toBeNull();
  });

  it("yields events split anywhere across chunks, LF or CRLF", async () => {
    expect(
      await all(['event: delta\r\ndata: {"text":"He', 'llo"}\r', "\n\r\nevent: done\ndata: {}\n", "\n"]),
    ).toEqual([
      { event: "delta", data: '{"text":"Hello"}' },
      { event: "done", data: "{}" },
    ]);
  });

  it("keeps a last event that has no blank line after it", async () => {
    expect(await all(["data: x"])).toEqual([{ event: "message", data: "x" }]);
  });
});
