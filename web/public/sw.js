/*
 * CampusGuard service worker: precaches the app shell (index.html, icons and every built JS/CSS file,
 * listed into this file by the build) so the console and /m open without a network. Never touches the
 * API, the live socket or video. Hashed assets are cache-first; pages are network-first.
 */
const BUILD = 'dev' // replaced by the build (vite.config.ts)
const PRECACHE = [] // replaced by the build: '/assets/...' files
const VERSION = `cg-shell-${BUILD}`
const SHELL = ['/index.html', '/manifest.webmanifest', '/icons/icon.svg', '/icons/icon-192.png', '/icons/icon-512.png']

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(VERSION)
      .then((cache) => cache.addAll([...SHELL, ...PRECACHE]))
      .then(() => self.skipWaiting()),
  )
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('cg-shell-') && k !== VERSION).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  )
})

function isBypassed(url) {
  return (
    url.origin !== self.location.origin ||
    url.pathname.startsWith('/api/') ||
    url.pathname.startsWith('/healthz') ||
    url.pathname.startsWith('/readyz') ||
    url.pathname.startsWith('/metrics') ||
    url.pathname.startsWith('/media/') ||
    url.pathname.endsWith('.m3u8') ||
    url.pathname.endsWith('.ts')
  )
}

function putInCache(request, response) {
  if (response.ok && response.type === 'basic') {
    const copy = response.clone()
    caches.open(VERSION).then((cache) => cache.put(request, copy))
  }
  return response
}

self.addEventListener('fetch', (event) => {
  const request = event.request
  if (request.method !== 'GET') return
  const url = new URL(request.url)
  if (isBypassed(url)) return

  // SPA navigations: fresh index.html when online, the cached shell when not.
  if (request.mode === 'navigate') {
    event.respondWith(
      fetch(request)
        .then((response) => (response.ok ? putInCache('/index.html', response) : response))
        .catch(() => caches.match('/index.html', { cacheName: VERSION }).then((r) => r || Response.error())),
    )
    return
  }

  // Content-hashed build output never changes: serve from cache, fill on first use.
  if (url.pathname.startsWith('/assets/') || url.pathname.startsWith('/icons/')) {
    event.respondWith(caches.match(request).then((cached) => cached || fetch(request).then((r) => putInCache(request, r))))
  }
})
