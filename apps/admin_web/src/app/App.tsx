import { QueryClientProvider } from "@tanstack/react-query";
import { useMemo } from "react";
import { RouterProvider } from "react-router";
import { queryClient } from "../api/queries";
import { useStore } from "../lib/store";
import { sessionStore } from "../session";
import { Toaster } from "../ui";
import { buildRouter } from "./router";
import { SignIn } from "./SignIn";

export function App() {
  const { session, expired } = useStore(sessionStore);
  const userId = session?.user.id;
  // one router and a fresh cache per signed-in user: nothing of the last user's data survives
  const router = useMemo(() => {
    queryClient.clear();
    return userId ? buildRouter() : null;
  }, [userId]);
  if (!session || !router) return <SignIn />;
  return (
    <QueryClientProvider client={queryClient}>
      <div className="app" inert={expired}>
        <RouterProvider router={router} />
      </div>
      <Toaster />
      {expired && <SignIn expiredEmail={session.user.email} />}
    </QueryClientProvider>
  );
}
