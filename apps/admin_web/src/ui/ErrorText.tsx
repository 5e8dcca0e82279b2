import { errorText } from "../api/client";

/** A server error ({"error","detail"} body) or a network failure, said plainly. */
export function ErrorText({ error, prefix }: { error: unknown; prefix?: string }) {
  if (!error) return null;
  return (
    <p className="ui-alert" role="alert">
      {prefix ? `${prefix}: ` : ""}
      {errorText(error)}
    </p>
  );
}
