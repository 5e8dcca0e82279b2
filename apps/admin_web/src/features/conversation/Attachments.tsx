// Attachments in the inbox: files on messages (inline previews for images and PDFs) and the
// composer's uploads (attach button, drop, paste, progress, retry). docs/attachments.md.
import { lazy, Suspense, useState } from "react";
import { currentToken } from "../../session";
import "./attachments.css";
import type { Attachment } from "../../types";

export type { Attachment };

function fit(f: Attachment, maxW: number, maxH: number): { width?: number; height?: number } {
  if (!f.width || !f.height) return {};
  const scale = Math.min(1, maxW / f.width, maxH / f.height);
  return { width: Math.round(f.width * scale), height: Math.round(f.height * scale) };
}

function Clip() {
  return (
    <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
      <path
        fill="currentColor"
        d="M16.5 6v11.5a4 4 0 0 1-8 0V5a2.5 2.5 0 0 1 5 0v10.5a1 1 0 0 1-2 0V6H10v9.5a2.5 2.5 0 0 0 5 0V5a4 4 0 0 0-8 0v12.5a5.5 5.5 0 0 0 11 0V6z"
      />
    </svg>
  );
}

export const ATTACH_EVENT = "baton:composer-attach";
export interface AttachDetail {
  conversationId: string;
  file: File;
}

/** Subscribe a composer to files for its conversation; returns the unsubscribe. */
export function onAttach(conversationId: string, handle: (file: File) => void): () => void {
  const listener = (e: Event) => {
    const detail = (e as CustomEvent<AttachDetail>).detail;
    if (detail.conversationId === conversationId) handle(detail.file);
  };
  window.addEventListener(ATTACH_EVENT, listener);
  return () => window.removeEventListener(ATTACH_EVENT, listener);
}

export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function PdfPreview({ file }: { file: Attachment }) {
  const [open, setOpen] = useState(false);
  return (
    <div className="file-pdf">
      <a href={file.url} target="_blank" rel="noopener" className="file-link">
        <Clip /> {file.filename} (PDF) <small>{fileSize(file.size)}</small>
      </a>{" "}
      <button type="button" className="link" onClick={() => setOpen(!open)} aria-expanded={open}>
        {open ? "Hide preview" : "Preview"}
      </button>
      {open && <iframe src={file.url} title={`Preview of ${file.filename}`} className="pdf-frame" data-testid="pdf-preview" />}
    </div>
  );
}

const Annotator = lazy(() => import("./Annotator").then((m) => ({ default: m.Annotator })));

/** A message's files: images as inline previews (the thumbnail, linking to the original),
 * which an agent who may reply can annotate into a new attachment. */
export function MessageFiles({
  files,
  conversationId,
  canAnnotate = false,
}: {
  files: Attachment[] | undefined;
  conversationId?: string;
  canAnnotate?: boolean;
}) {
  const [annotating, setAnnotating] = useState<Attachment | null>(null);
  if (!files || files.length === 0) return null;
  return (
    <div className="msg-files">
      {annotating && conversationId && (
        <Suspense fallback={null}>
          <Annotator file={annotating} conversationId={conversationId} onClose={() => setAnnotating(null)} />
        </Suspense>
      )}
      {files.map((f) =>
        f.expired ? (
          <span key={f.id} className="file-expired" data-testid="inbox-attachment-expired">
            <Clip /> {f.filename} <small>file expired</small>
          </span>
        ) : f.thumbnail_url ? (
          <div key={f.id}>
            <a href={f.url} target="_blank" rel="noopener" className="file-image" title={`${f.filename} (${f.width}×${f.height})`}>
              <img src={f.thumbnail_url} alt={f.filename} data-testid="inbox-attachment-image" {...fit(f, 240, 200)} />
            </a>
            {canAnnotate && conversationId && (
              <button type="button" className="link file-annotate" onClick={() => setAnnotating(f)}>
                Annotate
              </button>
            )}
          </div>
        ) : f.content_type === "application/pdf" ? (
          <PdfPreview key={f.id} file={f} />
        ) : (
          <a key={f.id} href={f.url} target="_blank" rel="noopener" className="file-link">
            <Clip /> {f.filename} <small>{fileSize(f.size)}</small>
          </a>
        ),
      )}
    </div>
  );
}

