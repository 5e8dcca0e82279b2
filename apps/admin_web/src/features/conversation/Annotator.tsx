// Annotating an image before sending it: boxes, arrows, freehand, text, blur (pixelate, to
// redact) and undo, on a canvas at the image's own resolution. The result is a new PNG handed
// to the composer as an upload; the original attachment stays as it was.
import { useEffect, useRef, useState, type PointerEvent as ReactPointerEvent } from "react";
import { Dialog } from "../../ui/Dialog";
import type { Attachment } from "../../types";
import { ATTACH_EVENT, type AttachDetail } from "./Attachments";

type Tool = "box" | "arrow" | "pen" | "text" | "blur";
type Point = { x: number; y: number };
type Op =
  | { tool: "box" | "arrow" | "blur"; from: Point; to: Point }
  | { tool: "pen"; points: Point[] }
  | { tool: "text"; at: Point; text: string };

const COLOUR = "#e11d48";
const TOOLS: { tool: Tool; label: string }[] = [
  { tool: "box", label: "Box" },
  { tool: "arrow", label: "Arrow" },
  { tool: "pen", label: "Freehand" },
  { tool: "text", label: "Text" },
  { tool: "blur", label: "Blur" },
];

function rect(a: Point, b: Point) {
  return { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), w: Math.abs(a.x - b.x), h: Math.abs(a.y - b.y) };
}

function draw(ctx: CanvasRenderingContext2D, op: Op, scale: number): void {
  ctx.strokeStyle = COLOUR;
  ctx.fillStyle = COLOUR;
  ctx.lineWidth = Math.max(2, 3 * scale);
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  if (op.tool === "box") {
    const r = rect(op.from, op.to);
    ctx.strokeRect(r.x, r.y, r.w, r.h);
  } else if (op.tool === "arrow") {
    const { from, to } = op;
    const angle = Math.atan2(to.y - from.y, to.x - from.x);
    const head = 14 * scale;
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(to.x, to.y);
    ctx.moveTo(to.x, to.y);
    ctx.lineTo(to.x - head * Math.cos(angle - Math.PI / 7), to.y - head * Math.sin(angle - Math.PI / 7));
    ctx.moveTo(to.x, to.y);
    ctx.lineTo(to.x - head * Math.cos(angle + Math.PI / 7), to.y - head * Math.sin(angle + Math.PI / 7));
    ctx.stroke();
  } else if (op.tool === "pen") {
    ctx.beginPath();
    op.points.forEach((p, i) => (i ? ctx.lineTo(p.x, p.y) : ctx.moveTo(p.x, p.y)));
    ctx.stroke();
  } else if (op.tool === "text") {
    ctx.font = `bold ${Math.round(20 * scale)}px sans-serif`;
    ctx.textBaseline = "top";
    ctx.fillText(op.text, op.at.x, op.at.y);
  } else {
    // pixelate the region: what was there cannot be read back from the result
    const r = rect(op.from, op.to);
    if (r.w < 2 || r.h < 2) return;
    const block = Math.max(6, Math.round(12 * scale));
    const small = document.createElement("canvas");
    small.width = Math.max(1, Math.ceil(r.w / block));
    small.height = Math.max(1, Math.ceil(r.h / block));
    const sctx = small.getContext("2d");
    if (!sctx) return;
    sctx.drawImage(ctx.canvas, r.x, r.y, r.w, r.h, 0, 0, small.width, small.height);
    ctx.save();
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(small, 0, 0, small.width, small.height, r.x, r.y, r.w, r.h);
    ctx.restore();
  }
}

