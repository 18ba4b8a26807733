/** Rapid response (快速反应): alarm board, incident handling, emergency plans, police hand-off. */
import { Bell, Connection, Document, Warning } from '@element-plus/icons-vue'
import { overrideAlarmNotifier } from '@/utils/events'
import { defineModule } from '../types'
import { en, zh } from './messages'
import { popAlarm } from './notifier'

export default defineModule({
  name: 'alarm',
  routes: [
    {
      path: 'alarm',
      name: 'alarm-board',
      component: () => import('./AlarmBoard.vue'),
      meta: { permission: 'alarm.read', title: 'alarm.board' },
    },
    {
      path: 'alarm/incidents/:id',
      name: 'alarm-incident',
      component: () => import('./IncidentDetail.vue'),
      props: true,
      meta: { permission: 'alarm.read', title: 'alarm.incident' },
    },
    {
      path: 'alarm/plans',
      name: 'alarm-plans',
      component: () => import('./PlanList.vue'),
      meta: { permission: 'alarm.read', title: 'alarm.plans' },
    },
    {
      path: 'alarm/chains',
      name: 'alarm-chains',
      component: () => import('./ChainList.vue'),
      meta: { permission: 'alarm.read', title: 'alarm.chains' },
    },
    {
      path: 'alarm/handoff',
      name: 'alarm-handoff',
      component: () => import('./HandoffAdmin.vue'),
      meta: { permission: 'alarm.handoff.admin', title: 'alarm.handoffAdmin' },
    },
  ],
  mobileRoutes: [
    {
      path: 'alarm',
      name: 'm-alarm-board',
      component: () => import('./AlarmBoard.vue'),
      props: { mobile: true },
      meta: { permission: 'alarm.read', title: 'alarm.board' },
    },
    {
      path: 'alarm/:id',
      name: 'm-alarm-incident',
      component: () => import('./IncidentDetail.vue'),
      props: (route) => ({ id: route.params.id, mobile: true }),
      meta: { permission: 'alarm.read', title: 'alarm.incident' },
    },
  ],
  menu: [
    { key: 'alarm-board', title: 'alarm.board', path: '/alarm', icon: Warning, permission: 'alarm.read', order: 12 },
    { key: 'alarm-plans', title: 'alarm.plans', path: '/alarm/plans', icon: Document, permission: 'alarm.read', group: 'ops', order: 40 },
    { key: 'alarm-chains', title: 'alarm.chains', path: '/alarm/chains', icon: Bell, permission: 'alarm.plan.admin', group: 'ops', order: 41 },
    {
      key: 'alarm-handoff',
      title: 'alarm.handoffAdmin',
      path: '/alarm/handoff',
      icon: Connection,
      permission: 'alarm.handoff.admin',
      group: 'system',
      order: 60,
    },
  ],
  mobileTiles: [
    { key: 'alarm', title: 'alarm.board', to: '/m/alarm', icon: Bell, permission: 'alarm.read', color: '#d03050', order: 1 },
  ],
  messages: { 'zh-CN': zh, en },
  setup() {
    overrideAlarmNotifier(popAlarm)
  },
})
