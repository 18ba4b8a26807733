/** Hidden-danger investigation (隐患排查): report, assign, rectify, verify; phone views with offline queue. */
import { Camera, CircleCheck, DataAnalysis, Finished, Tickets, WarningFilled } from '@element-plus/icons-vue'
import { defineModule } from '../types'
import { en, zh } from './messages'
import { installOfflineSync } from './offline'

export default defineModule({
  name: 'hazard',
  routes: [
    { path: 'hazards', name: 'hazard-list', component: () => import('./HazardList.vue'), meta: { permission: 'hazard.read', title: 'hazard.list' } },
    { path: 'hazards/new', name: 'hazard-new', component: () => import('./HazardReport.vue'), meta: { permission: 'hazard.report', title: 'hazard.report' } },
    { path: 'hazards/inspection', name: 'hazard-inspection', component: () => import('./InspectionRun.vue'), meta: { permission: 'hazard.report', title: 'hazard.inspection' } },
    { path: 'hazards/checklists', name: 'hazard-checklists', component: () => import('./ChecklistTemplates.vue'), meta: { permission: ['hazard.admin', 'hazard.assign'], title: 'hazard.tpl.menu' } },
    { path: 'hazards/stats', name: 'hazard-stats', component: () => import('./HazardStats.vue'), meta: { permission: 'hazard.read', title: 'hazard.stats' } },
    { path: 'hazards/:id(\\d+)', name: 'hazard-detail', component: () => import('./HazardDetail.vue'), props: true, meta: { permission: 'hazard.read', title: 'hazard.detail' } },
  ],
  mobileRoutes: [
    { path: 'hazards', name: 'm-hazard-list', component: () => import('./HazardList.vue'), props: { mobile: true }, meta: { permission: 'hazard.read', title: 'hazard.list' } },
    { path: 'hazards/inspection', name: 'm-hazard-inspection', component: () => import('./InspectionRun.vue'), props: { mobile: true }, meta: { permission: 'hazard.report', title: 'hazard.inspection' } },
    { path: 'hazards/new', name: 'm-hazard-new', component: () => import('./HazardReport.vue'), props: { mobile: true }, meta: { permission: 'hazard.report', title: 'hazard.report' } },
    {
      path: 'hazards/:id(\\d+)',
      name: 'm-hazard-detail',
      component: () => import('./HazardDetail.vue'),
      props: (route) => ({ id: route.params.id, mobile: true }),
      meta: { permission: 'hazard.read', title: 'hazard.detail' },
    },
  ],
  menu: [
    { key: 'hazards', title: 'hazard.list', path: '/hazards', icon: WarningFilled, permission: 'hazard.read', group: 'ops', order: 30 },
    { key: 'hazard-inspection', title: 'hazard.inspection', path: '/hazards/inspection', icon: Finished, permission: 'hazard.report', group: 'ops', order: 31 },
    { key: 'hazard-checklists', title: 'hazard.tpl.menu', path: '/hazards/checklists', icon: Tickets, permission: ['hazard.admin', 'hazard.assign'], group: 'ops', order: 31 },
    { key: 'hazard-stats', title: 'hazard.stats', path: '/hazards/stats', icon: DataAnalysis, permission: 'hazard.read', group: 'ops', order: 31 },
  ],
  mobileTiles: [
    { key: 'hazard-report', title: 'hazard.report', to: '/m/hazards/new', icon: Camera, permission: 'hazard.report', color: '#e6a23c', order: 3 },
    { key: 'hazards', title: 'hazard.list', to: '/m/hazards', icon: WarningFilled, permission: 'hazard.read', color: '#c45656', order: 4 },
    { key: 'hazard-inspection', title: 'hazard.inspection', to: '/m/hazards/inspection', icon: Finished, permission: 'hazard.verify', color: '#409eff', order: 7 },
    { key: 'hazard-verify', title: 'hazard.toVerify', to: '/m/hazards?filter=verify', icon: CircleCheck, permission: 'hazard.verify', color: '#2f7d5b', order: 5 },
  ],
  messages: { 'zh-CN': zh, en },
  setup() {
    installOfflineSync()
  },
})