export interface ComposerUpload {
  key: string;
  file: File;
  progress: number;
  state: "uploading" | "done" | "failed";
  error: string | null;
  attachment: Attachment | null;
}

function uploadFile(conversationId: string, file: File, onProgress: (p: number) => void): Promise<Attachment> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/v1/attachments?conversation_id=${encodeURIComponent(conversationId)}`);
    const token = currentToken();
    if (token) xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.responseType = "json";
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      const body = xhr.response as (Attachment & { detail?: unknown }) | null;
      if (xhr.status === 201 && body && body.id) resolve(body);
      else reject(new Error(body && typeof body.detail === "string" ? body.detail : `upload failed (${xhr.status})`));
    };
    xhr.onerror = () => reject(new Error("network error"));
    const form = new FormData();
    form.append("file", file, file.name || "pasted-image.png");
    xhr.send(form);
  });
}

/** The composer's uploads for one conversation. */
export function useUploads(conversationId: string) {
  const [uploads, setUploads] = useState<ComposerUpload[]>([]);
  const patch = (key: string, change: Partial<ComposerUpload>) =>
    setUploads((list) => list.map((u) => (u.key === key ? { ...u, ...change } : u)));
  const start = (u: ComposerUpload) => {
    uploadFile(conversationId, u.file, (progress) => patch(u.key, { progress })).then(
      (attachment) => patch(u.key, { state: "done", progress: 1, attachment }),
      (err: unknown) => patch(u.key, { state: "failed", error: err instanceof Error ? err.message : "upload failed" }),
    );
  };
  return {
    uploads,
    uploading: uploads.some((u) => u.state === "uploading"),
    ready: uploads.flatMap((u) => (u.state === "done" && u.attachment ? [u.attachment] : [])),
    add(files: File[]) {
      const added = files.map((file) => ({
        key: `${Date.now()}-${Math.random()}`,
        file,
        progress: 0,
        state: "uploading" as const,
        error: null,
        attachment: null,
      }));
      setUploads((list) => [...list, ...added]);
      added.forEach(start);
    },
    retry(key: string) {
      const u = uploads.find((x) => x.key === key);
      if (!u) return;
      patch(key, { state: "uploading", progress: 0, error: null });
      start(u);
    },
    remove(key: string) {
      setUploads((list) => list.filter((u) => u.key !== key));
    },
    clearSent() {
      setUploads((list) => list.filter((u) => u.state !== "done"));
    },
    reset() {
      setUploads([]);
    },
  };
}

export type Uploads = ReturnType<typeof useUploads>;

export function filesOf(data: DataTransfer | null): File[] {
  if (!data) return [];
  const out: File[] = [];
  for (const item of Array.from(data.items ?? [])) {
    if (item.kind === "file") {
      const f = item.getAsFile();
      if (f) out.push(f);
    }
  }
  return out.length ? out : Array.from(data.files ?? []);
}

export function UploadTray({ uploads }: { uploads: Uploads }) {
  if (uploads.uploads.length === 0) return null;
  return (
    <ul className="composer-uploads" data-testid="composer-uploads">
      {uploads.uploads.map((u) => (
        <li key={u.key} className={`composer-upload ${u.state}`} data-state={u.state}>
          <span className="name">
            {u.state === "done" ? "✓ " : ""}
            {u.file.name || "pasted image"} · {fileSize(u.file.size)}
          </span>
          {u.state === "uploading" && <progress max={1} value={u.progress} aria-label={`Uploading ${u.file.name}`} />}
          {u.state === "failed" && (
            <button type="button" className="link" onClick={() => uploads.retry(u.key)} title={u.error ?? ""}>
              {u.error ?? "Failed"} · Retry
            </button>
          )}
          <button type="button" className="link" aria-label={`Remove ${u.file.name}`} onClick={() => uploads.remove(u.key)}>
            Remove
          </button>
        </li>
      ))}
    </ul>
  );
}

export function AttachButton({ uploads, disabled }: { uploads: Uploads; disabled: boolean }) {
  return (
    <label className={`attach-button${disabled ? " disabled" : ""}`} title="Attach files">
      <Clip />
      <span className="visually-hidden">Attach files</span>
      <input
        type="file"
        multiple
        hidden
        disabled={disabled}
        data-testid="composer-attach"
        onChange={(e) => {
          if (e.target.files) uploads.add(Array.from(e.target.files));
          e.target.value = "";
        }}
      />
    </label>
  );
}
