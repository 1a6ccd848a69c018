import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';

// Served by the Go server under /react/; the API lives on the same origin under /api/.
// `npm run dev` proxies /api to a local server (IMAGEAPP_URL, default http://localhost:3000).
export default defineConfig({
  base: '/react/',
  plugins: [react(), tailwindcss()],
  server: {
    proxy: {
      '/api': { target: process.env.IMAGEAPP_URL || 'http://localhost:3000', changeOrigin: false },
    },
  },
  build: {
    outDir: 'dist',
    sourcemap: false,
    // No inline scripts: the server's CSP forbids them.
    modulePreload: { polyfill: false },
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./test/setup.js'],
    include: ['test/**/*.test.{js,jsx}'],
    css: false,
    restoreMocks: true,
    // The screens' tests wait on rendered text (findBy…, up to 1 s each);
    // a loaded CI machine can take several seconds for a whole screen, and a
    // timeout there says nothing about the code.
    testTimeout: 20000,
  },
});
