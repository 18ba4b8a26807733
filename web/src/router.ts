/** Routes: login, the console layout with every module's pages, and the phone entry at /m. */
import { createRouter, createWebHistory, type RouteLocationNormalized } from 'vue-router'
import { consoleRoutes, mobileRoutes } from './registry'
import { useAuth } from './stores/auth'
import { i18n } from './i18n'

export const router = createRouter({
  history: createWebHistory('/'),
  scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
  routes: [
    { path: '/login', name: 'login', component: () => import('./views/LoginView.vue'), meta: { public: true, title: 'login.title' } },
    {
      path: '/m',
      component: () => import('./layouts/MobileLayout.vue'),
      children: [
        { path: '', name: 'm-home', component: () => import('./views/MobileHome.vue'), meta: { title: 'mobile.home' } },
        ...mobileRoutes(),
      ],
    },
    {
      path: '/',
      component: () => import('./layouts/ConsoleLayout.vue'),
      children: [
        { path: '', name: 'home', component: () => import('./views/HomeView.vue'), meta: { title: 'menu.home' } },
        ...consoleRoutes(),
        { path: 'account', name: 'account', component: () => import('./views/AccountView.vue'), meta: { title: 'account.title' } },
        { path: '403', name: 'forbidden', component: () => import('./views/ForbiddenView.vue'), meta: { title: 'errors.forbidden' } },
        { path: ':pathMatch(.*)*', name: 'not-found', component: () => import('./views/NotFoundView.vue'), meta: { title: 'errors.notFound' } },
      ],
    },
  ],
})

function isPublic(to: RouteLocationNormalized): boolean {
  return to.matched.some((r) => r.meta.public)
}

router.beforeEach(async (to) => {
  if (isPublic(to)) return true
  const auth = useAuth()
  let ok = false
  try {
    ok = await auth.ensureLoaded()
  } catch {
    ok = false
  }
  if (!ok) return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  const denied = to.matched.some((r) => r.meta.permission && !auth.can(r.meta.permission))
  if (denied) return { name: 'forbidden', query: { from: to.fullPath } }
  return true
})

/** "<page> - <platform>" in the current language (also called when the language changes). */
export function updateDocumentTitle(to: RouteLocationNormalized = router.currentRoute.value): void {
  const key = [...to.matched].reverse().find((r) => r.meta.title)?.meta.title
  const app = i18n.global.t('app.name')
  document.title = key ? `${i18n.global.t(key)} - ${app}` : app
}

router.afterEach((to) => updateDocumentTitle(to))
