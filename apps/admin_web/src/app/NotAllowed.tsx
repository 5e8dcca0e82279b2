import { Link } from "react-router";

export function NotAllowed({ permission }: { permission: string }) {
  return (
    <section className="page-message" aria-labelledby="not-allowed-title">
      <h1 id="not-allowed-title">Not allowed</h1>
      <p>
        Your role does not include <code>{permission}</code>, which this page needs. Ask an admin if you need it.
      </p>
      <Link to="/inbox/waiting">Back to the inbox</Link>
    </section>
  );
}

export function NotFound() {
  return (
    <section className="page-message" aria-labelledby="not-found-title">
      <h1 id="not-found-title">Page not found</h1>
      <p>There is nothing at this address.</p>
      <Link to="/inbox/waiting">Back to the inbox</Link>
    </section>
  );
}
