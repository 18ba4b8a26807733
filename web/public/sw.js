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

// Web Push from the alarm module: show the notification and open the incident on click.
self.addEventListener('push', (event) => {
  let data = {}
  try {
    data = event.data ? event.data.json() : {}
  } catch {
    data = { title: '校园安保告警', body: event.data ? event.data.text() : '' }
  }
  const title = data.title || '校园安保告警'
  event.waitUntil(
    self.registration.showNotification(title, {
      body: data.body || '',
      tag: data.tag || data.url || 'campusguard-alarm',
      renotify: true,
      requireInteraction: true,
      data: { url: data.url || '/m/alarm' },
    }),
  )
})

self.addEventListener('notificationclick', (event) => {
  event.notification.close()
  const url = (event.notification.data && event.notification.data.url) || '/m/alarm'
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
      for (const w of windows) {
        if ('focus' in w) {
          w.navigate(url)
          return w.focus()
        }
      }
      return self.clients.openWindow(url)
    }),
  )
})
