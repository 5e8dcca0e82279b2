// A conversation's CSAT rating over the generated client; ``csat_submitted`` refreshes it.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { api, ok } from "../../api/client";
import type { components } from "../../api/schema";
import { realtime } from "../../realtime/connector";

export type Csat = components["schemas"]["CsatOut"];

export const csatKeys = {
  conversation: (id: string) => ["conversations", id, "csat"] as const,
};

export const csatOf = (id: string) =>
  ok(api.GET("/api/v1/conversations/{conversation_id}/csat", { params: { path: { conversation_id: id } } }));

/** The rating of one conversation (null until the visitor rates it), kept live. */
export function useCsat(id: string) {
  const client = useQueryClient();
  useEffect(
    () =>
      realtime.on("csat_submitted", ({ conversation_id }) => {
        if (conversation_id === id) void client.invalidateQueries({ queryKey: csatKeys.conversation(id) });
      }),
    [client, id],
  );
  return useQuery({ queryKey: csatKeys.conversation(id), queryFn: () => csatOf(id) });
}
