import { defaultClientConditions, defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The site is served by the API's own origin (dev/local-server.ts locally, CloudFront on AWS),
// so it calls the API with relative URLs and needs no CORS.
export default defineConfig({
  plugins: [react()],
  // The contract's TypeScript sources, as everywhere else in the repository (no build of packages/ needed first).
  resolve: { conditions: ['@license-activation/source', ...defaultClientConditions] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Each chunk's gzip size, in the build's report; what a first visit loads is measured by the browser tests
    // (`firstLoadJsGzipBytes`): the budget is 200 KB gzip on first load.
    // package.json's build sets NODE_ENV=production: from a test process (NODE_ENV=test) Vite would otherwise
    // bundle React's development build, 1.6 times the size.
    reportCompressedSize: true,
    // CSP: no inline scripts, so no module-preload polyfill injected as one.
    modulePreload: { polyfill: false },
  },
});
