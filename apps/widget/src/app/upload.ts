// Loaded on first use (import("./upload")): an attachment's upload with progress. XHR, not
// fetch: only XHR reports upload progress. See docs/attachments.md.
import type { Attachment } from "./store";

export class UploadError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export function upload(file: File, sessionToken: string, onProgress: (fraction: number) => void): Promise<Attachment> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/v1/attachments");
    xhr.setRequestHeader("X-Baton-Session", sessionToken);
    xhr.responseType = "json";
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      const body = xhr.response as (Attachment & { error?: string; detail?: string }) | null;
      if (xhr.status === 201 && body && body.id) {
        onProgress(1);
        resolve(body);
        return;
      }
      const detail = body && typeof body.detail === "string" ? body.detail : `upload failed (${xhr.status})`;
      reject(new UploadError(detail, xhr.status >= 500 || xhr.status === 429 || xhr.status === 401));
    };
    xhr.onerror = () => reject(new UploadError("network error", true));
    const form = new FormData();
    form.append("file", file, file.name || "pasted-image.png");
    xhr.send(form);
  });
}