export function Annotator({ file, conversationId, onClose }: { file: Attachment; conversationId: string; onClose: () => void }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [image, setImage] = useState<HTMLImageElement | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tool, setTool] = useState<Tool>("box");
  const [label, setLabel] = useState("Here");
  const [ops, setOps] = useState<Op[]>([]);
  const [draft, setDraft] = useState<Op | null>(null);

  useEffect(() => {
    const img = new Image();
    img.onload = () => setImage(img);
    img.onerror = () => setError("The image could not be loaded.");
    img.src = file.url;
  }, [file.url]);

  const scale = image ? Math.max(1, Math.max(image.naturalWidth, image.naturalHeight) / 800) : 1;

  useEffect(() => {
    const el = canvas.current;
    const ctx = el?.getContext("2d");
    if (!el || !ctx || !image) return;
    el.width = image.naturalWidth;
    el.height = image.naturalHeight;
    ctx.drawImage(image, 0, 0);
    for (const op of draft ? [...ops, draft] : ops) draw(ctx, op, scale);
  }, [image, ops, draft, scale]);

  const point = (e: ReactPointerEvent<HTMLCanvasElement>): Point => {
    const el = e.currentTarget;
    const box = el.getBoundingClientRect();
    return {
      x: Math.round(((e.clientX - box.left) / box.width) * el.width),
      y: Math.round(((e.clientY - box.top) / box.height) * el.height),
    };
  };

  const onDown = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    const p = point(e);
    if (tool === "text") {
      if (label.trim()) setOps([...ops, { tool: "text", at: p, text: label.trim() }]);
      return;
    }
    e.currentTarget.setPointerCapture(e.pointerId);
    setDraft(tool === "pen" ? { tool: "pen", points: [p] } : { tool, from: p, to: p });
  };
  const onMove = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    if (!draft) return;
    const p = point(e);
    setDraft(draft.tool === "pen" ? { ...draft, points: [...draft.points, p] } : draft.tool === "text" ? draft : { ...draft, to: p });
  };
  const onUp = () => {
    if (draft) setOps([...ops, draft]);
    setDraft(null);
  };

  const attach = () => {
    const el = canvas.current;
    if (!el) return;
    el.toBlob((blob) => {
      if (!blob) {
        setError("The image could not be exported.");
        return;
      }
      const base = file.filename.replace(/\.[^.]+$/, "") || "image";
      const out = new File([blob], `${base}-annotated.png`, { type: "image/png" });
      window.dispatchEvent(new CustomEvent<AttachDetail>(ATTACH_EVENT, { detail: { conversationId, file: out } }));
      onClose();
    }, "image/png");
  };

  return (
    <Dialog open title={`Annotate ${file.filename}`} onClose={onClose}>
      <div className="annotator">
        <div className="annotator-tools" role="toolbar" aria-label="Annotation tools">
          {TOOLS.map((t) => (
            <button key={t.tool} type="button" className={`ui-btn ui-btn-small ${tool === t.tool ? "ui-btn-primary" : "ui-btn-secondary"}`} aria-pressed={tool === t.tool} onClick={() => setTool(t.tool)}>
              {t.label}
            </button>
          ))}
          {tool === "text" && (
            <input aria-label="Label text" value={label} maxLength={80} onChange={(e) => setLabel(e.target.value)} />
          )}
          <button type="button" className="ui-btn ui-btn-small ui-btn-secondary" disabled={!ops.length} onClick={() => setOps(ops.slice(0, -1))}>
            Undo
          </button>
        </div>
        {error ? <p role="alert">{error}</p> : null}
        <canvas
          ref={canvas}
          className="annotator-canvas"
          data-testid="annotator-canvas"
          aria-label="The image; drag to draw"
          onPointerDown={onDown}
          onPointerMove={onMove}
          onPointerUp={onUp}
          onPointerCancel={onUp}
        />
        <div className="annotator-actions">
          <span className="composer-hint">The original stays as it is; the annotated copy is attached to your reply.</span>
          <button type="button" className="ui-btn ui-btn-primary" disabled={!image || !ops.length} onClick={attach}>
            Attach to reply
          </button>
        </div>
      </div>
    </Dialog>
  );
}
