// The loader: one classic script (IIFE) a host page includes with a <script> tag.
import { defineConfig } from "vite";

export default defineConfig({
  publicDir: false,
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2018",
    sourcemap: false,
    lib: {
      entry: "src/loader/loader.ts",
      formats: ["iife"],
      name: "BatonLoader",
      fileName: () => "loader.js",
    },
  },
});
