/** Assessment (考核评价): scored runs, rankings, explanations and exports for the education bureau. */
import { Trophy } from '@element-plus/icons-vue'
import { defineModule } from '../types'

const zh = {
  assessment: {
    menu: '考核评价', title: '考核评价', hint: '按周/月/季度评分排名，逐项可解释，周期结束自动考核并推送教育局',
    periodPh: '如 2026-Q4', run: '开始考核', runs: '考核批次', none: '暂无考核', avg: '平均分', schools: '所学校',
    allDistricts: '全部区', rank: '排名', school: '学校', district: '区', type: '类型', score: '得分', rankDistrict: '区内排名',
    rankType: '同类排名', points: '分', indicator: '指标', weight: '分值', got: '得分', why: '计分说明', evidence: '证据',
    ranks: '全市第 {city} 名 · 区内第 {district} 名 · 同类第 {type} 名', sum: '各项得分合计 {sum} = 总分 {score}',
    created: '已完成 {n} 所学校的考核', frozen: '已冻结', file: '考核评价',
    trigger: { manual: '手动', scheduled: '定时' },
    types: { kindergarten: '幼儿园', primary: '小学', middle: '中学', boarding_high: '高中' },
  },
}
const en = {
  assessment: {
    menu: 'Assessment', title: 'Assessment', hint: 'Weekly/monthly/quarterly scores and rankings, explained line by line; pushed to the education bureau',
    periodPh: 'e.g. 2026-Q4', run: 'Run', runs: 'Runs', none: 'No run yet', avg: 'average', schools: 'schools',
    allDistricts: 'All districts', rank: 'Rank', school: 'School', district: 'District', type: 'Type', score: 'Score',
    rankDistrict: 'In district', rankType: 'In type', points: 'points', indicator: 'Indicator', weight: 'Weight', got: 'Points',
    why: 'Why', evidence: 'Evidence', ranks: 'City #{city} · district #{district} · type #{type}',
    sum: 'Lines add up to {sum} = score {score}', created: '{n} schools scored', frozen: 'frozen', file: 'assessment',
    trigger: { manual: 'manual', scheduled: 'scheduled' },
    types: { kindergarten: 'Kindergarten', primary: 'Primary', middle: 'Middle', boarding_high: 'High' },
  },
}

export default defineModule({
  name: 'assessment',
  routes: [
    { path: 'assessment', name: 'assessment-runs', component: () => import('./Runs.vue'), meta: { permission: 'assessment.read', title: 'assessment.menu' } },
  ],
  menu: [{ key: 'assessment', title: 'assessment.menu', path: '/assessment', icon: Trophy, permission: 'assessment.read', group: 'data', order: 62 }],
  messages: { 'zh-CN': zh, en },
})
