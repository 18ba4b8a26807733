/** Daily control by liaison officers (日常管控): tasks, on-site check-in, findings. */
import { Checked, List, Refresh } from '@element-plus/icons-vue'
import { defineModule } from '../types'
import { en, zh } from './messages'

export default defineModule({
  name: 'task',
  routes: [
    { path: 'tasks', name: 'task-list', component: () => import('./TaskList.vue'), meta: { permission: 'task.read', title: 'task.list' } },
    { path: 'tasks/rules', name: 'task-rules', component: () => import('./RuleList.vue'), meta: { permission: 'task.read', title: 'task.rules.menu' } },
    { path: 'tasks/:id(\\d+)', name: 'task-detail', component: () => import('./TaskDetail.vue'), props: true, meta: { permission: 'task.read', title: 'task.detail' } },
  ],
  mobileRoutes: [
    { path: 'tasks', name: 'm-task-list', component: () => import('./TaskList.vue'), props: { mobile: true }, meta: { permission: 'task.read', title: 'task.list' } },
    {
      path: 'tasks/:id(\\d+)',
      name: 'm-task-detail',
      component: () => import('./TaskDetail.vue'),
      props: (route) => ({ id: route.params.id, mobile: true }),
      meta: { permission: 'task.read', title: 'task.detail' },
    },
  ],
  menu: [
    { key: 'tasks', title: 'task.list', path: '/tasks', icon: List, permission: 'task.read', group: 'ops', order: 32 },
    { key: 'task-rules', title: 'task.rules.menu', path: '/tasks/rules', icon: Refresh, permission: 'task.manage', group: 'ops', order: 33 },
  ],
  mobileTiles: [{ key: 'tasks', title: 'task.mine', to: '/m/tasks', icon: Checked, permission: 'task.do', color: '#2f7d5b', order: 2 }],
  messages: { 'zh-CN': zh, en },
})
