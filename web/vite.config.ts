import { createHash } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath, URL } from 'node:url'
import { defineConfig, type Plugin } from 'vite'
import vue from '@vitejs/plugin-vue'

// The FastAPI app serves web/dist at "/" with an SPA fallback; in dev, /api goes to it.
const backend = process.env.CG_DEV_BACKEND ?? 'http://127.0.0.1:8000'

/** Writes the build id and the list of built JS/CSS into dist/sw.js so the whole shell is precached. */
function serviceWorkerPrecache(): Plugin {
  let outDir = 'dist'
  let files: string[] = []
  return {
    name: 'cg-sw-precache',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir)
    },
    generateBundle(_options, bundle) {
      files = Object.keys(bundle)
        // Big optional players/charts are cached on first use instead of on install.
        .filter((f) => /\.(js|css)$/.test(f) && !/(^|\/)(hls|echarts)-/.test(f))
        .map((f) => '/' + f)
        .sort()
    },
    closeBundle() {
      const path = join(outDir, 'sw.js')
      if (!existsSync(path)) return
      const build = createHash('sha256').update(files.join('\n')).digest('hex').slice(0, 12)
      const source = readFileSync(path, 'utf8')
        .replace("const BUILD = 'dev'", `const BUILD = '${build}'`)
        .replace('const PRECACHE = []', `const PRECACHE = ${JSON.stringify(files)}`)
      writeFileSync(path, source)
    },
  }
}

export default defineConfig({
  base: '/',
  plugins: [vue(), serviceWorkerPrecache()],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: {
      '/api': { target: backend, changeOrigin: true, ws: true },
      '/healthz': { target: backend, changeOrigin: true },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    chunkSizeWarningLimit: 1200,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: 'element-plus', test: /node_modules[\\/](element-plus|@element-plus|@vueuse|@floating-ui|dayjs|lodash)/ },
            { name: 'vue', test: /node_modules[\\/](vue|@vue|vue-router|pinia|vue-i18n|@intlify)[\\/]/ },
            { name: 'echarts', test: /node_modules[\\/](echarts|zrender)[\\/]/ },
            { name: 'hls', test: /node_modules[\\/]hls\.js[\\/]/ },
          ],
        },
      },
    },
  },
})
