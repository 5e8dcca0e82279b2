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
    super(typeof detail === "string" && detail ? detail : code);
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

export function errorText(exc: unknown): string {
  if (exc instanceof ApiError) {
    if (typeof exc.detail === "string" && exc.detail) return exc.detail;
    return exc.code.replace(/_/g, " ");
  }
  if (exc instanceof Error) return exc.message;
  return String(exc);
}
