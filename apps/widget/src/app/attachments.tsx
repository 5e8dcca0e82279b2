// Attachments in the widget: the attach button, drag-and-drop and paste (wired in view.tsx),
// the tray of uploads with progress and retry, and files in the transcript.
import type { JSX } from "preact";
import { useRef } from "preact/hooks";
import type { Attachment, Chat, Upload } from "./store";

const ACCEPT = "image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.odp";

/** Width and height that fit the box, so the transcript lays out before the image loads. */
export function fit(f: Attachment, maxW: number, maxH: number): { width?: number; height?: number } {
  if (!f.width || !f.height) return {};
  const scale = Math.min(1, maxW / f.width, maxH / f.height);
  return { width: Math.round(f.width * scale), height: Math.round(f.height * scale) };
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function AttachButton({ chat, disabled }: { chat: Chat; disabled: boolean }): JSX.Element {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button
        type="button"
        class="attach"
        aria-label="Attach a file"
        data-testid="attach"
        disabled={disabled}
        onClick={() => input.current && input.current.click()}
      >
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
          <path
            fill="currentColor"
            d="M16.5 6v11.5a4 4 0 0 1-8 0V5a2.5 2.5 0 0 1 5 0v10.5a1 1 0 0 1-2 0V6H10v9.5a2.5 2.5 0 0 0 5 0V5a4 4 0 0 0-8 0v12.5a5.5 5.5 0 0 0 11 0V6z"
          />
        </svg>
      </button>
      <input
        ref={input}
        type="file"
        multiple
        accept={ACCEPT}
        hidden
        data-testid="attach-input"
        onChange={(e) => {
          const box = e.currentTarget as HTMLInputElement;
          if (box.files) chat.attach(Array.from(box.files));
          box.value = "";
        }}
      />
    </>
  );
}

export function UploadTray({ chat, uploads }: { chat: Chat; uploads: Upload[] }): JSX.Element | null {
  if (!uploads.length) return null;
  return (
    <ul class="uploads" data-testid="uploads">
      {uploads.map((u) => (
        <li key={u.key} class={`upload ${u.state}`} data-state={u.state}>
          <span class="name" title={u.file.name}>
            {u.file.name || "pasted image"} · {size(u.file.size)}
          </span>
          {u.state === "uploading" ? (
            <progress max={1} value={u.progress} aria-label={`Uploading ${u.file.name}`} data-testid="upload-progress" />
          ) : null}
          {u.state === "failed" ? (
            <button type="button" class="retry" onClick={() => chat.retryUpload(u.key)} title={u.error || ""}>
              {u.error || "Failed"} · Retry
            </button>
          ) : null}
          <button type="button" class="remove" aria-label={`Remove ${u.file.name}`} onClick={() => chat.removeUpload(u.key)}>
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}

export function Files({ files }: { files: Attachment[] }): JSX.Element | null {
  if (!files.length) return null;
  return (
    <div class="files">
      {files.map((f) =>
        f.expired ? (
          <span key={f.id} class="file expired" data-testid="attachment-expired">
            📎 {f.filename} <small>file expired</small>
          </span>
        ) : f.thumbnail_url ? (
          <a key={f.id} href={f.url} target="_blank" rel="noopener" class="thumb" title={f.filename}>
            <img src={f.thumbnail_url} alt={f.filename} data-testid="attachment-image" {...fit(f, 200, 160)} />
          </a>
        ) : (
          <a key={f.id} href={f.url} target="_blank" rel="noopener" class="file" data-testid="attachment-file">
            📎 {f.filename} <small>{size(f.size)}</small>
          </a>
        ),
      )}
    </div>
  );
}

/** Files from a drop or a paste (a screenshot pasted from the clipboard is a File too). */
export function filesOf(data: DataTransfer | null): File[] {
  if (!data) return [];
  const out: File[] = [];
  for (const item of Array.from(data.items || [])) {
    if (item.kind === "file") {
      const file = item.getAsFile();
      if (file) out.push(file);
    }
  }
  return out.length ? out : Array.from(data.files || []);
}
