// Canned responses over REST, through the one generated client.
import type { components } from "../../api/schema";
import { api, ok } from "../../api/client";

type S = components["schemas"];
export type Canned = S["CannedOut"];
export type CannedIn = S["CannedIn"];
export type CannedPatch = S["CannedPatch"];
export type ImportResult = S["ImportResult"];

const idPath = (id: string) => ({ params: { path: { canned_id: id } } });

export interface ImportOptions {
  dryRun: boolean;
  upsert: boolean;
  createCategories: boolean;
  visibility: "personal" | "global";
}

export const canned = {
  list: (cursor?: string) => ok(api.GET("/api/v1/canned-responses", { params: { query: { cursor, limit: 50 } } })),
  /** Fuzzy search (q) or, for an empty query, the first few by shortcut. */
  search: (q: string, limit = 8) =>
    ok(api.GET("/api/v1/canned-responses", { params: { query: q.trim() ? { q, limit } : { limit } } })),
  create: (body: CannedIn) => ok(api.POST("/api/v1/canned-responses", { body })),
  update: (id: string, body: CannedPatch) => ok(api.PATCH("/api/v1/canned-responses/{canned_id}", { ...idPath(id), body })),
  remove: (id: string) => ok(api.DELETE("/api/v1/canned-responses/{canned_id}", idPath(id))),
  render: (id: string, conversationId: string | null) =>
    ok(
      api.POST("/api/v1/canned-responses/{canned_id}/render", {
        ...idPath(id),
        body: conversationId ? { conversation_id: conversationId } : {},
      }),
    ),
  categories: () => ok(api.GET("/api/v1/canned-responses/categories")),
  import: (file: File, options: ImportOptions) => {
    const form = new FormData();
    form.append("file", file);
    return ok(
      api.POST("/api/v1/canned-responses/import", {
        params: {
          query: {
            dry_run: options.dryRun,
            upsert: options.upsert,
            create_categories: options.createCategories,
            visibility: options.visibility,
          },
        },
        // the browser writes the multipart boundary itself
        body: form as unknown as S["ImportForm"],
        bodySerializer: (b: unknown) => b as FormData,
      }),
    );
  },
  /** The sheet as a Blob (the call needs the bearer token, so no plain link). */
  export: async (format: "xlsx" | "csv"): Promise<Blob> => {
    const result = await api.GET("/api/v1/canned-responses/export", {
      params: { query: { format } },
      parseAs: "blob",
    });
    return ok(Promise.resolve(result)) as Promise<Blob>;
  },
};
