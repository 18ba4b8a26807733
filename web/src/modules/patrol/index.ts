/** Duty registration (勤务登记): guard duty screen with check-ins and roll-call answers, officer roll calls, console. */
import { Bell, Guide, Stamp } from '@element-plus/icons-vue'
import { defineModule } from '../types'
import { en, zh } from './messages'
import { installOfflineSync } from './offline'

export default defineModule({
  name: 'patrol',
  routes: [
    { path: 'patrol', name: 'patrol', component: () => import('./PatrolConsole.vue'), meta: { permission: 'patrol.read', title: 'patrol.menu' } },
    { path: 'rollcalls', name: 'rollcalls', component: () => import('./RollCallConsole.vue'), meta: { permission: 'rollcall.start', title: 'patrol.rollcall' } },
  ],
  mobileRoutes: [
    { path: 'duty', name: 'm-duty', component: () => import('./GuardDuty.vue'), meta: { permission: 'patrol.checkin', title: 'patrol.duty' } },
    { path: 'rollcalls/:id(\\d+)', name: 'm-rollcall-answer', component: () => import('./RollCallAnswer.vue'), props: true, meta: { permission: 'rollcall.answer', title: 'patrol.rollcall' } },
    { path: 'rollcalls', name: 'm-rollcalls', component: () => import('./RollCallConsole.vue'), props: { mobile: true }, meta: { permission: 'rollcall.start', title: 'patrol.rollcall' } },
  ],
  menu: [
    { key: 'patrol', title: 'patrol.menu', path: '/patrol', icon: Guide, permission: 'patrol.read', group: 'ops', order: 40 },
    { key: 'rollcalls', title: 'patrol.rollcall', path: '/rollcalls', icon: Bell, permission: 'rollcall.start', group: 'ops', order: 41 },
  ],
  mobileTiles: [
    { key: 'duty', title: 'patrol.duty', to: '/m/duty', icon: Stamp, permission: 'patrol.checkin', color: '#1f9d55', order: 1 },
    { key: 'rollcalls', title: 'patrol.rollcall', to: '/m/rollcalls', icon: Bell, permission: 'rollcall.start', color: '#d9363e', order: 2 },
  ],
  messages: { 'zh-CN': zh, en },
  setup() {
    installOfflineSync()
  },
})
