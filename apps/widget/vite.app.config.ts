// The chat app: frame.html and its hashed assets, mounted by the loader in an iframe.
import { defineConfig } from "vite";

export default defineConfig({
  base: "/widget/",
  publicDir: false,
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "dist",
    emptyOutDir: false, // the loader build wrote dist/loader.js first
    target: "es2020",
    sourcemap: false,
    modulePreload: false,
    cssCodeSplit: false,
    rollupOptions: {
      input: { frame: "frame.html" },
    },
  },
});
