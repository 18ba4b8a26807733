/** Rollout tracking (建设验收): checklists per school, city phase deadlines, district police sign-off. */
import { Finished } from '@element-plus/icons-vue'
import { defineModule } from '../types'

const zh = {
  rollout: {
    menu: '建设验收进度', title: '建设验收进度', asOf: '截至 {d}', byDistrict: '各区完成情况', district: '区', schools: '学校数',
    checklists: '学校建设验收清单', onlyOpen: '只看未完成', school: '学校', items: '清单项', sign: '验收签字',
    signNote: '分局验收意见（可选）', note: '验收意见', signed: '已签字验收',
    deadline: '截止 {d}，目标 {target}%，剩余 {left} 天，已达标 {met}/{n}', gap: '还差 {n} 所',
    status: { met: '已达标', in_progress: '进行中', missed: '已逾期' },
  },
}
const en = {
  rollout: {
    menu: 'Rollout', title: 'Rollout tracking', asOf: 'as of {d}', byDistrict: 'Districts', district: 'District', schools: 'Schools',
    checklists: 'School checklists', onlyOpen: 'incomplete only', school: 'School', items: 'Items', sign: 'Sign off',
    signNote: 'District police acceptance note (optional)', note: 'Note', signed: 'Signed off',
    deadline: 'due {d}, target {target}%, {left} days left, {met}/{n} met', gap: '{n} schools short',
    status: { met: 'met', in_progress: 'in progress', missed: 'missed' },
  },
}

export default defineModule({
  name: 'rollout',
  routes: [
    { path: 'rollout', name: 'rollout', component: () => import('./Rollout.vue'), meta: { permission: 'rollout.read', title: 'rollout.menu' } },
  ],
  menu: [{ key: 'rollout', title: 'rollout.menu', path: '/rollout', icon: Finished, permission: 'rollout.read', group: 'data', order: 63 }],
  messages: { 'zh-CN': zh, en },
})
