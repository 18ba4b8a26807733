/** Legal and safety publicity (法制安全宣传): bulletins with receipts, lessons, anonymous reports, broadcasts. */
import { ChatDotRound, Document, Microphone, Notebook, Reading } from '@element-plus/icons-vue'
import { defineModule } from '../types'
import { en, zh } from './messages'

export default defineModule({
  name: 'bulletin',
  routes: [
    { path: 'bulletins', name: 'bulletins', component: () => import('./BulletinList.vue'), meta: { permission: 'bulletin.read', title: 'bulletin.list' } },
    { path: 'bulletins/:id(\\d+)', name: 'bulletin', component: () => import('./BulletinReader.vue'), props: true, meta: { permission: 'bulletin.read', title: 'bulletin.list' } },
    { path: 'safety-lessons', name: 'safety-lessons', component: () => import('./SafetyLessons.vue'), meta: { permission: 'bulletin.read', title: 'bulletin.lessons' } },
    { path: 'reports', name: 'reports', component: () => import('./ReportInbox.vue'), meta: { permission: 'report.handle', title: 'bulletin.reports' } },
    { path: 'broadcasts', name: 'broadcasts', component: () => import('./BroadcastConsole.vue'), meta: { permission: 'broadcast.send', title: 'bulletin.broadcasts' } },
  ],
  mobileRoutes: [
    { path: 'bulletins', name: 'm-bulletins', component: () => import('./BulletinList.vue'), props: { mobile: true }, meta: { permission: 'bulletin.read', title: 'bulletin.list' } },
    { path: 'bulletins/:id(\\d+)', name: 'm-bulletin', component: () => import('./BulletinReader.vue'), props: (r) => ({ id: r.params.id, mobile: true }), meta: { permission: 'bulletin.read', title: 'bulletin.list' } },
    { path: 'report', name: 'm-anon-report', component: () => import('./AnonymousReport.vue'), meta: { public: true, title: 'bulletin.anonReport' } },
  ],
  menu: [
    { key: 'bulletins', title: 'bulletin.list', path: '/bulletins', icon: Reading, permission: 'bulletin.read', group: 'publicity', order: 60 },
    { key: 'safety-lessons', title: 'bulletin.lessons', path: '/safety-lessons', icon: Notebook, permission: 'bulletin.read', group: 'publicity', order: 61 },
    { key: 'reports', title: 'bulletin.reports', path: '/reports', icon: ChatDotRound, permission: 'report.handle', group: 'publicity', order: 62 },
    { key: 'broadcasts', title: 'bulletin.broadcasts', path: '/broadcasts', icon: Microphone, permission: 'broadcast.send', group: 'publicity', order: 63 },
  ],
  mobileTiles: [
    { key: 'bulletins', title: 'bulletin.list', to: '/m/bulletins', icon: Document, permission: 'bulletin.read', color: '#2f80ed', order: 6 },
    { key: 'anon-report', title: 'bulletin.anonReport', to: '/m/report', icon: ChatDotRound, color: '#8e44ad', order: 7 },
  ],
  messages: { 'zh-CN': { ...zh, menu: { groups: { publicity: '安全宣传' } } }, en: { ...en, menu: { groups: { publicity: 'Publicity' } } } },
})
