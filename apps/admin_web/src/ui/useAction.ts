import { useMutation, useQueryClient, type QueryKey } from "@tanstack/react-query";
import { toast } from "./Toast";

/**
 * A server action behind a button: runs the call, says so in a toast when it worked,
 * invalidates the queries it changed, and keeps the error (`.error`) for the form to show inline.
 */
export function useAction<A, R>(
  call: (args: A) => Promise<R>,
  { done, invalidate = [], onDone }: { done?: string | ((r: R, a: A) => string); invalidate?: QueryKey[]; onDone?: (r: R, a: A) => void } = {},
) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: call,
    onSuccess: async (result, args) => {
      await Promise.all(invalidate.map((queryKey) => client.invalidateQueries({ queryKey })));
      if (done) toast(typeof done === "function" ? done(result, args) : done);
      onDone?.(result, args);
    },
  });
}
