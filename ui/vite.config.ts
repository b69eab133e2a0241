// Builds the web admin into dist/, which `provisio serve` serves (--ui-dir). Hashed file names
// under assets/ let the server mark them immutable; index.html is never cached.
import { defineConfig } from "vitest/config";

export default defineConfig({
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { outDir: "dist", assetsDir: "assets", sourcemap: false },
  server: {
    // `npm run dev` against a server on the default port.
    proxy: { "/api": "http://localhost:9000", "/sessions": "http://localhost:9000", "/oauth2": "http://localhost:9000" },
  },
  test: { environment: "node", include: ["src/**/*.test.ts", "src/**/*.test.tsx"] },
});
