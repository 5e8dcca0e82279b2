import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Served by the api at /app/ (see STATIC_MOUNTS in apps/api/baton/app.py).
// `npm run dev` proxies the API and Socket.IO to a local `baton serve` (BATON_API, default :8000).
const api = process.env.BATON_API ?? "http://127.0.0.1:8000";

export default defineConfig({
  base: "/app/",
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false, target: "es2022" },
  server: {
    proxy: {
      "/api": api,
      "/socket.io": { target: api, ws: true },
    },
  },
});
