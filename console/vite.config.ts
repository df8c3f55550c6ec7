/** The console's front end: built into console/dist and served by the console function under /console. */
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No inlined assets: the page's Content-Security-Policy allows files of its own origin only.
    assetsInlineLimit: 0,
  },
  logLevel: 'info',
});
