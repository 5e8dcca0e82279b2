// The one REST client: openapi-fetch typed by the generated schema (npm run gen:api).
import createClient, { type Middleware } from "openapi-fetch";
import { currentToken, markExpired } from "../session";
import type { paths } from "./schema";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: unknown,
  ) {
    super(detailText(detail) || code);
    this.name = "ApiError";
  }
}

const auth: Middleware = {
  onRequest({ request }) {
    const token = currentToken();
    if (token && !request.headers.has("Authorization")) {
      request.headers.set("Authorization", `Bearer ${token}`);
    }
    return request;
  },
  onResponse({ request, response }) {
    // a 401 on an authenticated call means the token expired or was revoked
    if (response.status === 401 && request.headers.has("Authorization")) markExpired();
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin });
api.use(auth);

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Await an openapi-fetch call and return its data, or throw an ApiError. */
export async function ok<T>(call: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await call;
  } catch (exc) {
    throw new ApiError(0, "network_error", "The server could not be reached.");
  }
  const { data, error, response } = result;
  if (response.ok) return data as T;
  const body = (error ?? {}) as { error?: unknown; detail?: unknown };
  const code = typeof body.error === "string" ? body.error : `http_${response.status}`;
  throw new ApiError(response.status, code, body.detail ?? response.statusText);
}

/** Turn a `detail` of any shape (string, {message, errors: [{message, key}]}, list) into words. */
export function detailText(detail: unknown): string {
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) return detail.map(detailText).filter(Boolean).join("; ");
  if (detail && typeof detail === "object") {
    const d = detail as { message?: unknown; errors?: unknown; key?: unknown };
    const errors = d.errors !== undefined ? detailText(d.errors) : "";
    const message = typeof d.message === "string" ? d.message : "";
    const key = typeof d.key === "string" && d.key ? `${d.key}: ` : "";
    if (errors) return errors;
    return message ? `${key}${message}` : "";
  }
  return "";
}

export function errorText(exc: unknown): string {
  if (exc instanceof ApiError) {
    const text = detailText(exc.detail);
    if (text) return text;
    return exc.code.replace(/_/g, " ");
  }
  if (exc instanceof Error) return exc.message;
  return String(exc);
}
